// Recorded mode's PromQL: per window, one query for every SLO at once, answering each SLO's
// recorded error ratio where the rule wrote it recently (fresh), and its recorded events where the
// rules record them. Either label set (burnwatch's `slo_id`, Sloth's `sloth_id`) identifies the SLO.
// Only for SLOs without a fresh ratio does a second query ask how old their record is (stale or
// never written): at 100 000 SLOs each selection of a record costs Prometheus about 2 s of CPU
// (measured, BENCHMARKS.md), so the age is not asked of every SLO every cycle.
import { errorRatioRecord, eventsRecord, LABEL_KEYS } from '../../domain/recorded-series.ts';
import { PART_LABEL } from './sli-queries.ts';

const BY = `by (${LABEL_KEYS.burnwatch.id}, ${LABEL_KEYS.sloth.id})`;

export type RecordedPart = 'ratio' | 'age' | 'events';

const part = (expr: string, name: RecordedPart) => `label_replace(${expr}, "${PART_LABEL}", "${name}", "", "")`;

/**
 * One query per window: the ratios written within `staleAfterSeconds` (an older record is not
 * read as current), and the events only when some SLO needs that window's event count.
 */
export function recordedWindowQuery(windowSeconds: number, events: boolean, staleAfterSeconds = 120): string {
  const ratio = errorRatioRecord(windowSeconds);
  const parts = [part(`max ${BY} (last_over_time(${ratio}[${staleAfterSeconds}s]))`, 'ratio')];
  if (events) parts.push(part(`max ${BY} (${eventsRecord(windowSeconds)})`, 'events'));
  return parts.join('\nor\n');
}

/** Past this many SLOs the age query reads the whole record instead of naming them. */
const NAMED_AT_MOST = 200;

/**
 * The age of the record of the SLOs that had no fresh ratio (within Prometheus's lookback; an SLO
 * that does not come back has no record at all). Few SLOs are named by id, many read it all.
 */
export function recordedAgeQuery(windowSeconds: number, ids: { burnwatch: readonly string[]; sloth: readonly string[] }): string {
  const ratio = errorRatioRecord(windowSeconds);
  const age = (selector: string) => part(`max ${BY} (time() - timestamp(${ratio}${selector}))`, 'age');
  if (ids.burnwatch.length > NAMED_AT_MOST) return age('');
  return [age(`{${LABEL_KEYS.burnwatch.id}=~"${alternation(ids.burnwatch)}"}`), age(`{${LABEL_KEYS.sloth.id}=~"${alternation(ids.sloth)}"}`)].join('\nor\n');
}

/** A regular expression matching exactly these values, as a PromQL string's content. */
function alternation(values: readonly string[]): string {
  const re = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return re.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

// Recorded mode's PromQL: per window, one query for every SLO at once, answering each SLO's
// recorded error ratio, the instant the rule wrote it (to tell a stale series from a live one),
// and its recorded events where the rules record them. Either label set (burnwatch's `slo_id`,
// Sloth's `sloth_id`) identifies the SLO.
import { errorRatioRecord, eventsRecord, LABEL_KEYS } from '../../domain/recorded-series.ts';
import { PART_LABEL } from './sli-queries.ts';

const BY = `by (${LABEL_KEYS.burnwatch.id}, ${LABEL_KEYS.sloth.id})`;

export type RecordedPart = 'ratio' | 'age' | 'events';

/**
 * One query per window; `events` only when some SLO needs that window's event count. The age of a
 * record comes back only where it is stale (older than `staleAfterSeconds`): at 100 000 SLOs an
 * age for every SLO would double each answer.
 */
export function recordedWindowQuery(windowSeconds: number, events: boolean, staleAfterSeconds = 120): string {
  const ratio = errorRatioRecord(windowSeconds);
  const part = (expr: string, name: RecordedPart) => `label_replace(${expr}, "${PART_LABEL}", "${name}", "", "")`;
  const parts = [part(`max ${BY} (${ratio})`, 'ratio'), part(`(max ${BY} (time() - timestamp(${ratio})) > ${staleAfterSeconds})`, 'age')];
  if (events) parts.push(part(`max ${BY} (${eventsRecord(windowSeconds)})`, 'events'));
  return parts.join('\nor\n');
}

// The PromQL of an SLI's error ratio over one window, for every indicator kind a
// Prometheus source can answer. Occurrence kinds divide summed bad events by summed
// events (event-weighted); slice kinds average a 0/1 "bad slice" series sampled by a
// subquery at the SLO's timeslice.
import { formatDuration } from '../domain/duration.ts';
import type { Indicator, QueryRef, Slo } from '../domain/slo.ts';

/** `$window` (or `${window}`) in a user's PromQL becomes the window being computed. */
export function withWindow(text: string, windowSeconds: number): string {
  return text.replace(/\$\{window\}|\$window\b/g, formatDuration(windowSeconds));
}

/** Matches a histogram's `le` label however the client library printed the bound ("1", "1.0", "0.15"). */
export function leMatcher(thresholdSeconds: number): string {
  const plain = String(thresholdSeconds);
  return Number.isInteger(thresholdSeconds) ? `le=~"${plain}(\\\\.0+)?"` : `le="${plain}"`;
}

function selectorWith(selector: string, extra: string): string {
  const inner = selector.trim().replace(/^\{|\}$/g, '').trim();
  return `{${inner ? `${inner},` : ''}${extra}}`;
}

/**
 * `op(text)`, unless the text already is one whole `op(…)` (keeps generated PromQL readable).
 * With `by` (a grouped SLO), `op by (labels) (text)`: one series per value, as Sloth's rules keep.
 */
export function aggregate(op: string, text: string, by?: readonly string[]): string {
  const t = text.trim();
  if (by && by.length > 0) return `${op} by (${by.join(', ')}) (${t})`;
  const head = new RegExp(`^${op}\\s*\\(`).exec(t);
  if (head) {
    let depth = 0;
    for (let i = head[0].length - 1; i < t.length; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')' && --depth === 0) {
        if (i === t.length - 1) return t;
        break;
      }
    }
  }
  return `${op}(${t})`;
}

export interface OccurrenceQueries {
  /** Bad events in the window (a count or a rate; only their ratio matters). */
  bad: string;
  total: string;
}

/** Bad and total events over one window for the occurrence kinds (ratio, latency). */
export function occurrenceQueries(indicator: Indicator, windowSeconds: number, by?: readonly string[]): OccurrenceQueries {
  const w = formatDuration(windowSeconds);
  if (indicator.kind === 'latency') {
    const sel = indicator.selector.trim().replace(/^\{|\}$/g, '').trim();
    const total = aggregate('sum', `increase(${indicator.metric}_count${sel ? `{${sel}}` : ''}[${w}])`, by);
    const good = aggregate('sum', `increase(${indicator.metric}_bucket${selectorWith(sel, leMatcher(indicator.thresholdSeconds))}[${w}])`, by);
    return { bad: `(${total} - ${good})`, total };
  }
  if (indicator.kind === 'ratio') {
    const total = aggregate('sum', withWindow(indicator.total.text, windowSeconds), by);
    if (indicator.bad) return { bad: aggregate('sum', withWindow(indicator.bad.text, windowSeconds), by), total };
    if (indicator.good) return { bad: `(${total} - ${aggregate('sum', withWindow(indicator.good.text, windowSeconds), by)})`, total };
    throw new Error('a ratio indicator needs good or bad');
  }
  throw new Error(`${indicator.kind} is a time-slice indicator`);
}

const BAD_WHEN: Record<'gte' | 'gt' | 'lte' | 'lt', string> = { gte: '<', gt: '<=', lte: '>', lt: '>=' };

/**
 * A 0/1 series: 1 while the slice is bad. Absent while the SLI has no data, and for throughput
 * while the job is inactive; a throughput series that vanished while the job runs is a bad slice.
 * The same slice rules as the evaluator's Prometheus source, so both count the same slices.
 */
export function badSliceExpr(slo: Slo): string {
  const { indicator } = slo;
  const by = slo.groupBy?.labels;
  const on = `on(${by?.join(', ') ?? ''})`;
  const q = (ref: QueryRef) => withWindow(ref.text, slo.timesliceSeconds);
  switch (indicator.kind) {
    case 'freshness':
      return `(time() - ${aggregate('max', q(indicator.query), by)}) > bool ${indicator.maxAgeSeconds}`;
    case 'throughput': {
      const bad = `${aggregate('min', q(indicator.query), by)} < bool ${indicator.min}`;
      if (!indicator.activeWhen) return bad;
      const active = aggregate('max', q(indicator.activeWhen), by);
      return `((${bad}) or ${on} (0 * ${active} + 1)) and ${on} (${active} > 0)`;
    }
    case 'threshold': {
      // Every series must satisfy the condition: the worst one decides.
      const worst = indicator.op === 'gte' || indicator.op === 'gt' ? 'min' : 'max';
      return `${aggregate(worst, q(indicator.query), by)} ${BAD_WHEN[indicator.op]} bool ${indicator.value}`;
    }
    default:
      throw new Error(`${indicator.kind} is an occurrence indicator`);
  }
}

/** The error ratio of the SLI over one window, as one PromQL expression. */
export function errorRatioExpr(slo: Slo, windowSeconds: number): string {
  const { indicator } = slo;
  if (indicator.kind === 'ratio' || indicator.kind === 'latency') {
    const q = occurrenceQueries(indicator, windowSeconds, slo.groupBy?.labels);
    return `${q.bad}\n/\n${q.total}`;
  }
  const range = `[${formatDuration(windowSeconds)}:${formatDuration(slo.timesliceSeconds)}]`;
  if (indicator.kind === 'throughput' && indicator.activeWhen && windowSeconds !== slo.timesliceSeconds) {
    // A window in which the job never ran is 0/0 (NaN), as burnwatch's raw evaluation counts it
    // (no slices, no budget spent), not an absent series, which recorded mode would read as
    // "rules not loaded". The timeslice record stays absent while idle: the period averages it.
    const active = `(${aggregate('max', withWindow(indicator.activeWhen.text, slo.timesliceSeconds))} > bool 0) or on() vector(0)`;
    return `(sum_over_time((${badSliceExpr(slo)})${range}) or on() vector(0))\n/\nsum_over_time((${active})${range})`;
  }
  return `avg_over_time((${badSliceExpr(slo)})${range})`;
}

/** Every query an SLO runs, to decide whether Prometheus can answer it. */
export function queriesOf(indicator: Indicator): QueryRef[] {
  switch (indicator.kind) {
    case 'ratio':
      return [indicator.good, indicator.bad, indicator.total].filter((q): q is QueryRef => q !== undefined);
    case 'latency':
      return [];
    case 'throughput':
      return indicator.activeWhen ? [indicator.query, indicator.activeWhen] : [indicator.query];
    default:
      return [indicator.query];
  }
}

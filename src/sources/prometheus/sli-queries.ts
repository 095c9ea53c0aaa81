// The PromQL of every SLI part, per indicator kind. Pure; the README shows the same queries so a
// reviewer can run them by hand.
//
// Occurrence kinds count events with increase() over the whole window, so the window ratio is
// event-weighted (not an average of 5m ratios). Slice kinds evaluate a 0/1 "good slice" expression
// in a subquery at the SLO's timeslice: good slices = sum_over_time, all slices = count_over_time.
import { formatDuration } from '../../domain/duration.ts';
import type { Indicator, Slo } from '../../domain/slo.ts';
import type { SliPart } from '../sli-source.ts';
import { WINDOW_SLOT } from './window-slot.ts';

/** The label that tells the parts of a combined query apart. */
export const PART_LABEL = 'burnwatch_part';

/** `$window` in a user query: the window for occurrence kinds, the timeslice inside slice subqueries. */
export function substituteWindow(text: string, window: string): string {
  return text.replace(/\$\{window\}|\$window\b/g, window);
}

/** The PromQL of one part of one SLO over one window, or undefined when this kind has no such part. */
export function partQuery(slo: Slo, part: SliPart, windowSeconds: number): string | undefined {
  return partText(slo, part, formatDuration(windowSeconds));
}

/** partQuery with the window as text (a duration, or WINDOW_SLOT). */
function partText(slo: Slo, part: SliPart, w: string): string | undefined {
  const ts = formatDuration(slo.timesliceSeconds);
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio': {
      const ref = ind[part];
      return ref ? `sum(${substituteWindow(ref.text, w)})` : undefined;
    }
    case 'latency': {
      const metric = ind.metric.replace(/_(bucket|count|sum)$/, '');
      const matchers = ind.selector.trim().replace(/^\{|\}$/g, '').trim();
      const sep = matchers ? ', ' : '';
      if (part === 'good') return `sum(increase(${metric}_bucket{${matchers}${sep}le=${leMatcher(ind.thresholdSeconds)}}[${w}]))`;
      if (part === 'total') return `sum(increase(${metric}_count{${matchers}}[${w}]))`;
      return undefined;
    }
    default: {
      const slice = goodSlice(ind, ts);
      if (part === 'good') {
        const good = `sum_over_time((${slice.good})[${w}:${ts}])`;
        // A throughput series that vanished while the job was active is a bad slice, not "no data".
        return slice.fallbackToZero ? `(${good}) or (0 * ${slice.total(w)})` : good;
      }
      if (part === 'total') return slice.total(w);
      return undefined;
    }
  }
}

/**
 * Good and total of one window in a single query: each part becomes one series labelled
 * burnwatch_part="good|bad|total".
 */
export function combinedQuery(slo: Slo, parts: readonly SliPart[], windowSeconds: number): string {
  return combinedText(slo, parts, formatDuration(windowSeconds));
}

/**
 * combinedQuery with the window left open (WINDOW_SLOT), so that one text serves every window;
 * undefined when the SLO's own PromQL holds the slot's characters (then fill would change it).
 */
export function combinedQueryTemplate(slo: Slo, parts: readonly SliPart[]): string | undefined {
  return JSON.stringify(slo.indicator).includes(WINDOW_SLOT) ? undefined : combinedText(slo, parts, WINDOW_SLOT);
}

function combinedText(slo: Slo, parts: readonly SliPart[], w: string): string {
  return parts
    .map((part) => {
      const q = partText(slo, part, w);
      if (q === undefined) throw new Error(`${slo.indicator.kind} SLIs have no "${part}" part`);
      return `label_replace(${q}, "${PART_LABEL}", "${part}", "", "")`;
    })
    .join(' or ');
}

/** Exporters write bucket bounds as "0.3" or "1"/"1.0"; match the forms of the same number. */
function leMatcher(threshold: number): string {
  const text = String(threshold);
  return Number.isInteger(threshold) ? `~"${text}|${text}\\\\.0"` : `"${text}"`;
}

const COMPARE = { gte: '>=', gt: '>', lte: '<=', lt: '<' } as const;

function goodSlice(
  ind: Exclude<Indicator, { kind: 'ratio' } | { kind: 'latency' }>,
  ts: string,
): { good: string; total: (w: string) => string; fallbackToZero: boolean } {
  const q = (text: string) => substituteWindow(text, ts);
  switch (ind.kind) {
    case 'freshness': {
      const age = `time() - max(${q(ind.query.text)})`;
      return { good: `(${age}) <= bool ${ind.maxAgeSeconds}`, total: (w) => `count_over_time((${age})[${w}:${ts}])`, fallbackToZero: false };
    }
    case 'threshold': {
      // Every series must satisfy the condition: compare the worst one.
      const worst = ind.op === 'gte' || ind.op === 'gt' ? 'min' : 'max';
      const value = `${worst}(${q(ind.query.text)})`;
      return { good: `${value} ${COMPARE[ind.op]} bool ${ind.value}`, total: (w) => `count_over_time((${value})[${w}:${ts}])`, fallbackToZero: false };
    }
    case 'throughput': {
      const rate = `min(${q(ind.query.text)}) >= bool ${ind.min}`;
      if (!ind.activeWhen) return { good: rate, total: (w) => `count_over_time((min(${q(ind.query.text)}))[${w}:${ts}])`, fallbackToZero: false };
      // Only slices in which the job runs count: active is 1 or 0 per slice. activeWhen is often
      // a filter (`max(job_active) > 0`) that is empty while the job is idle: empty means idle.
      const active = `(max(${q(ind.activeWhen.text)}) > bool 0) or on() vector(0)`;
      return { good: `(${rate}) * on() (${active})`, total: (w) => `sum_over_time((${active})[${w}:${ts}])`, fallbackToZero: true };
    }
  }
}

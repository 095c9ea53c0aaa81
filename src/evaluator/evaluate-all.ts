// One evaluation cycle: every SLO at one instant. The service, `check`, the backtest and the demo
// all call evaluateAll. I/O goes only through the SliSource seam; the math is computeEvaluation.
import type { SloEvaluation, WindowCounts } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';
import type { SliPart, SliReading, SliRequest, SliSource } from '../sources/sli-source.ts';
import { SourceError } from '../sources/source-error.ts';
import { Semaphore } from '../concurrency/semaphore.ts';
import { computeEvaluation, failedEvaluation, windowsOf } from './compute-evaluation.ts';

export interface EvaluateOptions {
  /** SLOs evaluated at the same time (each one runs its sources' queries in parallel). Default 4. */
  concurrency?: number;
  /** Aborts everything: the caller will throw the results away. */
  signal?: AbortSignal;
  /**
   * Stops waiting for sources: an SLO still without an answer becomes unknown, naming the source,
   * and every SLO that did answer is kept. One stuck warehouse query must not cost the other SLOs
   * their cycle.
   */
  readDeadline?: AbortSignal;
}

/** Sources by DataSource name. */
export type SourceMap = ReadonlyMap<string, SliSource>;

/** Evaluates every SLO at `at`, in the order given. Never rejects because of one SLO. */
export async function evaluateAll(
  slos: readonly Slo[],
  sources: SourceMap,
  at: Date,
  opts: EvaluateOptions = {},
): Promise<SloEvaluation[]> {
  const reads = anyOf(opts.signal, opts.readDeadline);
  const shared = startSharedReads(slos, sources, at, reads);
  // An SLO waits for its shared batch outside the pool, so that a stuck batch (one slow source)
  // never holds the places of SLOs that read elsewhere.
  const pool = new Semaphore(Math.max(1, opts.concurrency ?? 4));
  return Promise.all(
    slos.map(async (slo) => {
      const prefetched = await settled(shared.get(slo));
      shared.delete(slo);
      // Everything already read: no I/O left, so no place in the pool to wait for (100 000 SLOs
      // queued on it cost more than their evaluation).
      if (prefetched && prefetched.size === partsBySource(slo).size) return evaluateSlo(slo, sources, at, reads, prefetched);
      return pool.run(() => evaluateSlo(slo, sources, at, reads, prefetched));
    }),
  );
}

/** Readings already fetched for an SLO, by source name (from sources that share work across SLOs). */
type SharedReadings = Map<string, SliReading | Error>;

/**
 * Sources that can answer many SLOs at once (readMany) are asked once for all of them, so they
 * can merge queries across SLOs; the rest are asked per SLO in evaluateSlo. A batch that fails as
 * a whole answers undefined: its SLOs are then asked one by one.
 */
function startSharedReads(
  slos: readonly Slo[],
  sources: SourceMap,
  at: Date,
  signal?: AbortSignal,
): Map<Slo, Map<string, Promise<SliReading | Error | undefined>>> {
  const out = new Map<Slo, Map<string, Promise<SliReading | Error | undefined>>>();
  const bySource = new Map<string, Array<{ slo: Slo; request: SliRequest }>>();
  for (const slo of slos) {
    for (const [name, parts] of partsBySource(slo)) {
      if (!sources.get(name)?.readMany) continue;
      const request: SliRequest = { slo, windows: windowsOf(slo), at, parts, ...(signal ? { signal } : {}) };
      const asks = bySource.get(name) ?? [];
      if (asks.length === 0) bySource.set(name, asks);
      asks.push({ slo, request });
    }
  }
  for (const [name, asks] of bySource) {
    const batch = untilAborted(sources.get(name)!.readMany!(asks.map((a) => a.request)), name, signal).catch(() => undefined);
    asks.forEach(({ slo }, i) => {
      const mine = out.get(slo) ?? new Map();
      // Handed over once: the batch's array no longer holds it, so a reading is garbage as soon as
      // its SLO is evaluated (at 100 000 SLOs the readings are as large as the evaluations).
      mine.set(
        name,
        batch.then((readings) => {
          const reading = readings?.[i];
          if (readings) readings[i] = undefined as never;
          return reading;
        }),
      );
      out.set(slo, mine);
    });
  }
  return out;
}

async function settled(pending: Map<string, Promise<SliReading | Error | undefined>> | undefined): Promise<SharedReadings | undefined> {
  if (!pending) return undefined;
  const out: SharedReadings = new Map();
  for (const [name, reading] of pending) {
    const value = await reading;
    if (value) out.set(name, value);
  }
  return out;
}

/** One SLO at `at`; source failures make it unknown, anything else error. */
export async function evaluateSlo(
  slo: Slo,
  sources: SourceMap,
  at: Date,
  signal?: AbortSignal,
  shared?: SharedReadings,
): Promise<SloEvaluation> {
  try {
    const windows = windowsOf(slo);
    const asks = [...partsBySource(slo)].map(async ([name, parts]) => {
      const prefetched = shared?.get(name);
      if (prefetched instanceof Error) throw prefetched;
      if (prefetched) return prefetched;
      const source = sources.get(name);
      if (!source) throw new UnknownSourceError(slo, name, [...sources.keys()]);
      return untilAborted(source.read({ slo, windows, at, parts, ...(signal ? { signal } : {}) }), name, signal, slo.id);
    });
    const settled = await Promise.allSettled(asks);
    const problems: string[] = [];
    const readings: SliReading[] = [];
    for (const result of settled) {
      if (result.status === 'fulfilled') readings.push(result.value);
      else if (result.reason instanceof SourceError) problems.push(result.reason.message);
      else throw result.reason;
    }
    // One failing source of a mixed ratio leaves every window without a complete answer.
    const counts = problems.length > 0 ? new Map<number, WindowCounts>() : countsOf(windows, readings);
    return computeEvaluation(slo, at, counts, problems);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failedEvaluation(slo, at, error instanceof SourceError ? 'unknown' : 'error', message);
  }
}

export const NO_ANSWER_BEFORE_DEADLINE = "no answer before the cycle's read deadline";

/**
 * Settles with `work`, or, once `signal` aborts, rejects with a SourceError naming the source:
 * a source that ignores the signal must not hold its SLO, and one that honours it would
 * otherwise report the abort as its own failure ("cannot reach …: operation aborted").
 */
function untilAborted<T>(work: Promise<T>, source: string, signal: AbortSignal | undefined, slo?: string): Promise<T> {
  if (!signal) return work;
  const late = () => new SourceError('timeout', `${NO_ANSWER_BEFORE_DEADLINE} (${reasonOf(signal)})`, { source, retryable: true, ...(slo ? { slo } : {}) });
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(late());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(late());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => (signal.aborted ? onAbort() : resolve(value)),
      (error) => (signal.aborted ? onAbort() : reject(error)),
    ).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function reasonOf(signal: AbortSignal): string {
  const reason = signal.reason as unknown;
  return reason instanceof Error ? reason.message : String(reason);
}

function anyOf(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

class UnknownSourceError extends Error {
  readonly code = 'unknown_source';
  constructor(slo: Slo, name: string, known: string[]) {
    super(`${slo.id}: no data source named "${name}" (configured: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownSourceError';
  }
}

/** Which parts each source answers. A mixed ratio asks each source only for its own part. */
export function partsBySource(slo: Slo): Map<string, SliPart[]> {
  const out = new Map<string, SliPart[]>();
  const add = (source: string, part: SliPart) => out.set(source, [...(out.get(source) ?? []), part]);
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio':
      if (ind.good) add(ind.good.source, 'good');
      if (ind.bad) add(ind.bad.source, 'bad');
      add(ind.total.source, 'total');
      break;
    case 'latency':
      add(ind.source, 'good');
      add(ind.source, 'total');
      break;
    default:
      add(ind.query.source, 'good');
      add(ind.query.source, 'total');
  }
  return out;
}

/** Merges the parts of all sources into bad/total per window; an incomplete window is left out. */
export function countsOf(windows: readonly number[], readings: readonly SliReading[]): Map<number, WindowCounts> {
  const counts = new Map<number, WindowCounts>();
  for (const w of windows) {
    const parts: Partial<Record<SliPart, number>> = Object.assign({}, ...readings.map((r) => r.get(w) ?? {}));
    const total = parts.total;
    const bad = parts.bad ?? (total !== undefined && parts.good !== undefined ? total - parts.good : undefined);
    if (total === undefined || bad === undefined || !Number.isFinite(total) || !Number.isFinite(bad)) continue;
    // Sources scraped at slightly different instants can put good a hair above total: no negative errors.
    counts.set(w, { bad: Math.min(Math.max(bad, 0), total), total });
  }
  return counts;
}

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
  const batches = startSharedReads(slos, sources, at, reads);
  const pool = new Semaphore(Math.max(1, opts.concurrency ?? 4));
  const out: SloEvaluation[] = new Array(slos.length);
  // SLOs are taken in cohorts that wait for the same batches. A cohort whose batches answered
  // every one of its sources is evaluated in one synchronous loop: at 100 000 SLOs a promise and
  // a map per SLO cost more memory than their evaluations. What is left (sources read per SLO, a
  // batch that failed as a whole) goes through the pool; a cohort waits for its batches outside
  // the pool, so a stuck batch (one slow source) never holds the places of SLOs that read elsewhere.
  const cohorts = new Map<string, { names: string[]; complete: boolean; members: number[] }>();
  slos.forEach((slo, k) => {
    const own = [...partsBySource(slo).keys()];
    const names = own.filter((name) => batches.has(name));
    // complete: every source of the SLO is batched, so answered batches leave nothing to read.
    const complete = names.length === own.length;
    const key = `${complete ? 1 : 0}${names.join('\u0000')}`;
    const cohort = cohorts.get(key);
    if (cohort) cohort.members.push(k);
    else cohorts.set(key, { names, complete, members: [k] });
  });
  await Promise.all(
    [...cohorts.values()].map(async ({ names, complete, members }) => {
      const answered = await Promise.all(names.map((name) => batches.get(name)!.readings));
      const rest: Array<{ k: number; prefetched: SharedReadings }> = [];
      for (const k of members) {
        const answers: Array<[string, SliReading | Error]> = [];
        names.forEach((name, j) => {
          const readings = answered[j];
          const i = batches.get(name)!.index[k]!;
          const answer = readings?.[i];
          if (answer === undefined) return;
          answers.push([name, answer]);
          // Handed over once: a reading is garbage as soon as its SLO is evaluated.
          readings![i] = undefined as never;
        });
        if (complete && answers.length === names.length) out[k] = evaluateRead(slos[k]!, at, answers.map(([, a]) => a));
        else rest.push({ k, prefetched: new Map(answers) });
      }
      await Promise.all(rest.map(({ k, prefetched }) => pool.run(async () => (out[k] = await evaluateSlo(slos[k]!, sources, at, reads, prefetched)))));
    }),
  );
  return out;
}

/** Readings already fetched for an SLO, by source name (from sources that share work across SLOs). */
type SharedReadings = Map<string, SliReading | Error>;

/** One source's batch: its readings (undefined: the batch failed as a whole) and, by SLO, its place in them. */
interface Batch {
  readings: Promise<Array<SliReading | Error> | undefined>;
  /** For the SLO at position k of the cycle, the position of its reading (-1: none). */
  index: Int32Array;
}

/**
 * Sources that can answer many SLOs at once (readMany) are asked once for all of them, so they
 * can merge queries across SLOs; the rest are asked per SLO in evaluateSlo. A batch that fails as
 * a whole answers undefined: its SLOs are then asked one by one.
 */
function startSharedReads(slos: readonly Slo[], sources: SourceMap, at: Date, signal?: AbortSignal): Map<string, Batch> {
  const asked = new Map<string, { requests: SliRequest[]; index: Int32Array }>();
  slos.forEach((slo, k) => {
    for (const [name, parts] of partsBySource(slo)) {
      if (!sources.get(name)?.readMany) continue;
      const ask = asked.get(name) ?? { requests: [], index: new Int32Array(slos.length).fill(-1) };
      if (ask.requests.length === 0) asked.set(name, ask);
      ask.index[k] = ask.requests.length;
      ask.requests.push({ slo, windows: windowsOf(slo), at, parts, ...(signal ? { signal } : {}) });
    }
  });
  const out = new Map<string, Batch>();
  for (const [name, { requests, index }] of asked) {
    const readings = untilAborted(sources.get(name)!.readMany!(requests), name, signal).catch(() => undefined);
    out.set(name, { readings, index });
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
    return evaluateRead(slo, at, settled.map((r) => (r.status === 'fulfilled' ? r.value : r.reason instanceof Error ? r.reason : new Error(String(r.reason)))));
  } catch (error) {
    return failure(slo, at, error);
  }
}

/** One SLO from what each of its sources answered (a reading, or the error it failed with). */
function evaluateRead(slo: Slo, at: Date, answers: ReadonlyArray<SliReading | Error>): SloEvaluation {
  try {
    const problems: string[] = [];
    const readings: SliReading[] = [];
    for (const answer of answers) {
      if (!(answer instanceof Error)) readings.push(answer);
      else if (answer instanceof SourceError) problems.push(answer.message);
      else throw answer;
    }
    // One failing source of a mixed ratio leaves every window without a complete answer.
    const counts = problems.length > 0 ? new Map<number, WindowCounts>() : countsOf(windowsOf(slo), readings);
    return computeEvaluation(slo, at, counts, problems);
  } catch (error) {
    return failure(slo, at, error);
  }
}

function failure(slo: Slo, at: Date, error: unknown): SloEvaluation {
  const message = error instanceof Error ? error.message : String(error);
  return failedEvaluation(slo, at, error instanceof SourceError ? 'unknown' : 'error', message);
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

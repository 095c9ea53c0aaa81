// An SLO's history on a regular grid of steps: bad and total per window at every step,
// read from Prometheus with range queries or, for any other source, through the same
// SliSource the service uses (one read per step).
import { formatDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { countsOf, partsBySource, type SourceMap } from '../evaluator/index.ts';
import { partQuery } from '../sources/prometheus/sli-queries.ts';
import type { SliReading } from '../sources/sli-source.ts';
import { SourceError } from '../sources/source-error.ts';
import type { RangeClient } from './prometheus-range.ts';

export interface Grid {
  /** Unix seconds of the first step. */
  start: number;
  step: number;
  points: number;
}

export interface SloHistory {
  slo: Slo;
  grid: Grid;
  /** Per window (seconds): bad and total at every step, NaN where unknown. */
  windows: Map<number, { bad: Float64Array; total: Float64Array }>;
  /** Why steps are unknown (source errors), for the report. */
  problems: string[];
}

export function gridOf(from: Date, to: Date, stepSeconds: number): Grid {
  const start = Math.ceil(from.getTime() / 1000 / stepSeconds) * stepSeconds;
  const end = Math.floor(to.getTime() / 1000);
  if (end < start) throw new Error(`--to (${to.toISOString()}) must be after --from (${from.toISOString()})`);
  return { start, step: stepSeconds, points: Math.floor((end - start) / stepSeconds) + 1 };
}

/**
 * Arrays of a grid's length, handed back once a history is replayed: a 28-day backtest at minute
 * steps reads ~26 arrays of 40 320 points per SLO, and allocating them afresh (8 MB per SLO off
 * the heap) kept the garbage collector marking.
 */
export class SeriesPool {
  readonly #free: Float64Array[] = [];
  readonly points: number;
  constructor(points: number) {
    this.points = points;
  }
  take(): Float64Array {
    return this.#free.pop() ?? new Float64Array(this.points);
  }
  /** The history's arrays; it must not be used afterwards. */
  give(history: SloHistory): void {
    for (const { bad, total } of history.windows.values()) {
      if (bad.length === this.points) this.#free.push(bad);
      if (total.length === this.points && total !== bad) this.#free.push(total);
    }
    history.windows.clear();
  }
}

export function stepTime(grid: Grid, i: number): Date {
  return new Date((grid.start + i * grid.step) * 1000);
}

/** Windows this long that no tier uses (the SLO period) are read at a coarser step and interpolated. */
const COARSE_AFTER_SECONDS = 3 * 86_400;
const COARSE_POINTS_PER_WINDOW = 672;

/**
 * Range queries per window and part. The period window only feeds the budget (SLI, remaining,
 * exhaustion), and a 28d `increase` at every minute is the dominant cost of a backtest, so it is
 * read about every hour of a 28d period and linearly interpolated in between.
 */
export async function prometheusHistory(
  slo: Slo,
  windows: readonly number[],
  tierWindowSet: ReadonlySet<number>,
  grid: Grid,
  client: RangeClient,
  signal?: AbortSignal,
  pool: SeriesPool = new SeriesPool(grid.points),
): Promise<SloHistory> {
  const history: SloHistory = { slo, grid, windows: new Map(), problems: [] };
  const end = grid.start + (grid.points - 1) * grid.step;
  await Promise.all(
    windows.map(async (w) => {
      // The service's own PromQL per part (src/sources/prometheus): same queries, same values.
      const hasBad = slo.indicator.kind === 'ratio' && slo.indicator.bad !== undefined;
      const query = (part: 'good' | 'bad' | 'total') => partQuery(slo, part, w)!;
      const coarse = !tierWindowSet.has(w) && w > COARSE_AFTER_SECONDS;
      const step = coarse ? Math.max(grid.step, Math.floor(w / COARSE_POINTS_PER_WINDOW / grid.step) * grid.step) : grid.step;
      try {
        // Minute-step reads are written into the pool's arrays; coarse ones are short, then interpolated into them.
        const read = (q: string) => client.queryRange(q, grid.start, end + (coarse ? step : 0), step, signal, coarse ? undefined : pool.take());
        const [part, total] = await Promise.all([read(query(hasBad ? 'bad' : 'good')), read(query('total'))]);
        if (!hasBad) for (let i = 0; i < part.length; i++) part[i] = total[i]! - part[i]!; // bad = total − good
        const ratio = step / grid.step;
        history.windows.set(w, {
          bad: ratio === 1 ? part : interpolate(part, ratio, pool.take()),
          total: ratio === 1 ? total : interpolate(total, ratio, pool.take()),
        });
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        history.problems.push(`${formatDuration(w)}: ${error.message}`);
      }
    }),
  );
  return history;
}

function interpolate(coarse: Float64Array, ratio: number, out: Float64Array): Float64Array {
  const points = out.length;
  for (let i = 0; i < points; i++) {
    const k = Math.floor(i / ratio);
    const f = i / ratio - k;
    const a = coarse[k]!;
    const b = k + 1 < coarse.length ? coarse[k + 1]! : Number.NaN;
    out[i] = f === 0 ? a : Number.isNaN(b) ? a : a + (b - a) * f;
  }
  return out;
}

/** Any source (SQL, BigQuery, or Prometheus through the service's own adapter): one read per step. */
export async function sourceHistory(
  slo: Slo,
  windows: readonly number[],
  grid: Grid,
  sources: SourceMap,
  opts: { concurrency?: number; signal?: AbortSignal; onStep?: () => void } = {},
): Promise<SloHistory> {
  const history: SloHistory = { slo, grid, windows: new Map(), problems: [] };
  for (const w of windows) {
    history.windows.set(w, { bad: new Float64Array(grid.points).fill(Number.NaN), total: new Float64Array(grid.points).fill(Number.NaN) });
  }
  const problems = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < grid.points) {
      const i = next++;
      const at = stepTime(grid, i);
      try {
        const readings: SliReading[] = await Promise.all(
          [...partsBySource(slo)].map(([name, parts]) => {
            const source = sources.get(name);
            if (!source) throw new Error(`${slo.id}: no data source named "${name}"`);
            return source.read({ slo, windows, at, parts, ...(opts.signal ? { signal: opts.signal } : {}) });
          }),
        );
        for (const [w, c] of countsOf(windows, readings)) {
          const series = history.windows.get(w)!;
          series.bad[i] = c.bad;
          series.total[i] = c.total;
        }
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        problems.add(error.message);
      }
      opts.onStep?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  history.problems.push(...problems);
  return history;
}

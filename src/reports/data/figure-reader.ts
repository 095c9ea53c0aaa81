// Exact bad/total counts over any window, read from the SLO's own data sources
// through the evaluator's seam (SliSource). Week figures always come from here (the
// store keeps rolling-window counts, not weekly ones); rolling figures and the
// burn-down come from here when the store has no history (a new install).
import type { WindowCounts } from '../../domain/evaluation.ts';
import type { Slo } from '../../domain/slo.ts';
import { countsOf, partsBySource, type SourceMap } from '../../evaluator/evaluate-all.ts';
import { SourceError } from '../../sources/source-error.ts';

export interface CountsPoint {
  at: Date;
  counts: WindowCounts | null;
}

export interface FigureReader {
  /** Bad and total over `windowSeconds` ending at `at`; null when a source did not answer. */
  counts(slo: Slo, windowSeconds: number, at: Date): Promise<WindowCounts | null>;
  /** The same every `stepSeconds` from `from` to `to` inclusive. */
  series(slo: Slo, windowSeconds: number, from: Date, to: Date, stepSeconds: number): Promise<CountsPoint[]>;
  /** Why the last reads returned null (source errors), for the report's notes. */
  readonly problems: string[];
}

export function stepsBetween(from: Date, to: Date, stepSeconds: number): Date[] {
  const out: Date[] = [];
  for (let t = from.getTime(); t <= to.getTime(); t += stepSeconds * 1000) out.push(new Date(t));
  return out;
}

/** Instant reads through each source's SliSource; works for Prometheus, BigQuery and Postgres alike. */
export function sliSourceFigureReader(sources: SourceMap): FigureReader {
  const problems: string[] = [];
  const counts = async (slo: Slo, windowSeconds: number, at: Date): Promise<WindowCounts | null> => {
    try {
      const readings = await Promise.all(
        [...partsBySource(slo)].map(([name, parts]) => {
          const source = sources.get(name);
          if (!source) throw new SourceError('unreachable', `no data source "${name}" (not declared, or its type is not supported by this build)`, { source: name, retryable: false });
          return source.read({ slo, windows: [windowSeconds], at, parts });
        }),
      );
      return countsOf([windowSeconds], readings).get(windowSeconds) ?? null;
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      problems.push(`${slo.id}: ${error.message}`);
      return null;
    }
  };
  return {
    problems,
    counts,
    async series(slo, windowSeconds, from, to, stepSeconds) {
      const points: CountsPoint[] = [];
      for (const at of stepsBetween(from, to, stepSeconds)) points.push({ at, counts: await counts(slo, windowSeconds, at) });
      return points;
    },
  };
}

// The backfill path for Prometheus SLOs: a burn-down series is one range query
// (/api/v1/query_range) of the evaluator's own PromQL (combinedQuery), instead of one
// instant query per point. SLOs with parts on other sources use the instant reader.
import type { WindowCounts } from '../../domain/evaluation.ts';
import type { Slo } from '../../domain/slo.ts';
import { partsBySource, type SourceMap } from '../../evaluator/evaluate-all.ts';
import { PrometheusSource } from '../../sources/prometheus/prometheus-source.ts';
import { combinedQuery, PART_LABEL } from '../../sources/prometheus/sli-queries.ts';
import type { SliPart } from '../../sources/sli-source.ts';
import { SourceError } from '../../sources/source-error.ts';
import { type CountsPoint, type FigureReader, sliSourceFigureReader, stepsBetween } from './figure-reader.ts';

function countsFrom(parts: Partial<Record<SliPart, number>>): WindowCounts | null {
  const total = parts.total;
  const bad = parts.bad ?? (total !== undefined && parts.good !== undefined ? total - parts.good : undefined);
  if (total === undefined || bad === undefined || !Number.isFinite(total) || !Number.isFinite(bad)) return null;
  return { bad: Math.min(Math.max(bad, 0), total), total };
}

export function prometheusRangeFigureReader(sources: SourceMap): FigureReader {
  const instant = sliSourceFigureReader(sources);
  return {
    problems: instant.problems,
    counts: instant.counts,
    async series(slo: Slo, windowSeconds: number, from: Date, to: Date, stepSeconds: number): Promise<CountsPoint[]> {
      const bySource = [...partsBySource(slo)];
      const only = bySource.length === 1 ? sources.get(bySource[0]![0]) : undefined;
      if (!(only instanceof PrometheusSource)) return instant.series(slo, windowSeconds, from, to, stepSeconds);
      const parts = bySource[0]![1];
      const query = combinedQuery(slo, parts, windowSeconds);
      const byTime = new Map<number, Partial<Record<SliPart, number>>>();
      try {
        for (const series of await only.client.queryRange(query, from, to, stepSeconds)) {
          const part = series.labels[PART_LABEL] as SliPart | undefined;
          if (!part) continue;
          for (const p of series.points) byTime.set(p.at.getTime(), { ...byTime.get(p.at.getTime()), [part]: p.value });
        }
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        instant.problems.push(`${slo.id}: ${error.message}`);
      }
      return stepsBetween(from, to, stepSeconds).map((at) => ({ at, counts: countsFrom(byTime.get(at.getTime()) ?? {}) }));
    },
  };
}

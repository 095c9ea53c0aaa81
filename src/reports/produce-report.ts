// Gather + build: the one call the CLI and the weekly job make.
import type { Slo } from '../domain/slo.ts';
import type { SourceMap } from '../evaluator/evaluate-all.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import { buildReport } from './build-report.ts';
import type { FigureReader } from './data/figure-reader.ts';
import { prometheusRangeFigureReader } from './data/prometheus-range-reader.ts';
import { gatherReportInputs } from './data/gather.ts';
import type { ReportData, ReportPeriod } from './report-data.ts';

export interface ProduceOptions {
  slos: readonly Slo[];
  sources: SourceMap;
  db?: Queryable | undefined;
  period: ReportPeriod;
  previous: ReportPeriod;
  now: Date;
  /** Only these services (all when empty). */
  services?: readonly string[];
  teamChannels?: Record<string, string>;
  /** Default: range queries for Prometheus SLOs, instant reads through the SliSource for the others. */
  figures?: FigureReader;
}

export async function produceReport(o: ProduceOptions): Promise<ReportData> {
  const slos = o.services && o.services.length > 0 ? o.slos.filter((s) => o.services!.includes(s.service)) : o.slos;
  const inputs = await gatherReportInputs({
    slos,
    period: o.period,
    previous: o.previous,
    now: o.now,
    figures: o.figures ?? prometheusRangeFigureReader(o.sources),
    ...(o.db ? { db: o.db } : {}),
    ...(o.teamChannels ? { teamChannels: o.teamChannels } : {}),
  });
  return buildReport(inputs);
}

// What the demo leaves behind: the weekly reliability report (the reports module's own
// renderers) and the incident post-mortems.
import path from 'node:path';
import type { Slo } from '../domain/slo.ts';
import type { SourceMap } from '../evaluator/index.ts';
import { previousPeriod } from '../reports/iso-week.ts';
import { produceReport } from '../reports/produce-report.ts';
import type { ReportData, ReportPeriod } from '../reports/report-data.ts';
import { writeReport } from '../reports/write-report.ts';
import type { Db } from '../store/db.ts';
import { writePostmortems } from './demo-incidents.ts';
import type { Telemetry } from './telemetry.ts';

export interface DemoOutputInput {
  dir: string;
  root: string;
  slos: readonly Slo[];
  sources: SourceMap;
  db: Db;
  telemetry: Telemetry;
  week: ReportPeriod;
  now: Date;
  /** The incidents the demo on-call opened, in order. */
  incidentIds: readonly number[];
}

export async function writeDemoOutputs(o: DemoOutputInput): Promise<{ files: string[]; notIncluded: string[]; report: ReportData }> {
  const files: string[] = [];
  const notIncluded: string[] = [];
  // Incidents first: the weekly report counts them.
  files.push(
    ...(await writePostmortems({
      db: o.db,
      root: o.root,
      dir: path.join(o.dir, 'postmortems'),
      slos: o.slos,
      incidentIds: o.incidentIds,
    })),
  );
  const report = await produceReport({ slos: o.slos, sources: o.sources, db: o.db, period: o.week, previous: previousPeriod(o.week), now: o.now });
  const written = await writeReport(report, path.join(o.dir, 'report'), ['md', 'html']);
  files.push(...written.filter((f) => /\.(md|html)$/.test(f)));
  return { files, notIncluded, report };
}

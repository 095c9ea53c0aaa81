// The Monday job: report on the last complete ISO week, write it as files (Markdown with
// chart PNGs, self-contained HTML) and queue one message per team on the report channel (Slack), once. The week is claimed in the same transaction that queues the
// messages, so a crash before the commit leaves nothing claimed (the next run
// retries) and a restart or a second replica after it finds the week done.
import path from 'node:path';
import type { Clock } from '../domain/clock.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { claimReportRun, hasReportRun } from './data/report-runs.ts';
import { lastCompleteWeek, previousPeriod } from './iso-week.ts';
import { queueTeamReports, type ReportChannel } from './report-channel.ts';
import type { ReportData, ReportPeriod } from './report-data.ts';
import { renderAllCharts } from './team-charts.ts';
import { writeReport } from './write-report.ts';

export interface WeeklyReportDeps {
  db: Db;
  clock: Clock;
  /** Gathers and builds the report of a period (store + sources). */
  produce(period: ReportPeriod, previous: ReportPeriod, now: Date): Promise<ReportData>;
  /** Where the teams' messages are queued (src/app wires Slack's); undefined: the report is only stored (and written). */
  channel?: ReportChannel | undefined;
  /** Where the week's files go (a folder per week); undefined: no files. */
  outDir?: string | undefined;
}

export interface WeeklyReportResult {
  week: string;
  status: 'queued' | 'already-done';
  teams: string[];
  /** The report files written, when outDir is set. */
  files?: string[];
}

export async function runWeeklyReport(deps: WeeklyReportDeps): Promise<WeeklyReportResult> {
  const now = deps.clock.now();
  const period = lastCompleteWeek(now);
  if (await hasReportRun(deps.db, period.label)) return { week: period.label, status: 'already-done', teams: [] };
  const report = await deps.produce(period, previousPeriod(period), now);
  const charts = deps.channel ? await renderAllCharts(report) : new Map();
  // Written before the claim: rewriting the same files is harmless, a claimed week without files is not.
  const files = deps.outDir ? await writeReport(report, path.join(deps.outDir, period.label), ['md', 'html']) : undefined;
  return withTransaction(deps.db, async (client) => {
    if (!(await claimReportRun(client, report, now))) return { week: period.label, status: 'already-done' as const, teams: [] };
    const teams = deps.channel ? await queueTeamReports(client, deps.channel, report, charts, now) : [];
    return { week: period.label, status: 'queued' as const, teams, ...(files ? { files } : {}) };
  });
}

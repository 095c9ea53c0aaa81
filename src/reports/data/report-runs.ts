// The `report_runs` table (migration 040): which weeks have been generated for posting.
import type { Queryable } from '../../store/repositories/queryable.ts';
import type { ReportData } from '../report-data.ts';

/** Claims the report's period; false when it was claimed before (already generated and queued). */
export async function claimReportRun(q: Queryable, report: ReportData, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO report_runs (period_label, period_start, period_end, generated_at, teams, report)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (period_label) DO NOTHING`,
    [report.period.label, new Date(report.period.start), new Date(report.period.end), at, report.teams.length, JSON.stringify(report)],
  );
  return rowCount === 1;
}

export async function hasReportRun(q: Queryable, periodLabel: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM report_runs WHERE period_label = $1', [periodLabel]);
  return rows.length > 0;
}

export async function loadReportRun(q: Queryable, periodLabel: string): Promise<ReportData | undefined> {
  const { rows } = await q.query<{ report: ReportData }>('SELECT report FROM report_runs WHERE period_label = $1', [periodLabel]);
  return rows[0]?.report;
}

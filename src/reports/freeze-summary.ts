// The week's deploy freezes (error-budget policy): which SLOs were frozen, when, and for how
// long within the period (an ongoing freeze counts until the report's end or its generation).
import type { FreezeEntry, ReportPeriod } from './report-data.ts';
import type { FreezeRecord } from './report-inputs.ts';

export function freezeEntries(records: readonly FreezeRecord[], period: ReportPeriod, generatedAt: Date): FreezeEntry[] {
  const from = Date.parse(period.start);
  const to = Math.min(Date.parse(period.end), generatedAt.getTime());
  return records
    .filter((r) => Date.parse(r.startedAt) < to && (r.endedAt === null || Date.parse(r.endedAt) >= from))
    .map((r) => {
      const start = Math.max(from, Date.parse(r.startedAt));
      const end = Math.min(to, r.endedAt === null ? to : Date.parse(r.endedAt));
      return { policy: r.policy, sloId: r.sloId, startedAt: r.startedAt, endedAt: r.endedAt, frozenSeconds: Math.max(0, Math.round((end - start) / 1000)) };
    })
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.sloId.localeCompare(b.sloId));
}

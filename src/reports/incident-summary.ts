// Incidents opened in a period: how fast they were acknowledged, mitigated and
// resolved, and how much error budget each one cost.
import type { WindowCounts } from '../domain/evaluation.ts';
import { responseTimes } from '../domain/incident-response-times.ts';
import { budgetShare, median } from './figures.ts';
import { inPeriod } from './in-period.ts';
import type { IncidentSummary, ReportPeriod } from './report-data.ts';
import type { IncidentRecord } from './report-inputs.ts';

export function incidentSummary(
  incidents: readonly IncidentRecord[],
  period: ReportPeriod,
  previous: ReportPeriod,
  budgetOf: (incident: IncidentRecord) => { counts: WindowCounts | null; rolling: WindowCounts | null; objective: number } | null,
): IncidentSummary {
  const current = incidents
    .filter((i) => inPeriod(i.openedAt, period))
    .sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt));
  const entries = current.map((i) => {
    const budget = budgetOf(i);
    // The post-mortem's definitions: acknowledged, mitigated and resolved, each counted from the first page.
    const times = responseTimes(i);
    return {
      id: i.id,
      title: i.title,
      sloId: i.sloId,
      openedAt: i.openedAt,
      timeToAckSeconds: times.toAcknowledgeSeconds,
      timeToMitigateSeconds: times.toMitigateSeconds,
      timeToResolveSeconds: times.toResolveSeconds,
      budgetConsumed: budget ? budgetShare(budget.counts?.bad, budget.rolling, budget.objective) : null,
    };
  });
  return {
    count: entries.length,
    previousCount: incidents.filter((i) => inPeriod(i.openedAt, previous)).length,
    medianTimeToAckSeconds: median(entries.map((e) => e.timeToAckSeconds)),
    medianTimeToMitigateSeconds: median(entries.map((e) => e.timeToMitigateSeconds)),
    medianTimeToResolveSeconds: median(entries.map((e) => e.timeToResolveSeconds)),
    incidents: entries,
  };
}

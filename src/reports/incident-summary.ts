// Incidents opened in a period: how fast they were acknowledged, mitigated and
// resolved, and how much error budget each one cost — the figures of
// src/lifecycle/incident-figures.ts, the same the post-mortem shows.
import { incidentFigures, sloFigure } from '../lifecycle/incident-figures.ts';
import { median } from './figures.ts';
import { inPeriod } from './in-period.ts';
import type { IncidentSummary, ReportPeriod } from './report-data.ts';
import type { IncidentRecord } from './report-inputs.ts';

export function incidentSummary(
  incidents: readonly IncidentRecord[],
  period: ReportPeriod,
  previous: ReportPeriod,
  /** Which of the incident's SLOs this summary is about (the service's); default its primary. */
  sloOf: (incident: IncidentRecord) => string | null = (i) => i.sloId,
): IncidentSummary {
  const current = incidents
    .filter((i) => inPeriod(i.openedAt, period))
    .sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt));
  const entries = current.map((i) => {
    // The post-mortem's definitions: acknowledged, mitigated and resolved, each counted from the first page.
    const times = incidentFigures({ ...i, slos: i.slos ?? [] });
    const sloId = sloOf(i);
    return {
      id: i.id,
      title: i.title,
      sloId,
      openedAt: i.openedAt,
      timeToAckSeconds: times.toAcknowledgeSeconds,
      timeToMitigateSeconds: times.toMitigateSeconds,
      timeToResolveSeconds: times.toResolveSeconds,
      // This SLO's own figure: an "also affected" SLO never shows the primary's.
      budgetConsumed: sloId === null ? null : (sloFigure(times, sloId)?.consumed ?? null),
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

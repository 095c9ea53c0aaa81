// Alerts fired in a period and how many of them an incident followed. An alert with
// no incident around it is counted as noise: somebody was paged or ticketed for
// something nobody had to handle.
import type { AlertSummary } from './report-data.ts';
import type { AlertRecord, IncidentRecord } from './report-inputs.ts';
import { inPeriod } from './in-period.ts';
import type { ReportPeriod } from './report-data.ts';

/** An incident opened this long before the alert fired (a person was quicker) still counts as following it… */
export const FOLLOW_BEFORE_SECONDS = 5 * 60;
/** …and so does one opened up to this long after the alert resolved (or after the period's end while it fires). */
export const FOLLOW_AFTER_SECONDS = 60 * 60;

/**
 * True when an incident affecting the alert's SLO (or, for incidents without an SLO, its service) was
 * open at some time between 5 minutes before the alert fired and 1 hour after it resolved: the
 * alert either led to an incident or fired about one already being handled. Otherwise it is noise.
 */
export function followedByIncident(
  alert: AlertRecord,
  incidents: readonly IncidentRecord[],
  serviceOf: (sloId: string) => string | undefined,
  periodEnd: string,
): boolean {
  const from = Date.parse(alert.firedAt) - FOLLOW_BEFORE_SECONDS * 1000;
  const to = Date.parse(alert.resolvedAt ?? periodEnd) + FOLLOW_AFTER_SECONDS * 1000;
  return incidents.some((incident) => {
    // Any affected SLO counts: a page on an "also affected" SLO is part of the incident, not noise.
    const sloIds = incident.slos?.length ? incident.slos.map((s) => s.sloId) : incident.sloId !== null ? [incident.sloId] : [];
    const sameTarget = sloIds.length > 0 ? sloIds.includes(alert.sloId) : incident.service === serviceOf(alert.sloId);
    const opened = Date.parse(incident.openedAt);
    const closed = incident.resolvedAt ? Date.parse(incident.resolvedAt) : Number.POSITIVE_INFINITY;
    return sameTarget && opened <= to && closed >= from;
  });
}

export function alertSummary(
  alerts: readonly AlertRecord[],
  incidents: readonly IncidentRecord[],
  serviceOf: (sloId: string) => string | undefined,
  period: ReportPeriod,
  previous: ReportPeriod,
): AlertSummary {
  const current = alerts
    .filter((a) => inPeriod(a.firedAt, period))
    .sort((a, b) => Date.parse(a.firedAt) - Date.parse(b.firedAt));
  const entries = current.map((a) => ({ ...a, followedByIncident: followedByIncident(a, incidents, serviceOf, period.end) }));
  const followed = entries.filter((e) => e.followedByIncident).length;
  const before = alerts.filter((a) => inPeriod(a.firedAt, previous));
  return {
    pages: current.filter((a) => a.severity === 'page').length,
    tickets: current.filter((a) => a.severity === 'ticket').length,
    followedByIncident: followed,
    noiseRatio: entries.length === 0 ? null : (entries.length - followed) / entries.length,
    previous: {
      pages: before.filter((a) => a.severity === 'page').length,
      tickets: before.filter((a) => a.severity === 'ticket').length,
    },
    alerts: entries,
  };
}

// Every incident read the console makes goes through this one module, so that the
// incident model can change underneath (one model, one repository) by re-pointing
// these few functions and nothing else in src/console.
import type { Db } from '../store/db.ts';
import { responseTimes, type ResponseTimes } from '../domain/incident-response-times.ts';
import { getIncident, getPostmortem, listIncidents, listTimeline } from '../incidents/incident-store.ts';
import type { Incident, TimelineEntry } from '../incidents/types.ts';

export type { Incident, TimelineEntry };

export interface IncidentFigures extends ResponseTimes {
  /** Budget at the start minus budget at the end (or now), as a fraction of the budget. */
  budgetConsumed: number | null;
}

export interface IncidentDetail {
  incident: Incident;
  figures: IncidentFigures;
  timeline: TimelineEntry[];
  postmortem: { markdown: string; renderedAt: Date } | undefined;
}

export function incidentFigures(i: Incident): IncidentFigures {
  const consumed = i.budgetAtStart !== null && i.budgetAtEnd !== null ? i.budgetAtStart - i.budgetAtEnd : null;
  return { ...responseTimes(i), budgetConsumed: consumed };
}

/** The most recent incidents, newest first. */
export async function recentIncidents(db: Db, limit = 200): Promise<Incident[]> {
  return listIncidents(db, { limit });
}

export async function incidentDetail(db: Db, id: number): Promise<IncidentDetail | undefined> {
  const incident = await getIncident(db, id);
  if (!incident) return undefined;
  const [timeline, postmortem] = await Promise.all([listTimeline(db, id), getPostmortem(db, id)]);
  return { incident, figures: incidentFigures(incident), timeline, postmortem };
}

/** Incidents of one SLO that overlap [from, to) (for its page's time axis). */
export async function incidentsOfSlo(db: Db, sloId: string, from: Date, to: Date): Promise<Incident[]> {
  const all = await listIncidents(db, { limit: 500 });
  return all.filter((i) => i.sloIds.includes(sloId) && i.openedAt < to && (i.resolvedAt === null || i.resolvedAt >= from));
}

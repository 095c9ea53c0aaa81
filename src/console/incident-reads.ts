// Every incident read the console makes goes through this one module, so that the
// incident model can change underneath (one model, one repository) by re-pointing
// these few functions and nothing else in src/console.
import type { Db } from '../store/db.ts';
import { readIncident, readIncidents } from '../incidents/incident-record.ts';
import { getPostmortem, listTimeline } from '../incidents/incident-store.ts';
import type { Incident, TimelineEntry } from '../incidents/types.ts';
import type { IncidentFigures } from '../lifecycle/incident-figures.ts';

export type { Incident, IncidentFigures, TimelineEntry };

export interface IncidentDetail {
  incident: Incident;
  /** The one function's figures (src/lifecycle/incident-figures.ts), as the post-mortem, report and API show them. */
  figures: IncidentFigures;
  timeline: TimelineEntry[];
  postmortem: { markdown: string; renderedAt: Date } | undefined;
}

/** The most recent incidents, newest first. */
export async function recentIncidents(db: Db, limit = 200): Promise<Incident[]> {
  return (await readIncidents(db, { limit })).map((r) => r.incident);
}

export async function incidentDetail(db: Db, id: number): Promise<IncidentDetail | undefined> {
  const record = await readIncident(db, id);
  if (!record) return undefined;
  const [timeline, postmortem] = await Promise.all([listTimeline(db, id), getPostmortem(db, id)]);
  return { incident: record.incident, figures: record.figures, timeline, postmortem };
}

/** Incidents of one SLO that overlap [from, to) (for its page's time axis). */
export async function incidentsOfSlo(db: Db, sloId: string, from: Date, to: Date): Promise<Incident[]> {
  const all = await recentIncidents(db, 500);
  return all.filter((i) => i.sloIds.includes(sloId) && i.openedAt < to && (i.resolvedAt === null || i.resolvedAt >= from));
}

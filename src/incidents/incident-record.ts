// An incident as every reader sees it: the stored row, its affected SLOs with their own
// budget figures, and the figures computed from them by the one function
// (src/lifecycle/incident-figures.ts). The post-mortem, the report, the API and the console
// read incidents through here.
import { type AffectedSloBudget, type IncidentFigures, incidentFigures } from '../lifecycle/incident-figures.ts';
import { incidentSlosFor } from '../store/repositories/incident-slos.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import { getIncident, type IncidentRow, listIncidents } from './incident-store.ts';

export interface IncidentWithFigures {
  incident: IncidentRow;
  slos: AffectedSloBudget[];
  figures: IncidentFigures;
}

function withFigures(incident: IncidentRow, slos: AffectedSloBudget[] | undefined): IncidentWithFigures {
  // An incident from before migration 050 without an SLO row: its SLO ids, figures unknown.
  const affected = slos ?? incident.sloIds.map((sloId) => ({ sloId, budgetAtStart: null, budgetAtEnd: null }));
  return { incident, slos: affected, figures: incidentFigures({ ...incident, slos: affected }) };
}

export async function readIncident(q: Queryable, id: number): Promise<IncidentWithFigures | undefined> {
  const incident = await getIncident(q, id);
  if (!incident) return undefined;
  return withFigures(incident, (await incidentSlosFor(q, [id])).get(id));
}

export async function readIncidents(q: Queryable, opts: { openOnly?: boolean; limit?: number } = {}): Promise<IncidentWithFigures[]> {
  const incidents = await listIncidents(q, opts);
  const slos = await incidentSlosFor(q, incidents.map((i) => i.id));
  return incidents.map((i) => withFigures(i, slos.get(i.id)));
}

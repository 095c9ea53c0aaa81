// The affected SLOs of each incident with their budget figures (migration 050), and the
// writes the evaluation cycle makes to open incidents. Portable SQL (PostgreSQL and SQLite):
// no jsonb operators, no arrays, times passed as parameters.
import type { AffectedSloBudget } from '../../lifecycle/incident-figures.ts';
import type { OpenIncident } from '../../lifecycle/incident-progress.ts';
import type { Queryable } from './queryable.ts';

/** Budget remaining of an SLO at `at`: its latest evaluation then, else its first one after. */
export async function budgetAt(q: Queryable, sloId: string, at: Date): Promise<number | null> {
  const before = await q.query<{ budget_remaining: number }>(
    `SELECT budget_remaining FROM evaluations WHERE slo_id = $1 AND evaluated_at <= $2 AND budget_remaining IS NOT NULL
     ORDER BY evaluated_at DESC LIMIT 1`,
    [sloId, at],
  );
  if (before.rows[0]) return Number(before.rows[0].budget_remaining);
  const after = await q.query<{ budget_remaining: number }>(
    `SELECT budget_remaining FROM evaluations WHERE slo_id = $1 AND evaluated_at > $2 AND budget_remaining IS NOT NULL
     ORDER BY evaluated_at LIMIT 1`,
    [sloId, at],
  );
  return after.rows[0] ? Number(after.rows[0].budget_remaining) : null;
}

/**
 * Adds an SLO to an incident (once) with its budget at the incident's impact start; `fallback`
 * (e.g. the budget when the alert fired) when the store has no evaluation of it yet.
 */
export async function addIncidentSlo(q: Queryable, incidentId: number, sloId: string, impactStart: Date, fallback: number | null = null): Promise<boolean> {
  const budget = (await budgetAt(q, sloId, impactStart)) ?? fallback;
  const { rows } = await q.query<{ n: number }>('SELECT COUNT(*) AS n FROM incident_slos WHERE incident_id = $1', [incidentId]);
  const { rowCount } = await q.query(
    `INSERT INTO incident_slos (incident_id, slo_id, position, budget_at_start, budget_at_end) VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (incident_id, slo_id) DO NOTHING`,
    [incidentId, sloId, Number(rows[0]?.n ?? 0), budget],
  );
  return rowCount === 1;
}

export async function setIncidentSloBudgetAtEnd(q: Queryable, incidentId: number, sloId: string, budget: number): Promise<void> {
  await q.query('UPDATE incident_slos SET budget_at_end = $3 WHERE incident_id = $1 AND slo_id = $2', [incidentId, sloId, budget]);
}

/** At resolution: each SLO's budget at `at` (its latest evaluation then) closes its figure. */
export async function closeIncidentSloBudgets(q: Queryable, incidentId: number, at: Date): Promise<void> {
  for (const s of await incidentSlosOf(q, incidentId)) {
    const budget = await budgetAt(q, s.sloId, at);
    if (budget !== null) await setIncidentSloBudgetAtEnd(q, incidentId, s.sloId, budget);
  }
}

export async function incidentSlosOf(q: Queryable, incidentId: number): Promise<AffectedSloBudget[]> {
  return (await incidentSlosFor(q, [incidentId])).get(incidentId) ?? [];
}

/** The affected SLOs of several incidents, the primary first. */
export async function incidentSlosFor(q: Queryable, incidentIds: readonly number[]): Promise<Map<number, AffectedSloBudget[]>> {
  const out = new Map<number, AffectedSloBudget[]>();
  if (incidentIds.length === 0) return out;
  for (let i = 0; i < incidentIds.length; i += 500) {
    const ids = incidentIds.slice(i, i + 500);
    const { rows } = await q.query<{ incident_id: string | number; slo_id: string; budget_at_start: number | null; budget_at_end: number | null }>(
      `SELECT incident_id, slo_id, budget_at_start, budget_at_end FROM incident_slos
       WHERE incident_id IN (${ids.map((_, k) => `$${k + 1}`).join(', ')}) ORDER BY incident_id, position`,
      [...ids],
    );
    for (const r of rows) {
      const id = Number(r.incident_id);
      const list = out.get(id) ?? [];
      list.push({
        sloId: r.slo_id,
        budgetAtStart: r.budget_at_start === null ? null : Number(r.budget_at_start),
        budgetAtEnd: r.budget_at_end === null ? null : Number(r.budget_at_end),
      });
      out.set(id, list);
    }
  }
  return out;
}

/** Incidents not yet resolved, with their SLOs: what the evaluation cycle advances. */
export async function openIncidentsWithSlos(q: Queryable): Promise<OpenIncident[]> {
  const { rows } = await q.query<{ id: string | number; phase: 'investigating' | 'mitigated'; detected_at: Date | null; opened_at: Date; slo_id: string }>(
    `SELECT i.id, i.phase, i.detected_at, i.opened_at, s.slo_id FROM incidents i JOIN incident_slos s ON s.incident_id = i.id
     WHERE i.phase <> 'resolved' ORDER BY i.id, s.position`,
  );
  const byId = new Map<number, OpenIncident & { sloIds: string[] }>();
  for (const r of rows) {
    const id = Number(r.id);
    const incident = byId.get(id) ?? { id, status: r.phase, detectedAt: new Date(r.detected_at ?? r.opened_at), sloIds: [] };
    incident.sloIds.push(r.slo_id);
    byId.set(id, incident);
  }
  return [...byId.values()];
}

/** Marks an investigating incident mitigated at `at` (false: it no longer was investigating). */
export async function markIncidentMitigated(q: Queryable, incidentId: number, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(`UPDATE incidents SET phase = 'mitigated', mitigated_at = $2 WHERE id = $1 AND phase = 'investigating'`, [incidentId, at]);
  return rowCount === 1;
}

/** A timeline entry written by burnwatch itself (once per dedup key). */
export async function addSystemTimelineEntry(q: Queryable, incidentId: number, entry: { at: Date; kind: string; text: string }, dedupKey: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO incident_timeline (incident_id, at, kind, actor, text, details, dedup_key) VALUES ($1, $2, $3, NULL, $4, NULL, $5)
     ON CONFLICT (dedup_key) DO NOTHING`,
    [incidentId, entry.at, entry.kind, entry.text, dedupKey],
  );
  return rowCount === 1;
}

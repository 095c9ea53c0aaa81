// The one repository of the incidents table (the service's base columns plus the details of
// migration 020: phase, people, times, channel), their timeline and post-mortems.
import type { Severity } from '../domain/slo.ts';
import { addIncidentSlo, closeIncidentSloBudgets } from '../store/repositories/incident-slos.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { Incident, IncidentSource, IncidentStatus, Person, TimelineEntry, TimelineKind } from './types.ts';

interface Row {
  id: string;
  key: string;
  title: string;
  severity: Severity;
  phase: IncidentStatus;
  source: IncidentSource;
  slo_ids: string[];
  alert_id: string | null;
  opened_at: Date;
  opened_by: Person | null;
  commander: Person | null;
  started_at: Date | null;
  detected_at: Date | null;
  acknowledged_at: Date | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
  resolution_summary: string | null;
  usergroup: string | null;
  channel_id: string | null;
  channel_name: string | null;
  budget_at_start: number | null;
  budget_at_end: number | null;
}

export interface IncidentRow extends Incident {
  channelAttempt: number;
  membersInvited: boolean;
}

const fromRow = (r: Row & { channel_attempt: number; members_invited: boolean }): IncidentRow => ({
  id: Number(r.id),
  key: r.key,
  title: r.title,
  severity: r.severity,
  status: r.phase,
  source: r.source,
  sloIds: r.slo_ids,
  alertId: r.alert_id === null ? null : Number(r.alert_id),
  openedAt: r.opened_at,
  openedBy: r.opened_by,
  commander: r.commander,
  startedAt: r.started_at ?? r.opened_at,
  detectedAt: r.detected_at ?? r.opened_at,
  acknowledgedAt: r.acknowledged_at,
  mitigatedAt: r.mitigated_at,
  resolvedAt: r.resolved_at,
  resolutionSummary: r.resolution_summary,
  usergroup: r.usergroup,
  channelId: r.channel_id,
  channelName: r.channel_name,
  budgetAtStart: r.budget_at_start,
  budgetAtEnd: r.budget_at_end,
  channelAttempt: r.channel_attempt,
  membersInvited: r.members_invited,
});

export interface NewIncident {
  key: string;
  title: string;
  severity: Severity;
  source: IncidentSource;
  sloIds: string[];
  alertId: number | null;
  openedAt: Date;
  openedBy: Person | null;
  startedAt: Date;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  usergroup: string | null;
  budgetAtStart: number | null;
}

/** Inserts the incident unless one with this key exists; `created` says which. */
export async function insertIncident(q: Queryable, i: NewIncident): Promise<{ incident: IncidentRow; created: boolean }> {
  const inserted = await q.query(
    `INSERT INTO incidents (key, slo_id, title, severity, status, source, opened_at, phase, slo_ids, alert_id, opened_by, commander,
       started_at, detected_at, acknowledged_at, usergroup, budget_at_start)
     VALUES ($1, $2, $3, $4, 'open', $5, $6, 'investigating', $7, $8, $9, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (key) DO NOTHING RETURNING *`,
    [
      i.key, i.sloIds[0] ?? null, i.title, i.severity, i.source, i.openedAt, JSON.stringify(i.sloIds), i.alertId,
      i.openedBy ? JSON.stringify(i.openedBy) : null, i.startedAt, i.detectedAt, i.acknowledgedAt, i.usergroup, i.budgetAtStart,
    ],
  );
  if (inserted.rows[0]) {
    const incident = fromRow(inserted.rows[0]);
    // Each affected SLO keeps its own budget figures, from the impact start on.
    for (const [n, sloId] of i.sloIds.entries()) await addIncidentSlo(q, incident.id, sloId, i.startedAt, n === 0 ? i.budgetAtStart : null);
    return { incident, created: true };
  }
  const { rows } = await q.query('SELECT * FROM incidents WHERE key = $1', [i.key]);
  return { incident: fromRow(rows[0]), created: false };
}

export async function getIncident(q: Queryable, id: number, forUpdate = false): Promise<IncidentRow | undefined> {
  const { rows } = await q.query(`SELECT * FROM incidents WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function incidentByChannel(q: Queryable, channelId: string): Promise<IncidentRow | undefined> {
  const { rows } = await q.query('SELECT * FROM incidents WHERE channel_id = $1', [channelId]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function listIncidents(q: Queryable, opts: { openOnly?: boolean; limit?: number } = {}): Promise<IncidentRow[]> {
  const { rows } = await q.query(
    `SELECT * FROM incidents WHERE ($1::boolean IS NOT TRUE OR phase <> 'resolved') ORDER BY opened_at DESC, id DESC LIMIT $2`,
    [opts.openOnly ?? false, opts.limit ?? 20],
  );
  return rows.map(fromRow);
}

/** Open incidents linked to an SLO (for automatic mitigation when its page tier resets). */
export async function openIncidentsForSlo(q: Queryable, sloId: string): Promise<IncidentRow[]> {
  // Open incidents are few; the SLO is matched here (no JSON operators in the portable subset).
  const { rows } = await q.query(`SELECT * FROM incidents WHERE phase <> 'resolved' ORDER BY id`);
  return rows.map(fromRow).filter((i) => i.sloIds.includes(sloId));
}

const COLUMNS: Partial<Record<keyof IncidentRow, string>> = {
  status: 'phase',
  commander: 'commander',
  acknowledgedAt: 'acknowledged_at',
  mitigatedAt: 'mitigated_at',
  resolvedAt: 'resolved_at',
  resolutionSummary: 'resolution_summary',
  channelId: 'channel_id',
  channelName: 'channel_name',
  channelAttempt: 'channel_attempt',
  membersInvited: 'members_invited',
  budgetAtEnd: 'budget_at_end',
  budgetAtStart: 'budget_at_start',
  sloIds: 'slo_ids',
};

export async function updateIncident(q: Queryable, id: number, changes: Partial<IncidentRow>): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [field, value] of Object.entries(changes)) {
    const column = COLUMNS[field as keyof IncidentRow];
    if (!column) throw new Error(`updateIncident: ${field} cannot be changed`);
    values.push(value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value);
    sets.push(`${column} = $${values.length}`);
    // Keep the service's open/resolved status in step with the phase.
    if (field === 'status') sets.push(`status = CASE WHEN $${values.length} = 'resolved' THEN 'resolved' ELSE 'open' END`);
  }
  if (sets.length === 0) return;
  await q.query(`UPDATE incidents SET ${sets.join(', ')} WHERE id = $1`, values);
  // Resolution closes each affected SLO's budget figure at its budget then.
  if (changes.status === 'resolved' && changes.resolvedAt) await closeIncidentSloBudgets(q, id, changes.resolvedAt);
}

/** Adds an SLO to an open incident ("also affected"), with its own budget from the impact start on. */
export async function addSloToIncident(q: Queryable, incident: IncidentRow, sloId: string): Promise<IncidentRow> {
  if (incident.sloIds.includes(sloId)) return incident;
  const sloIds = [...incident.sloIds, sloId];
  await updateIncident(q, incident.id, { sloIds });
  await addIncidentSlo(q, incident.id, sloId, incident.startedAt);
  return { ...incident, sloIds };
}

export async function addTimeline(q: Queryable, incidentId: number, entry: TimelineEntry, dedupKey?: string): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO incident_timeline (incident_id, at, kind, actor, text, details, dedup_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (dedup_key) DO NOTHING`,
    [incidentId, entry.at, entry.kind, entry.actor ? JSON.stringify(entry.actor) : null, entry.text, entry.details ? JSON.stringify(entry.details) : null, dedupKey ?? null],
  );
  return rowCount === 1;
}

export async function listTimeline(q: Queryable, incidentId: number): Promise<TimelineEntry[]> {
  const { rows } = await q.query<{ at: Date; kind: TimelineKind; actor: Person | null; text: string; details: TimelineEntry['details'] }>(
    'SELECT at, kind, actor, text, details FROM incident_timeline WHERE incident_id = $1 ORDER BY at, id',
    [incidentId],
  );
  return rows.map((r) => ({ at: r.at, kind: r.kind, actor: r.actor, text: r.text, details: r.details }));
}

export async function savePostmortem(q: Queryable, incidentId: number, markdown: string, at: Date): Promise<void> {
  await q.query(
    `INSERT INTO postmortems (incident_id, markdown, rendered_at) VALUES ($1, $2, $3)
     ON CONFLICT (incident_id) DO UPDATE SET markdown = EXCLUDED.markdown, rendered_at = EXCLUDED.rendered_at`,
    [incidentId, markdown, at],
  );
}

export async function getPostmortem(q: Queryable, incidentId: number): Promise<{ markdown: string; renderedAt: Date } | undefined> {
  const { rows } = await q.query<{ markdown: string; rendered_at: Date }>('SELECT markdown, rendered_at FROM postmortems WHERE incident_id = $1', [incidentId]);
  return rows[0] ? { markdown: rows[0].markdown, renderedAt: rows[0].rendered_at } : undefined;
}

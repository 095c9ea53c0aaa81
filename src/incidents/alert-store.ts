// Alert episodes (table slack_alerts, named when only Slack showed them), applied intents and
// the silences set from an episode.
import type { Severity } from '../domain/slo.ts';
import type { AlertRecord, AlertSnapshot, AlertState, Person, Silence } from './types.ts';
import type { Queryable } from '../store/repositories/queryable.ts';

interface Row {
  id: string;
  slo_id: string;
  severity: Severity;
  state: AlertState;
  channel: string;
  fired_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: Person | null;
  resolved_at: Date | null;
  incident_id: string | null;
  budget_at_firing: number | null;
  snapshot: AlertSnapshot & { evaluatedAt: string; suspectedChange?: { at: string } | null };
}

function reviveSnapshot(s: Row['snapshot']): AlertSnapshot {
  return {
    ...s,
    evaluatedAt: new Date(s.evaluatedAt),
    suspectedChange: s.suspectedChange ? { ...(s.suspectedChange as object), at: new Date(s.suspectedChange.at) } as AlertSnapshot['suspectedChange'] : null,
  };
}

const fromRow = (r: Row, silence: Silence | null): AlertRecord => ({
  id: Number(r.id),
  sloId: r.slo_id,
  severity: r.severity,
  state: r.state,
  channel: r.channel,
  firedAt: r.fired_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at,
  incidentId: r.incident_id === null ? null : Number(r.incident_id),
  budgetAtFiring: r.budget_at_firing,
  snapshot: reviveSnapshot(r.snapshot),
  silence,
});

export async function getAlert(q: Queryable, id: number, forUpdate = false): Promise<AlertRecord | undefined> {
  const { rows } = await q.query<Row>(`SELECT * FROM slack_alerts WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!rows[0]) return undefined;
  return fromRow(rows[0], await latestSilence(q, rows[0].slo_id));
}

export async function openAlert(q: Queryable, sloId: string, severity: Severity): Promise<AlertRecord | undefined> {
  const { rows } = await q.query<Row>(`SELECT * FROM slack_alerts WHERE slo_id = $1 AND severity = $2 AND state <> 'resolved' FOR UPDATE`, [sloId, severity]);
  if (!rows[0]) return undefined;
  return fromRow(rows[0], await latestSilence(q, sloId));
}

export async function openAlertsForSlo(q: Queryable, sloId: string): Promise<AlertRecord[]> {
  const { rows } = await q.query<Row>(`SELECT * FROM slack_alerts WHERE slo_id = $1 AND state <> 'resolved' ORDER BY id`, [sloId]);
  const silence = await latestSilence(q, sloId);
  return rows.map((r) => fromRow(r, silence));
}

/** Open episodes (of one SLO), oldest first. */
export async function listOpenAlerts(q: Queryable, sloId?: string): Promise<AlertRecord[]> {
  const { rows } = sloId
    ? await q.query<Row>(`SELECT * FROM slack_alerts WHERE state <> 'resolved' AND slo_id = $1 ORDER BY id`, [sloId])
    : await q.query<Row>(`SELECT * FROM slack_alerts WHERE state <> 'resolved' ORDER BY id`);
  const silences = new Map<string, Silence | null>();
  const out: AlertRecord[] = [];
  for (const r of rows) {
    if (!silences.has(r.slo_id)) silences.set(r.slo_id, await latestSilence(q, r.slo_id));
    out.push(fromRow(r, silences.get(r.slo_id) ?? null));
  }
  return out;
}

export async function insertAlert(
  q: Queryable,
  a: { sloId: string; severity: Severity; channel: string; firedAt: Date; budgetAtFiring: number | null; snapshot: AlertSnapshot },
): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO slack_alerts (slo_id, severity, state, channel, fired_at, budget_at_firing, snapshot)
     VALUES ($1, $2, 'firing', $3, $4, $5, $6) RETURNING id`,
    [a.sloId, a.severity, a.channel, a.firedAt, a.budgetAtFiring, JSON.stringify(a.snapshot)],
  );
  return Number(rows[0]!.id);
}

export async function updateAlert(
  q: Queryable,
  id: number,
  changes: Partial<Pick<AlertRecord, 'state' | 'acknowledgedAt' | 'acknowledgedBy' | 'resolvedAt' | 'incidentId' | 'snapshot'>>,
): Promise<void> {
  const columns: Record<string, string> = {
    state: 'state',
    acknowledgedAt: 'acknowledged_at',
    acknowledgedBy: 'acknowledged_by',
    resolvedAt: 'resolved_at',
    incidentId: 'incident_id',
    snapshot: 'snapshot',
  };
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [field, value] of Object.entries(changes)) {
    values.push(value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value);
    sets.push(`${columns[field]} = $${values.length}`);
  }
  if (sets.length) await q.query(`UPDATE slack_alerts SET ${sets.join(', ')} WHERE id = $1`, values);
}

/** Records an intent key; false when it was applied before (a retried delivery). */
export async function markIntentApplied(q: Queryable, key: string, at: Date): Promise<boolean> {
  const { rowCount } = await q.query('INSERT INTO slack_applied_intents (key, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [key, at]);
  return rowCount === 1;
}

export async function addSilence(
  q: Queryable,
  s: { sloId: string; alertId: number; at: Date; by: Person; until: Date | null },
): Promise<void> {
  await q.query('UPDATE silences SET lifted_at = $2 WHERE slo_id = $1 AND lifted_at IS NULL', [s.sloId, s.at]);
  await q.query(
    'INSERT INTO silences (slo_id, alert_id, created_at, created_by, until, until_resolved) VALUES ($1, $2, $3, $4, $5, $6)',
    [s.sloId, s.alertId, s.at, JSON.stringify(s.by), s.until, s.until === null],
  );
}

/** Lifts "until resolved" silences of an SLO (its alert resolved). */
export async function liftSilencesUntilResolved(q: Queryable, sloId: string, at: Date): Promise<void> {
  await q.query('UPDATE silences SET lifted_at = $2 WHERE slo_id = $1 AND until_resolved AND lifted_at IS NULL', [sloId, at]);
}

async function latestSilence(q: Queryable, sloId: string): Promise<Silence | null> {
  const { rows } = await q.query<{ until: Date | null; created_by: Person; created_at: Date }>(
    'SELECT until, created_by, created_at FROM silences WHERE slo_id = $1 AND lifted_at IS NULL ORDER BY id DESC LIMIT 1',
    [sloId],
  );
  return rows[0] ? { until: rows[0].until, by: rows[0].created_by, at: rows[0].created_at } : null;
}

/** Whether notifications about this SLO are silenced at `at`. */
export async function isSilenced(q: Queryable, sloId: string, at: Date): Promise<boolean> {
  const s = await latestSilence(q, sloId);
  return s !== null && (s.until === null || s.until > at);
}

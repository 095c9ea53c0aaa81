// Automatic remediations, one per page episode (see migration 101). Portable SQL: JSON as text,
// booleans as 0/1, ids and times from the application.
import { randomUUID } from 'node:crypto';
import type { Queryable } from './queryable.ts';

export type AutoState = 'pending' | 'cancelled' | 'running' | 'done' | 'failed' | 'skipped' | 'dry_run';

export interface AutoRemediationRow {
  id: string;
  episode: string;
  sloId: string;
  action: string;
  request: Record<string, unknown> | null;
  reason: string;
  dryRun: boolean;
  state: AutoState;
  createdAt: Date;
  dueAt: Date;
  decidedBy: string | null;
  finishedAt: Date | null;
  result: string | null;
}

interface Row {
  id: string;
  episode: string;
  slo_id: string;
  action: string;
  request: string;
  reason: string;
  dry_run: number;
  state: AutoState;
  created_at: Date;
  due_at: Date;
  decided_by: string | null;
  finished_at: Date | null;
  result: string | null;
}
const fromRow = (r: Row): AutoRemediationRow => ({
  id: r.id,
  episode: r.episode,
  sloId: r.slo_id,
  action: r.action,
  request: JSON.parse(r.request) as Record<string, unknown> | null,
  reason: r.reason,
  dryRun: Number(r.dry_run) === 1,
  state: r.state,
  createdAt: new Date(r.created_at),
  dueAt: new Date(r.due_at),
  decidedBy: r.decided_by,
  finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  result: r.result,
});

/** Records the decision for an episode unless one exists; the new row, or undefined. */
export async function recordAutoDecision(
  q: Queryable,
  d: { episode: string; sloId: string; action: string; request: unknown; reason: string; dryRun: boolean; state: AutoState; at: Date; dueAt: Date },
): Promise<AutoRemediationRow | undefined> {
  const { rows } = await q.query<Row>(
    `INSERT INTO auto_remediations (id, episode, slo_id, action, request, reason, dry_run, state, created_at, due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (episode) DO NOTHING RETURNING *`,
    [randomUUID(), d.episode, d.sloId, d.action, JSON.stringify(d.request ?? null), d.reason, d.dryRun ? 1 : 0, d.state, d.at, d.dueAt],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function hasAutoDecision(q: Queryable, episode: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM auto_remediations WHERE episode = $1', [episode]);
  return rows.length > 0;
}

export async function duePending(q: Queryable, now: Date): Promise<AutoRemediationRow[]> {
  const { rows } = await q.query<Row>("SELECT * FROM auto_remediations WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at, id", [now]);
  return rows.map(fromRow);
}

/** Moves a row from one state to another; the row when it was in `from`. */
export async function moveAuto(q: Queryable, id: string, from: AutoState, to: AutoState, extra: { by?: string; at?: Date; result?: string } = {}): Promise<AutoRemediationRow | undefined> {
  const { rows } = await q.query<Row>(
    `UPDATE auto_remediations SET state = $3, decided_by = COALESCE($4, decided_by), finished_at = COALESCE($5, finished_at), result = COALESCE($6, result)
     WHERE id = $1 AND state = $2 RETURNING *`,
    [id, from, to, extra.by ?? null, extra.at ?? null, extra.result ?? null],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function getAuto(q: Queryable, id: string): Promise<AutoRemediationRow | undefined> {
  const { rows } = await q.query<Row>('SELECT * FROM auto_remediations WHERE id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function listAuto(q: Queryable): Promise<AutoRemediationRow[]> {
  const { rows } = await q.query<Row>('SELECT * FROM auto_remediations ORDER BY created_at, id');
  return rows.map(fromRow);
}

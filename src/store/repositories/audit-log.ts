// Who did what, when, with what result.
import type { Queryable } from './queryable.ts';

export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  target?: string | null;
  result: string;
  details?: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

export async function recordAudit(q: Queryable, e: AuditEntry): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    'INSERT INTO audit_log (at, actor, action, target, result, details) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [e.at, e.actor, e.action, e.target ?? null, e.result, JSON.stringify(e.details ?? {})],
  );
  return Number(rows[0]!.id);
}

export async function listAudit(q: Queryable, opts: { since?: Date; limit?: number } = {}): Promise<StoredAuditEntry[]> {
  const { rows } = await q.query<{
    id: string;
    at: Date;
    actor: string;
    action: string;
    target: string | null;
    result: string;
    details: Record<string, unknown>;
  }>('SELECT * FROM audit_log WHERE at >= $1 ORDER BY at, id LIMIT $2', [opts.since ?? new Date(0), opts.limit ?? 1000]);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

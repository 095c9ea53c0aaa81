// Change events (deploys, model promotions) to correlate burns with.
import type { Queryable } from './queryable.ts';

export interface ChangeEvent {
  at: Date;
  kind: string;
  subject: string;
  summary: string;
  service?: string | null;
  actor?: string | null;
  labels?: Record<string, string>;
}

export interface StoredChangeEvent extends ChangeEvent {
  id: number;
  receivedAt: Date;
}

export async function insertChangeEvent(q: Queryable, e: ChangeEvent, receivedAt: Date): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO change_events (at, kind, subject, summary, service, actor, labels, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [e.at, e.kind, e.subject, e.summary, e.service ?? null, e.actor ?? null, JSON.stringify(e.labels ?? {}), receivedAt],
  );
  return Number(rows[0]!.id);
}

/** Changes in [from, to), oldest first; optionally of one service. */
export async function listChangeEvents(
  q: Queryable,
  range: { from: Date; to: Date; service?: string },
): Promise<StoredChangeEvent[]> {
  const { rows } = await q.query<{
    id: string;
    at: Date;
    kind: string;
    subject: string;
    summary: string;
    service: string | null;
    actor: string | null;
    labels: Record<string, string>;
    received_at: Date;
  }>(
    `SELECT * FROM change_events WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR service = $3) ORDER BY at, id`,
    [range.from, range.to, range.service ?? null],
  );
  return rows.map(({ received_at, id, ...r }) => ({ ...r, id: Number(id), receivedAt: received_at }));
}

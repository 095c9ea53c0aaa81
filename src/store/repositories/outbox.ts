// The notification outbox: written (in the deciding transaction) before anything is
// sent; delivered head-of-line per channel so a channel's messages arrive in order.
import { toDate } from '../db.ts';
import type { Queryable } from './queryable.ts';

export interface OutboxMessage {
  id: number;
  idempotencyKey: string;
  channel: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  failedAt: Date | null;
  lastError: string | null;
  result: Record<string, unknown> | null;
}

export interface NewOutboxMessage {
  idempotencyKey: string;
  channel: string;
  kind: string;
  payload: Record<string, unknown>;
  at: Date;
}

interface Row {
  id: string;
  idempotency_key: string;
  channel: string;
  kind: string;
  payload: Record<string, unknown>;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  delivered_at: Date | null;
  failed_at: Date | null;
  last_error: string | null;
  result: Record<string, unknown> | null;
}

const fromRow = (r: Row): OutboxMessage => ({
  id: Number(r.id),
  idempotencyKey: r.idempotency_key,
  channel: r.channel,
  kind: r.kind,
  payload: r.payload,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  failedAt: r.failed_at,
  lastError: r.last_error,
  result: r.result,
});

/** Adds a message unless one with the same idempotency key exists; true when added. */
export async function enqueue(q: Queryable, m: NewOutboxMessage): Promise<boolean> {
  const { rowCount } = await q.query(
    `INSERT INTO outbox (idempotency_key, channel, kind, payload, created_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
    [m.idempotencyKey, m.channel, m.kind, JSON.stringify(m.payload), m.at],
  );
  return rowCount === 1;
}

/** The oldest undelivered message of each channel, when its next attempt is due. */
export async function dueHeads(q: Queryable, now: Date): Promise<OutboxMessage[]> {
  const { rows } = await q.query<Row>(
    `SELECT * FROM (
       SELECT * FROM outbox WHERE id IN (
         SELECT min(id) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY channel)
     ) head WHERE next_attempt_at <= $1 ORDER BY id`,
    [now],
  );
  return rows.map(fromRow);
}

/** The oldest undelivered message of one channel, when its next attempt is due. */
export async function dueHeadOf(q: Queryable, channel: string, now: Date): Promise<OutboxMessage | undefined> {
  const { rows } = await q.query<Row>(
    `SELECT * FROM (
       SELECT * FROM outbox WHERE channel = $1 AND delivered_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 1
     ) head WHERE next_attempt_at <= $2`,
    [channel, now],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** When the next pending message becomes due (null: nothing pending). */
export async function nextDueAt(q: Queryable): Promise<Date | null> {
  const { rows } = await q.query<{ at: unknown }>(
    'SELECT min(next_attempt_at) AS at FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL',
  );
  return toDate(rows[0]?.at);
}

/** Records delivery; false if it was already recorded (another dispatcher got there first). */
export async function markDelivered(q: Queryable, id: number, at: Date, result?: Record<string, unknown>): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE outbox SET delivered_at = $2, attempts = attempts + 1, last_error = NULL, result = $3
     WHERE id = $1 AND delivered_at IS NULL`,
    [id, at, result ? JSON.stringify(result) : null],
  );
  return rowCount === 1;
}

export async function markRetry(q: Queryable, id: number, nextAttemptAt: Date, error: string): Promise<void> {
  await q.query('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1', [
    id,
    nextAttemptAt,
    error,
  ]);
}

/** A permanent failure: the message is kept for inspection and the channel moves on. */
export async function markFailed(q: Queryable, id: number, at: Date, error: string): Promise<void> {
  await q.query('UPDATE outbox SET attempts = attempts + 1, failed_at = $2, last_error = $3 WHERE id = $1', [id, at, error]);
}

/** Undelivered messages per channel (for /metrics). */
export async function pendingByChannel(q: Queryable): Promise<Map<string, number>> {
  const { rows } = await q.query<{ channel: string; n: number }>(
    'SELECT channel, count(*)::int AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY channel',
  );
  return new Map(rows.map((r) => [r.channel, r.n]));
}

export async function getByKey(q: Queryable, idempotencyKey: string): Promise<OutboxMessage | undefined> {
  const { rows } = await q.query<Row>('SELECT * FROM outbox WHERE idempotency_key = $1', [idempotencyKey]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function listOutbox(q: Queryable, limit = 100): Promise<OutboxMessage[]> {
  const { rows } = await q.query<Row>('SELECT * FROM outbox ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map(fromRow);
}

/** Deletes delivered or failed messages finished before `before`; pending ones are never pruned. */
export async function pruneOutbox(q: Queryable, before: Date): Promise<number> {
  const { rowCount } = await q.query(
    'DELETE FROM outbox WHERE (delivered_at IS NOT NULL AND delivered_at < $1) OR (failed_at IS NOT NULL AND failed_at < $1)',
    [before],
  );
  return rowCount ?? 0;
}

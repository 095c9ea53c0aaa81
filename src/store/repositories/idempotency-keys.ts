// Idempotency-Key of the lifecycle API (migration 051). Portable SQL.
import type { Queryable } from './queryable.ts';

export interface StoredAnswer {
  route: string;
  status: number;
  body: unknown;
}

/**
 * Claims `key` in the caller's transaction: true when this request is the first with it. A
 * concurrent request with the same key waits for this transaction (the primary key), then
 * finds the answer stored.
 */
export async function claimIdempotencyKey(q: Queryable, key: string, route: string, at: Date): Promise<boolean> {
  const { rowCount } = await q.query('INSERT INTO api_idempotency (key, route, at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING', [key, route, at]);
  return rowCount === 1;
}

export async function storeIdempotentAnswer(q: Queryable, key: string, status: number, body: unknown): Promise<void> {
  await q.query('UPDATE api_idempotency SET status = $2, body = $3 WHERE key = $1', [key, status, JSON.stringify(body)]);
}

export async function idempotentAnswer(q: Queryable, key: string): Promise<StoredAnswer | undefined> {
  const { rows } = await q.query<{ route: string; status: number | null; body: string | null }>('SELECT route, status, body FROM api_idempotency WHERE key = $1', [key]);
  const r = rows[0];
  if (!r || r.status === null || r.body === null) return undefined;
  return { route: r.route, status: Number(r.status), body: JSON.parse(r.body) };
}

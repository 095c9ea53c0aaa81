// Which signed requests were already accepted (replay protection shared by every replica).
// Portable SQL: ON CONFLICT … DO UPDATE … WHERE and RETURNING work on PostgreSQL and SQLite.
import type { Queryable } from './queryable.ts';

/**
 * Remembers `key` until `expiresAt`; true the first time (or once an earlier entry expired),
 * false while it is remembered: the request was seen before.
 */
export async function rememberRequest(q: Queryable, key: string, at: Date, expiresAt: Date): Promise<boolean> {
  const { rows } = await q.query<{ key: string }>(
    `INSERT INTO request_replays (key, seen_at, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at
     WHERE request_replays.expires_at < excluded.seen_at
     RETURNING key`,
    [key, at, expiresAt],
  );
  return rows.length === 1;
}

/** Whether `key` is remembered now (without remembering it). */
export async function isRemembered(q: Queryable, key: string, at: Date): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM request_replays WHERE key = $1 AND expires_at >= $2', [key, at]);
  return rows.length > 0;
}

export async function pruneRequestReplays(q: Queryable, at: Date): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM request_replays WHERE expires_at < $1', [at]);
  return rowCount ?? 0;
}

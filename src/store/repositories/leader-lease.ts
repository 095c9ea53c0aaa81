// The lease row behind leader election on a shared store (src/service/leader/
// postgres-lease-elector.ts). Every change is one conditional UPDATE, so two replicas
// racing for it are serialised by the row and exactly one wins. Times are passed in;
// expiry is never judged from them (each replica uses its own monotonic clock).
import type { Queryable } from './queryable.ts';

export interface LeaderLease {
  name: string;
  holder: string;
  token: number;
  version: number;
  holderSession: string;
  renewedAt: Date | null;
}

interface Row {
  name: string;
  holder: string;
  token: string;
  version: string;
  holder_session: string;
  renewed_at: Date | null;
}

const toLease = (r: Row): LeaderLease => ({
  name: r.name,
  holder: r.holder,
  token: Number(r.token),
  version: Number(r.version),
  holderSession: r.holder_session,
  renewedAt: r.renewed_at,
});

/** The lease, created empty (no holder) the first time it is asked for. */
export async function readLease(q: Queryable, name: string): Promise<LeaderLease> {
  // A plain read first: an INSERT … ON CONFLICT would wait on the row while a leader's write holds it.
  const select = () => q.query<Row>('SELECT name, holder, token, version, holder_session, renewed_at FROM leader_lease WHERE name = $1', [name]);
  let { rows } = await select();
  if (!rows[0]) {
    await q.query('INSERT INTO leader_lease (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
    ({ rows } = await select());
  }
  return toLease(rows[0]!);
}

/**
 * Takes the lease if it is still exactly as observed (same version): a new token. Returns the
 * lease now held, or undefined when someone else changed it first.
 */
export async function takeLease(
  q: Queryable,
  name: string,
  observedVersion: number,
  holder: string,
  session: string,
  at: Date,
): Promise<LeaderLease | undefined> {
  const { rows } = await q.query<Row>(
    `UPDATE leader_lease SET holder = $3, holder_session = $4, token = token + 1, version = version + 1, renewed_at = $5
      WHERE name = $1 AND version = $2
      RETURNING name, holder, token, version, holder_session, renewed_at`,
    [name, observedVersion, holder, session, at],
  );
  return rows[0] ? toLease(rows[0]) : undefined;
}

/** Renews the lease while it still carries our token; undefined when it was taken over. */
export async function renewLease(q: Queryable, name: string, holder: string, token: number, session: string, at: Date): Promise<LeaderLease | undefined> {
  const { rows } = await q.query<Row>(
    `UPDATE leader_lease SET version = version + 1, holder_session = $4, renewed_at = $5
      WHERE name = $1 AND holder = $2 AND token = $3
      RETURNING name, holder, token, version, holder_session, renewed_at`,
    [name, holder, token, session, at],
  );
  return rows[0] ? toLease(rows[0]) : undefined;
}

/** Gives the lease up (holder emptied) so a follower may take it at once. */
export async function releaseLease(q: Queryable, name: string, holder: string, token: number, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE leader_lease SET holder = '', holder_session = '', version = version + 1, renewed_at = $4
      WHERE name = $1 AND holder = $2 AND token = $3`,
    [name, holder, token, at],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * The fence of a leader's write: inside the writing transaction, touch the lease row only if
 * it still carries our token. The row stays locked until that transaction ends, so no takeover
 * can commit in between: everything the transaction writes happens under our token, before any
 * newer one. False: the lease was taken over, the transaction must not commit.
 */
export async function fenceLease(q: Queryable, name: string, holder: string, token: number): Promise<boolean> {
  const { rowCount } = await q.query('UPDATE leader_lease SET token = token WHERE name = $1 AND holder = $2 AND token = $3', [name, holder, token]);
  return (rowCount ?? 0) > 0;
}

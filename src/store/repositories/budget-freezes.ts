// Deploy freezes (error-budget policy) and their overrides. Portable SQL: no now(), ids and
// times passed in; ON CONFLICT on the partial unique index keeps one open freeze per pair.
import { randomUUID } from 'node:crypto';
import type { Queryable } from './queryable.ts';

export interface StoredFreeze {
  id: string;
  policy: string;
  sloId: string;
  startedAt: Date;
  startBudget: number | null;
  endedAt: Date | null;
  endBudget: number | null;
  threshold: number;
}

export interface StoredOverride {
  id: string;
  freezeId: string;
  actor: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
}

interface FreezeRow {
  id: string;
  policy: string;
  slo_id: string;
  started_at: Date;
  start_budget: number | null;
  ended_at: Date | null;
  end_budget: number | null;
  threshold: number;
}
const freezeOf = (r: FreezeRow): StoredFreeze => ({
  id: r.id,
  policy: r.policy,
  sloId: r.slo_id,
  startedAt: new Date(r.started_at),
  startBudget: r.start_budget,
  endedAt: r.ended_at === null ? null : new Date(r.ended_at),
  endBudget: r.end_budget,
  threshold: r.threshold,
});

/** Opens a freeze unless the pair already has an open one; the new freeze, or undefined. */
export async function startFreeze(q: Queryable, f: { policy: string; sloId: string; at: Date; budget: number | null; threshold: number }): Promise<StoredFreeze | undefined> {
  const { rows } = await q.query<FreezeRow>(
    `INSERT INTO budget_freezes (id, policy, slo_id, started_at, start_budget, threshold) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (policy, slo_id) WHERE ended_at IS NULL DO NOTHING RETURNING *`,
    [randomUUID(), f.policy, f.sloId, f.at, f.budget, f.threshold],
  );
  return rows[0] ? freezeOf(rows[0]) : undefined;
}

/** Ends an open freeze; the ended freeze, or undefined when it was not open any more. */
export async function endFreeze(q: Queryable, id: string, at: Date, budget: number | null): Promise<StoredFreeze | undefined> {
  const { rows } = await q.query<FreezeRow>('UPDATE budget_freezes SET ended_at = $2, end_budget = $3 WHERE id = $1 AND ended_at IS NULL RETURNING *', [id, at, budget]);
  return rows[0] ? freezeOf(rows[0]) : undefined;
}

export async function openFreezes(q: Queryable): Promise<StoredFreeze[]> {
  const { rows } = await q.query<FreezeRow>('SELECT * FROM budget_freezes WHERE ended_at IS NULL ORDER BY started_at, id');
  return rows.map(freezeOf);
}

/** Freezes that overlap [from, to): for the weekly report. */
export async function freezesBetween(q: Queryable, from: Date, to: Date): Promise<StoredFreeze[]> {
  const { rows } = await q.query<FreezeRow>(
    'SELECT * FROM budget_freezes WHERE started_at < $2 AND (ended_at IS NULL OR ended_at >= $1) ORDER BY started_at, id',
    [from, to],
  );
  return rows.map(freezeOf);
}

interface OverrideRow {
  id: string;
  freeze_id: string;
  actor: string;
  reason: string;
  created_at: Date;
  expires_at: Date;
}
const overrideOf = (r: OverrideRow): StoredOverride => ({
  id: r.id,
  freezeId: r.freeze_id,
  actor: r.actor,
  reason: r.reason,
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
});

export async function addOverride(q: Queryable, o: { freezeId: string; actor: string; reason: string; at: Date; expiresAt: Date }): Promise<StoredOverride> {
  const { rows } = await q.query<OverrideRow>(
    'INSERT INTO budget_overrides (id, freeze_id, actor, reason, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
    [randomUUID(), o.freezeId, o.actor, o.reason, o.at, o.expiresAt],
  );
  return overrideOf(rows[0]!);
}

/** The latest-expiring override of each open freeze still in force at `at`. */
export async function activeOverrides(q: Queryable, at: Date): Promise<StoredOverride[]> {
  const { rows } = await q.query<OverrideRow>(
    `SELECT o.* FROM budget_overrides o JOIN budget_freezes f ON f.id = o.freeze_id
     WHERE f.ended_at IS NULL AND o.expires_at > $1 ORDER BY o.expires_at`,
    [at],
  );
  const latest = new Map<string, StoredOverride>();
  for (const r of rows) latest.set(r.freeze_id, overrideOf(r));
  return [...latest.values()];
}

// Alert state per SLO and tier: what the state machine resumes from after a restart
// or a change of leader.
import { placeholders } from '../sql.ts';
import type { Queryable } from './queryable.ts';

export interface AlertStateRow {
  sloId: string;
  /** The tier's key (e.g. "page:1h/5m") or a pseudo-tier such as "no_data". */
  tier: string;
  state: string;
  since: Date;
  updatedAt: Date;
  details: Record<string, unknown>;
}

interface Row {
  slo_id: string;
  tier: string;
  state: string;
  since: Date;
  updated_at: Date;
  details: Record<string, unknown>;
}

const fromRow = (r: Row): AlertStateRow => ({
  sloId: r.slo_id,
  tier: r.tier,
  state: r.state,
  since: r.since,
  updatedAt: r.updated_at,
  details: r.details,
});

export async function loadAlertStates(q: Queryable, sloId?: string): Promise<AlertStateRow[]> {
  const { rows } = await q.query<Row>(
    'SELECT * FROM alert_state WHERE ($1::text IS NULL OR slo_id = $1) ORDER BY slo_id, tier',
    [sloId ?? null],
  );
  return rows.map(fromRow);
}

export async function saveAlertState(q: Queryable, s: AlertStateRow): Promise<void> {
  await q.query(
    `INSERT INTO alert_state (slo_id, tier, state, since, updated_at, details) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (slo_id, tier) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since,
       updated_at = EXCLUDED.updated_at, details = EXCLUDED.details`,
    [s.sloId, s.tier, s.state, s.since, s.updatedAt, JSON.stringify(s.details)],
  );
}

/** Forgets the state of SLOs that no longer exist. */
export async function deleteAlertStatesExcept(q: Queryable, keepSloIds: readonly string[]): Promise<number> {
  // No arrays in the portable subset: find the stale SLOs here, delete them by id.
  const keep = new Set(keepSloIds);
  const { rows } = await q.query<{ slo_id: string }>('SELECT DISTINCT slo_id FROM alert_state');
  const stale = rows.map((r) => r.slo_id).filter((id) => !keep.has(id));
  let deleted = 0;
  for (let i = 0; i < stale.length; i += 500) {
    const chunk = stale.slice(i, i + 500);
    const { rowCount } = await q.query(`DELETE FROM alert_state WHERE slo_id IN (${placeholders(chunk.length)})`, chunk);
    deleted += rowCount ?? 0;
  }
  return deleted;
}

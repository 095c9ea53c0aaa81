// Each evaluation's figures, for history, reports and the live /api/slos view.
import type { SloEvaluation, SloStatus, TierSignal } from '../../domain/evaluation.ts';
import type { Queryable } from './queryable.ts';

export interface StoredEvaluation {
  sloId: string;
  evaluatedAt: Date;
  status: SloStatus;
  objective: number;
  sli: number | null;
  budgetRemaining: number | null;
  timeToExhaustionSeconds: number | null;
  burnRates: Record<string, number | null>;
  tiers: TierSignal[];
  events: { bad: number; total: number } | null;
  error: string | null;
}

interface Row {
  slo_id: string;
  evaluated_at: Date;
  status: SloStatus;
  objective: number;
  sli: number | null;
  budget_remaining: number | null;
  time_to_exhaustion_seconds: number | null;
  burn_rates: Record<string, number | null>;
  tiers: TierSignal[];
  events_bad: number | null;
  events_total: number | null;
  error: string | null;
}

function fromRow(r: Row): StoredEvaluation {
  return {
    sloId: r.slo_id,
    evaluatedAt: r.evaluated_at,
    status: r.status,
    objective: r.objective,
    sli: r.sli,
    budgetRemaining: r.budget_remaining,
    timeToExhaustionSeconds: r.time_to_exhaustion_seconds,
    burnRates: r.burn_rates,
    tiers: r.tiers,
    events: r.events_bad === null || r.events_total === null ? null : { bad: r.events_bad, total: r.events_total },
    error: r.error,
  };
}

// jsonb cannot hold Infinity/NaN; a burn rate that is not finite is stored as null.
function finiteOrNull(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** Saves one evaluation; saving the same SLO at the same instant again replaces it. */
export async function saveEvaluation(q: Queryable, e: SloEvaluation): Promise<void> {
  const burnRates = Object.fromEntries(Object.entries(e.burnRates).map(([k, v]) => [k, finiteOrNull(v)]));
  const tiers = e.tiers.map((t) => ({ ...t, longBurnRate: finiteOrNull(t.longBurnRate), shortBurnRate: finiteOrNull(t.shortBurnRate) }));
  await q.query(
    `INSERT INTO evaluations (slo_id, evaluated_at, status, objective, sli, budget_remaining, time_to_exhaustion_seconds,
       burn_rates, tiers, events_bad, events_total, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (slo_id, evaluated_at) DO UPDATE SET status = EXCLUDED.status, objective = EXCLUDED.objective,
       sli = EXCLUDED.sli, budget_remaining = EXCLUDED.budget_remaining,
       time_to_exhaustion_seconds = EXCLUDED.time_to_exhaustion_seconds, burn_rates = EXCLUDED.burn_rates,
       tiers = EXCLUDED.tiers, events_bad = EXCLUDED.events_bad, events_total = EXCLUDED.events_total, error = EXCLUDED.error`,
    [
      e.id,
      new Date(e.evaluatedAt),
      e.status,
      e.objective,
      finiteOrNull(e.sli),
      finiteOrNull(e.errorBudgetRemaining),
      finiteOrNull(e.timeToExhaustionSeconds),
      JSON.stringify(burnRates),
      JSON.stringify(tiers),
      e.events ? e.events.bad : null,
      e.events ? e.events.total : null,
      e.error ?? null,
    ],
  );
}

/** Evaluations in [from, to), oldest first; optionally of one SLO. */
export async function listEvaluations(
  q: Queryable,
  range: { from: Date; to: Date; sloId?: string },
): Promise<StoredEvaluation[]> {
  const { rows } = await q.query<Row>(
    `SELECT * FROM evaluations WHERE evaluated_at >= $1 AND evaluated_at < $2 AND ($3::text IS NULL OR slo_id = $3)
     ORDER BY evaluated_at, slo_id`,
    [range.from, range.to, range.sloId ?? null],
  );
  return rows.map(fromRow);
}

/** The most recent evaluation of every SLO. */
export async function latestEvaluations(q: Queryable): Promise<StoredEvaluation[]> {
  const { rows } = await q.query<Row>(
    `SELECT e.* FROM evaluations e
     JOIN (SELECT slo_id, max(evaluated_at) AS latest FROM evaluations GROUP BY slo_id) l
       ON e.slo_id = l.slo_id AND e.evaluated_at = l.latest
     ORDER BY e.slo_id`,
  );
  return rows.map(fromRow);
}

/** Deletes evaluations older than `before` (retention); returns how many. */
export async function pruneEvaluations(q: Queryable, before: Date): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM evaluations WHERE evaluated_at < $1', [before]);
  return rowCount ?? 0;
}

/** The inverse of saveEvaluation: a stored row as the evaluator's type (the window is not stored). */
export function toSloEvaluation(e: StoredEvaluation, window = ''): SloEvaluation {
  return {
    id: e.sloId,
    objective: e.objective,
    window,
    status: e.status,
    evaluatedAt: e.evaluatedAt.toISOString(),
    sli: e.sli,
    errorBudgetRemaining: e.budgetRemaining,
    timeToExhaustionSeconds: e.timeToExhaustionSeconds,
    burnRates: e.burnRates,
    tiers: e.tiers,
    events: e.events,
    ...(e.error ? { error: e.error } : {}),
  };
}

/** The most recent evaluation of one SLO (the deploy gate reads it per request). */
export async function latestEvaluationOf(q: Queryable, sloId: string): Promise<StoredEvaluation | undefined> {
  const { rows } = await q.query<Row>('SELECT * FROM evaluations WHERE slo_id = $1 ORDER BY evaluated_at DESC LIMIT 1', [sloId]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

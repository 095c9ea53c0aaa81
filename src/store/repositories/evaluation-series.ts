// An SLO's stored evaluations over a range, downsampled by the database to at most
// `points` rows, for the console's charts: 28 days of one-minute evaluations are 40 320
// rows, a chart needs a few hundred. Portable SQL (window functions and CTEs: PostgreSQL
// and SQLite ≥ 3.25 alike); no JSON operators, so the pick is made on plain columns.
import type { SloStatus, TierSignal } from '../../domain/evaluation.ts';
import { listEvaluations, type StoredEvaluation } from './evaluations.ts';
import type { Queryable } from './queryable.ts';

export interface SeriesPoint {
  evaluatedAt: Date;
  status: SloStatus;
  sli: number | null;
  budgetRemaining: number | null;
  timeToExhaustionSeconds: number | null;
  burnRates: Record<string, number | null>;
  tiers: TierSignal[];
  events: { bad: number; total: number } | null;
}

interface Row {
  evaluated_at: Date | string;
  status: SloStatus;
  sli: number | null;
  budget_remaining: number | null;
  time_to_exhaustion_seconds: number | null;
  burn_rates: Record<string, number | null> | string;
  tiers: TierSignal[] | string;
  events_bad: number | null;
  events_total: number | null;
}

// An engine that hands JSON columns back as text (SQLite) is parsed here, once.
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/**
 * Evaluations of one SLO in [from, to), oldest first, cut into `points` equal runs
 * (NTILE) and one row kept per run: the worst one (page before ticket before the rest,
 * then the fastest burn: the shortest time to exhaustion), so a burn is never averaged
 * away. With fewer rows than `points` every row comes back.
 */
export async function evaluationSeries(
  q: Queryable,
  range: { sloId: string; from: Date; to: Date; points: number },
): Promise<SeriesPoint[]> {
  const { rows } = await q.query<Row>(
    `WITH bucketed AS (
       SELECT id, evaluated_at, status, time_to_exhaustion_seconds,
              NTILE($4) OVER (ORDER BY evaluated_at) AS bucket
       FROM evaluations
       WHERE slo_id = $1 AND evaluated_at >= $2 AND evaluated_at < $3
     ),
     picked AS (
       SELECT id, ROW_NUMBER() OVER (
                PARTITION BY bucket
                ORDER BY CASE status WHEN 'page' THEN 0 WHEN 'ticket' THEN 1 ELSE 2 END,
                         CASE WHEN time_to_exhaustion_seconds IS NULL THEN 1 ELSE 0 END,
                         time_to_exhaustion_seconds,
                         evaluated_at DESC) AS pick
       FROM bucketed
     )
     SELECT e.evaluated_at, e.status, e.sli, e.budget_remaining, e.time_to_exhaustion_seconds,
            e.burn_rates, e.tiers, e.events_bad, e.events_total
     FROM evaluations e JOIN picked p ON p.id = e.id
     WHERE p.pick = 1
     ORDER BY e.evaluated_at`,
    [range.sloId, range.from, range.to, Math.max(1, Math.floor(range.points))],
  );
  return rows.map((r) => ({
    evaluatedAt: new Date(r.evaluated_at),
    status: r.status,
    sli: r.sli,
    budgetRemaining: r.budget_remaining,
    timeToExhaustionSeconds: r.time_to_exhaustion_seconds,
    burnRates: json(r.burn_rates),
    tiers: json(r.tiers),
    events: r.events_bad === null || r.events_total === null ? null : { bad: r.events_bad, total: r.events_total },
  }));
}

/** The most recent evaluation of one SLO (the overview's latestEvaluations, for one). */
export async function latestEvaluationOf(q: Queryable, sloId: string): Promise<StoredEvaluation | undefined> {
  const { rows } = await q.query<{ evaluated_at: Date | string }>(
    'SELECT evaluated_at FROM evaluations WHERE slo_id = $1 ORDER BY evaluated_at DESC LIMIT 1',
    [sloId],
  );
  if (!rows[0]) return undefined;
  const at = new Date(rows[0].evaluated_at);
  return (await listEvaluations(q, { from: at, to: new Date(at.getTime() + 1), sloId }))[0];
}

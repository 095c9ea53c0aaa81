// Stored evaluations (the service's `evaluations` table, written every cycle): the
// rolling-window figures and the budget burn-down come from here when they exist.
import { listEvaluations, type StoredEvaluation, toSloEvaluation } from '../../store/repositories/evaluations.ts';
import type { Queryable } from '../../store/repositories/queryable.ts';

export type { StoredEvaluation };
/** For replaying stored evaluations through the alerting state machine. */
export { toSloEvaluation };

export async function loadEvaluations(q: Queryable, from: Date, to: Date): Promise<StoredEvaluation[]> {
  return listEvaluations(q, { from, to });
}

/** The last evaluation with event counts at or before `at`, no older than `maxAgeSeconds`. */
export function evaluationAt(
  history: readonly StoredEvaluation[],
  at: Date,
  maxAgeSeconds: number,
): StoredEvaluation | undefined {
  const t = at.getTime();
  let best: StoredEvaluation | undefined;
  for (const e of history) {
    const et = e.evaluatedAt.getTime();
    if (et <= t && t - et <= maxAgeSeconds * 1000 && e.events && (!best || et > best.evaluatedAt.getTime())) best = e;
  }
  return best;
}

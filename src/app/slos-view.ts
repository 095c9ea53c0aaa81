// GET /api/slos: the `check --format json` document, live — built from the latest
// stored evaluation of every loaded SLO (so any replica answers, not only the leader).
import type { SloEvaluation } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';
import { checkJson } from '../evaluator/check-json.ts';
import { resolveSlo } from '../evaluator/group-instances.ts';
import type { Db } from '../store/db.ts';
import { latestEvaluations, type StoredEvaluation, toSloEvaluation } from '../store/repositories/evaluations.ts';

/** A stored evaluation as the evaluator's type (an SLO never evaluated: unknown). */
export function toEvaluation(slo: Slo, e: StoredEvaluation | undefined): SloEvaluation {
  if (!e) {
    return {
      id: slo.id,
      // As the evaluator reports it: the percent as written (99.9).
      objective: slo.objectivePercent,
      window: slo.window,
      status: 'unknown',
      evaluatedAt: new Date(0).toISOString(),
      sli: null,
      errorBudgetRemaining: null,
      timeToExhaustionSeconds: null,
      burnRates: {},
      tiers: [],
      events: null,
      error: 'not evaluated yet',
    };
  }
  return toSloEvaluation(e, slo.window);
}

export async function slosView(db: Db, defined: readonly Slo[], problems: readonly string[]): Promise<Record<string, unknown>> {
  const stored = new Map((await latestEvaluations(db)).map((e) => [e.sloId, e]));
  // A grouped SLO is shown as its instances (one per label value) that have been evaluated.
  const slos = defined.flatMap((slo) => {
    if (!slo.groupBy) return [slo];
    const instances = [...stored.keys()].filter((id) => id.startsWith(`${slo.id}[`)).sort();
    return instances.length === 0 ? [slo] : instances.flatMap((id) => resolveSlo(defined, id) ?? []);
  });
  const evaluations = slos.map((slo) => toEvaluation(slo, stored.get(slo.id)));
  const newest = Math.max(0, ...evaluations.map((e) => Date.parse(e.evaluatedAt)));
  const doc = checkJson(new Date(newest), evaluations, slos) as { evaluatedAt: string; slos: Array<Record<string, unknown>> };
  return {
    ...doc,
    // Each SLO runs at its own interval: say when each figure is from.
    slos: doc.slos.map((s, i) => ({ ...s, evaluatedAt: stored.has(slos[i]!.id) ? evaluations[i]!.evaluatedAt : null })),
    problems,
  };
}

// The JSON document of a set of evaluations, as `burnwatch check --format json` prints it and
// GET /api/slos serves it (src/app/slos-view.ts): one shape for machines, wherever they read it.
import type { SloEvaluation } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';

/** The JSON `check --format json` prints (see README). */
export function checkJson(evaluatedAt: Date, evaluations: readonly SloEvaluation[], slos: readonly Slo[]): unknown {
  const byId = new Map(slos.map((s) => [s.id, s]));
  return {
    evaluatedAt: evaluatedAt.toISOString(),
    slos: evaluations.map((e) => {
      const slo = byId.get(e.id);
      return {
        id: e.id,
        ...(slo && { kind: slo.indicator.kind, source: slo.source }),
        objective: e.objective,
        window: e.window,
        status: e.status,
        sli: e.sli,
        errorBudgetRemaining: e.errorBudgetRemaining,
        timeToExhaustionSeconds: e.timeToExhaustionSeconds,
        burnRates: e.burnRates,
        tiers: e.tiers,
        events: e.events,
        ...(e.error !== undefined && { error: e.error }),
      };
    }),
  };
}

// SLO evaluations for Slack tests, run through the real alerting state machine so the
// intents are the ones production sends.
import { advanceAlerts, type AlertingState, type AlertIntent, emptyAlertingState } from '../../src/alerting/state-machine.ts';
import type { SloEvaluation } from '../../src/domain/evaluation.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { makeSlo } from '../fixtures/slo.ts';

export function rankerSlo(): Slo {
  const slo = makeSlo({
    id: 'ranker/latency',
    objectivePercent: 99.9,
    window: '30d',
    indicator: { kind: 'latency', source: 'prom', metric: 'ranker_request_duration_seconds', selector: 'route="/rank"', thresholdSeconds: 0.15 },
  });
  return { ...slo, owner: 'recs-serving', alerting: { ...slo.alerting, channel: '#recs-oncall', runbook: 'playbooks/ranking-latency.md' } };
}

/** Burn rates per tier (long, short) → an evaluation at `at`. */
export function evaluationAt(slo: Slo, at: Date, burns: Array<[number, number]>, budgetRemaining: number): SloEvaluation {
  const tiers = slo.alerting.tiers.map((t, i) => {
    const [long, short] = burns[i] ?? [0, 0];
    return { severity: t.severity, long: t.long, short: t.short, factor: t.factor, longBurnRate: long, shortBurnRate: short, firing: long > t.factor && short > t.factor };
  });
  const status = tiers.some((t) => t.firing && t.severity === 'page') ? 'page' : tiers.some((t) => t.firing) ? 'ticket' : 'ok';
  return {
    id: slo.id,
    objective: slo.objective,
    window: slo.window,
    status,
    evaluatedAt: at.toISOString(),
    sli: 1 - (1 - budgetRemaining) * (1 - slo.objective),
    errorBudgetRemaining: budgetRemaining,
    timeToExhaustionSeconds: tiers[0]!.longBurnRate! > 0 ? (budgetRemaining * slo.windowSeconds) / tiers[0]!.longBurnRate! : null,
    // Each tier's windows with its burn rates (the shortest, e.g. 5m, says whether the burn stopped).
    burnRates: Object.fromEntries(tiers.flatMap((t) => [[t.long, t.longBurnRate], [t.short, t.shortBurnRate]])),
    tiers,
    events: { bad: 10, total: 1000 },
  };
}

export class AlertFeed {
  state: AlertingState = emptyAlertingState();
  step(evaluation: SloEvaluation): AlertIntent[] {
    const result = advanceAlerts(this.state, [evaluation]);
    this.state = result.state;
    return result.intents;
  }
}

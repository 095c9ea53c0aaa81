// An error-budget policy (`kind: BudgetPolicy`): when an SLO's budget falls below a threshold,
// deploys of it freeze (its gate fails) until the budget recovers, except for fixes and under
// an audited override.
import type { Slo } from './slo.ts';

export interface BudgetPolicy {
  name: string;
  /** SLO ids the policy covers, and services whose every SLO it covers. */
  slos: string[];
  services: string[];
  /** Freeze while the budget remaining (a fraction, 1 = untouched, ≤ 0 = exhausted) is at or below this. */
  freezeBelow: number;
  /** Changes labelled as fixes (`change=fix`) still pass a freeze. */
  allowFixes: boolean;
  /** Who may override a freeze (empty: anyone who holds the API token); how long an override lasts at most. */
  override: { approvers: string[]; maxSeconds: number };
  /** Where the freeze and its end are posted (default: the SLO's alert channel). */
  channel?: string;
  origin: { file: string; line: number };
}

export function policyCovers(policy: BudgetPolicy, slo: Pick<Slo, 'id' | 'service'>): boolean {
  return policy.slos.includes(slo.id) || policy.services.includes(slo.service);
}

/** Whether a budget calls for a freeze; undefined when it is not known (no change then). */
export function budgetFreezes(policy: BudgetPolicy, budgetRemaining: number | null | undefined): boolean | undefined {
  if (budgetRemaining === null || budgetRemaining === undefined || !Number.isFinite(budgetRemaining)) return undefined;
  return budgetRemaining <= policy.freezeBelow;
}

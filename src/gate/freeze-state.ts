// Error-budget freezes, decided purely: which (policy, SLO) pairs should be frozen given the
// latest evaluations, and which freezes start or end. An evaluation that is stale, unknown or
// has no budget figure changes nothing: a source outage neither starts nor ends a freeze.
import { type BudgetPolicy, budgetFreezes, policyCovers } from '../domain/budget-policy.ts';
import type { Slo } from '../domain/slo.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import type { StoredFreeze, StoredOverride } from '../store/repositories/budget-freezes.ts';
import type { GateFreeze } from './gate-decision.ts';

export interface FreezeTarget {
  policy: BudgetPolicy;
  slo: Slo;
}

export function freezeTargets(policies: readonly BudgetPolicy[], slos: readonly Slo[]): FreezeTarget[] {
  return policies.flatMap((policy) => slos.filter((slo) => policyCovers(policy, slo)).map((slo) => ({ policy, slo })));
}

export type FreezeChange =
  | { kind: 'start'; target: FreezeTarget; budget: number; evaluatedAt: Date }
  | { kind: 'end'; freeze: StoredFreeze; target: FreezeTarget | undefined; budget: number | null; evaluatedAt: Date | null };

const pairKey = (policy: string, slo: string) => `${policy}\u0000${slo}`;

/** Whether the latest evaluation says the pair should be frozen; undefined when it cannot say. */
export function wantsFreeze(t: FreezeTarget, e: StoredEvaluation | undefined, trusted: (e: StoredEvaluation, slo: Slo) => boolean): boolean | undefined {
  if (!e || e.status === 'unknown' || e.status === 'error' || !trusted(e, t.slo)) return undefined;
  return budgetFreezes(t.policy, e.budgetRemaining);
}

export function freezeChanges(
  targets: readonly FreezeTarget[],
  latest: ReadonlyMap<string, StoredEvaluation>,
  open: readonly StoredFreeze[],
  trusted: (e: StoredEvaluation, slo: Slo) => boolean,
): FreezeChange[] {
  const openByPair = new Map(open.map((f) => [pairKey(f.policy, f.sloId), f]));
  const changes: FreezeChange[] = [];
  const covered = new Set<string>();
  for (const t of targets) {
    const key = pairKey(t.policy.name, t.slo.id);
    covered.add(key);
    const e = latest.get(t.slo.id);
    const want = wantsFreeze(t, e, trusted);
    const current = openByPair.get(key);
    if (want === true && !current) changes.push({ kind: 'start', target: t, budget: e!.budgetRemaining!, evaluatedAt: e!.evaluatedAt });
    else if (want === false && current) changes.push({ kind: 'end', freeze: current, target: t, budget: e!.budgetRemaining, evaluatedAt: e!.evaluatedAt });
  }
  // A policy (or SLO) that is gone no longer freezes anything.
  for (const f of open) if (!covered.has(pairKey(f.policy, f.sloId))) changes.push({ kind: 'end', freeze: f, target: undefined, budget: null, evaluatedAt: null });
  return changes;
}

const pct = (f: number | null) => (f === null ? 'unknown' : `${Number((f * 100).toFixed(1))}%`);

/**
 * The freezes the gate applies now: the latest evaluation decides at once (the monitor that
 * writes freezes may not have run yet); when it cannot (stale, unknown), a stored open freeze holds.
 */
export function gateFreezes(
  targets: readonly FreezeTarget[],
  latest: ReadonlyMap<string, StoredEvaluation>,
  open: readonly StoredFreeze[],
  overrides: readonly StoredOverride[],
  trusted: (e: StoredEvaluation, slo: Slo) => boolean,
): Map<string, GateFreeze> {
  const openByPair = new Map(open.map((f) => [pairKey(f.policy, f.sloId), f]));
  const overrideOf = new Map(overrides.map((o) => [o.freezeId, o]));
  const out = new Map<string, GateFreeze>();
  for (const t of targets) {
    if (out.has(t.slo.id)) continue;
    const e = latest.get(t.slo.id);
    const stored = openByPair.get(pairKey(t.policy.name, t.slo.id));
    const frozen = wantsFreeze(t, e, trusted) ?? stored !== undefined;
    if (!frozen) continue;
    const budget = e?.budgetRemaining ?? stored?.startBudget ?? null;
    const o = stored ? overrideOf.get(stored.id) : undefined;
    out.set(t.slo.id, {
      policy: t.policy.name,
      reason: `${pct(budget)} of the error budget left, freezes at or below ${pct(t.policy.freezeBelow)}`,
      since: stored?.startedAt ?? e?.evaluatedAt ?? new Date(0),
      allowFixes: t.policy.allowFixes,
      ...(o && { override: { actor: o.actor, reason: o.reason, until: o.expiresAt } }),
    });
  }
  return out;
}

export function freezeStartedText(t: FreezeTarget, budget: number): string {
  const fixes = t.policy.allowFixes ? ' Changes labelled as fixes (`change=fix`) still pass.' : '';
  return `:no_entry: *Deploy freeze* for *${t.slo.id}*: ${pct(budget)} of its error budget is left (policy \`${t.policy.name}\` freezes at or below ${pct(t.policy.freezeBelow)}). Its deploy gate fails until the budget recovers.${fixes} An authorized person may override it (*Override freeze…* in Slack, or \`POST /api/gate/overrides\`).`;
}

export function freezeEndedText(f: StoredFreeze, budget: number | null, at: Date, why: 'recovered' | 'removed'): string {
  const hours = Math.round(((at.getTime() - f.startedAt.getTime()) / 3_600_000) * 10) / 10;
  return why === 'recovered'
    ? `:white_check_mark: *Deploy freeze over* for *${f.sloId}*: ${pct(budget)} of its error budget is left again (policy \`${f.policy}\`; frozen for ${hours} h since ${f.startedAt.toISOString()}).`
    : `:white_check_mark: *Deploy freeze over* for *${f.sloId}*: policy \`${f.policy}\` no longer covers it (frozen for ${hours} h).`;
}

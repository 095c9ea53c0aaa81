// When burnwatch may act on a page by itself (`remediation.auto`). Pure: the facts in, a decision
// and its reason out. The guards, in order: at most once per page episode; never while a person
// holds a deploy-freeze override (they are deploying by hand); a rollback only when a deploy of
// the target is the suspected change, within `withinDeploy` before the burn; never when the plan
// is a no-op or the target is paused. The action then runs the same plan → execute → verify →
// audit path as a click, after a delay in which an authorized person may cancel it.
import type { AutoRemediationPolicy } from '../domain/slo.ts';
import type { ActionRequest, Plan } from './plan.ts';
import type { SuspectedChange } from './suspected-change.ts';

export interface AutoFacts {
  policy: AutoRemediationPolicy;
  /** The page episode: its SLO, tier and when it fired (and when the burn began, if known). */
  page: { sloId: string; tier: string; firedAt: Date; burnStart?: Date };
  /** Something was already decided for this episode (acted, cancelled, skipped). */
  alreadyDecided: boolean;
  freezeOverridden: boolean;
  /** For rollback: the suspected changes, closest first (findSuspectedChanges). */
  suspects: readonly SuspectedChange[];
  /** For rerun: the request to make. */
  rerun?: ActionRequest;
}

export type AutoDecision =
  | { act: true; request: ActionRequest; reason: string; delaySeconds: number; dryRun: boolean }
  | { act: false; reason: string };

export function decideAutoRemediation(f: AutoFacts): AutoDecision {
  if (f.alreadyDecided) return { act: false, reason: 'already decided for this page (at most once per incident)' };
  if (f.freezeOverridden) return { act: false, reason: 'a deploy-freeze override is active: a person is deploying by hand' };
  const withinMinutes = Math.round(f.policy.afterDeploySeconds / 60);
  if (f.policy.action === 'rollback') {
    const deploy = f.suspects.find((s) => s.source === 'revision' && s.rollback && s.minutesBefore * 60 <= f.policy.afterDeploySeconds);
    if (!deploy?.rollback) return { act: false, reason: `no deploy of the target within ${withinMinutes} min before the burn is the suspected change` };
    return { act: true, request: deploy.rollback, delaySeconds: f.policy.delaySeconds, dryRun: f.policy.dryRun, reason: `${deploy.summary} ${deploy.minutesBefore} min before the burn` };
  }
  if (!f.rerun) return { act: false, reason: 'no re-run target' };
  return { act: true, request: f.rerun, delaySeconds: f.policy.delaySeconds, dryRun: f.policy.dryRun, reason: `the page of ${f.page.sloId} (${f.page.tier})` };
}

/** After planning: a plan that changes nothing, or a paused target, stops the automatic action. */
export function planStops(plan: Plan | undefined, error: { code: string; message: string } | undefined): string | undefined {
  if (error?.code === 'paused') return `the target is paused: ${error.message}`;
  if (error) return `planning failed: ${error.message}`;
  if (plan?.noop) return `the plan is a no-op: ${plan.noop}`;
  if (plan?.change && (plan.change as { paused?: boolean }).paused) return 'the target is paused';
  return undefined;
}

/** A page tier of one SLO as the alert state holds it (a resolved tier keeps when it fired). */
export interface PageTier {
  tier: string;
  firing: boolean;
  firedAt: Date;
  resolvedAt: Date | null;
}

/**
 * The SLO's current page episode: from when a page tier began firing until none fires. Tiers that
 * fire together or overlap (1h/5m, then 6h/30m as the burn goes on) are one episode, one incident,
 * so one decision; a tier that resolved while a later one kept firing still dates the episode.
 * Undefined when no page tier fires. `tier` is the one that fired first.
 */
export function pageEpisode(tiers: readonly PageTier[]): { since: Date; tier: string } | undefined {
  const firing = tiers.filter((t) => t.firing).sort((a, b) => a.firedAt.getTime() - b.firedAt.getTime());
  if (firing.length === 0) return undefined;
  let first = firing[0]!;
  for (let moved = true; moved; ) {
    moved = false;
    for (const t of tiers) {
      if (!t.firing && t.resolvedAt && t.resolvedAt >= first.firedAt && t.firedAt < first.firedAt) {
        first = t;
        moved = true;
      }
    }
  }
  return { since: first.firedAt, tier: first.tier };
}

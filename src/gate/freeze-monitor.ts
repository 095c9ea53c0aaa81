// Writes freezes as they start and end (the leader, after evaluations land): each change in one
// transaction with its audit entry and its notifications, so a freeze is announced exactly once.
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { activeOverrides, endFreeze, openFreezes, startFreeze } from '../store/repositories/budget-freezes.ts';
import { latestEvaluationOf, latestEvaluations, type StoredEvaluation } from '../store/repositories/evaluations.ts';
import { enqueue } from '../store/repositories/outbox.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { GateFreeze } from './gate-decision.ts';
import { freezeChanges, freezeEndedText, freezeStartedText, freezeTargets, gateFreezes } from './freeze-state.ts';

export interface FreezeDeps {
  db: Db;
  clock: Clock;
  policies: () => readonly BudgetPolicy[];
  slos: () => readonly Slo[];
  /** Whether an evaluation is fresh enough to act on. */
  trusted: (e: StoredEvaluation, slo: Slo) => boolean;
  /** Where a freeze of this SLO under this policy is announced (outbox channels). */
  channels: (slo: Slo | undefined, policy: BudgetPolicy | undefined) => string[];
}

const byId = (evaluations: StoredEvaluation[]) => new Map(evaluations.map((e) => [e.sloId, e]));

/** Starts and ends freezes; returns how many notifications were enqueued. */
export async function reconcileFreezes(deps: FreezeDeps): Promise<number> {
  const policies = deps.policies();
  const slos = deps.slos();
  const open = await openFreezes(deps.db);
  if (policies.length === 0 && open.length === 0) return 0;
  const changes = freezeChanges(freezeTargets(policies, slos), byId(await latestEvaluations(deps.db)), open, deps.trusted);
  let enqueued = 0;
  for (const c of changes) {
    const now = deps.clock.now();
    enqueued += await withTransaction(deps.db, async (tx) => {
      if (c.kind === 'start') {
        const f = await startFreeze(tx, { policy: c.target.policy.name, sloId: c.target.slo.id, at: now, budget: c.budget, threshold: c.target.policy.freezeBelow });
        if (!f) return 0; // another replica (an old leader) got there first
        await recordAudit(tx, { at: now, actor: 'burnwatch', action: 'budget.freeze.start', target: f.sloId, result: 'ok', details: { policy: f.policy, freezeId: f.id, budget: c.budget } });
        return announce(tx, deps.channels(c.target.slo, c.target.policy), `budget.freeze.started:${f.id}`, 'budget.freeze.started', {
          slo: f.sloId, policy: f.policy, freezeId: f.id, budgetRemaining: c.budget, startedAt: now.toISOString(), ...(c.target.policy.channel && { channel: c.target.policy.channel }),
          text: freezeStartedText(c.target, c.budget),
        }, now);
      }
      const f = await endFreeze(tx, c.freeze.id, now, c.budget);
      if (!f) return 0;
      const why = c.target ? 'recovered' : 'removed';
      await recordAudit(tx, { at: now, actor: 'burnwatch', action: 'budget.freeze.end', target: f.sloId, result: 'ok', details: { policy: f.policy, freezeId: f.id, budget: c.budget, why } });
      const slo = slos.find((s) => s.id === f.sloId);
      return announce(tx, deps.channels(slo, c.target?.policy), `budget.freeze.ended:${f.id}`, 'budget.freeze.ended', {
        slo: f.sloId, policy: f.policy, freezeId: f.id, budgetRemaining: c.budget, startedAt: f.startedAt.toISOString(), endedAt: now.toISOString(), ...(c.target?.policy.channel && { channel: c.target.policy.channel }),
        text: freezeEndedText(f, c.budget, now, why),
      }, now);
    });
  }
  return enqueued;
}

async function announce(tx: Queryable, channels: string[], key: string, kind: string, payload: Record<string, unknown>, at: Date): Promise<number> {
  let n = 0;
  for (const channel of channels) if (await enqueue(tx, { idempotencyKey: `${key}:${channel}`, channel, kind, payload, at })) n++;
  return n;
}

/** The freezes in force now, for the gate (live from the latest evaluations, overrides from the store). */
export async function currentFreezes(deps: Pick<FreezeDeps, 'db' | 'clock' | 'policies' | 'slos' | 'trusted'>, ids: readonly string[]): Promise<Map<string, GateFreeze>> {
  const policies = deps.policies();
  const slos = deps.slos().filter((s) => ids.includes(s.id));
  const targets = freezeTargets(policies, slos);
  if (targets.length === 0) return new Map();
  const latest = new Map<string, StoredEvaluation>();
  for (const s of slos) {
    const e = await latestEvaluationOf(deps.db, s.id);
    if (e) latest.set(s.id, e);
  }
  return gateFreezes(targets, latest, await openFreezes(deps.db), await activeOverrides(deps.db, deps.clock.now()), deps.trusted);
}

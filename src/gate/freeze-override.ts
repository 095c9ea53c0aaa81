// Lifting a deploy freeze for a while (a hotfix that is not labelled as one, a launch that cannot
// wait): one function for every channel that asks (POST /api/gate/overrides, the Slack button).
// The policy's approvers, when listed, are the only actors accepted; every attempt is audited;
// an accepted one is recorded, audited and announced in one transaction.
import { escapeSlackText } from '../authz/escape-slack-text.ts';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { Clock } from '../domain/clock.ts';
import { formatDuration, parseDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { addOverride, openFreezes } from '../store/repositories/budget-freezes.ts';
import { enqueue } from '../store/repositories/outbox.ts';

export interface FreezeOverrideDeps {
  db: Db;
  clock: Clock;
  policies: () => readonly BudgetPolicy[];
  slos: () => readonly Slo[];
  channels: (slo: Slo | undefined, policy: BudgetPolicy | undefined) => string[];
  outboxWritten: () => void;
}

export interface OverrideAsk {
  slo: string;
  /** Needed only when several policies freeze the SLO. */
  policy?: string | undefined;
  /** Who asks: an API caller's name or a Slack user id (U…), as the policy's approvers list them. */
  actor: string;
  /** How the announcement names the actor (Slack: <@U…>); default the actor. */
  display?: string;
  reason: string;
  /** Seconds; default the policy's longest override. */
  seconds?: number | undefined;
  /** Where the ask came from, for the audit log (api, slack). */
  via: string;
}

export type OverrideResult =
  | { status: 'ok'; id: string; slo: string; policy: string; actor: string; reason: string; expiresAt: Date; freezeId: string }
  | { status: 'not_frozen' | 'ambiguous' | 'denied' | 'too_long'; message: string };

export async function overrideFreeze(deps: FreezeOverrideDeps, ask: OverrideAsk): Promise<OverrideResult> {
  const now = deps.clock.now();
  const audit = (result: string, details: Record<string, unknown>) =>
    recordAudit(deps.db, { at: now, actor: ask.actor, action: 'budget.freeze.override', target: ask.slo, result, details: { policy: ask.policy, reason: ask.reason, via: ask.via, ...details } });
  const frozen = (await openFreezes(deps.db)).filter((f) => f.sloId === ask.slo && (ask.policy === undefined || f.policy === ask.policy));
  if (frozen.length === 0) {
    await audit('refused', { why: 'not frozen' });
    return { status: 'not_frozen', message: `${ask.slo} has no deploy freeze${ask.policy ? ` under policy ${ask.policy}` : ''} to override` };
  }
  if (frozen.length > 1) {
    return { status: 'ambiguous', message: `${ask.slo} is frozen by several policies (${frozen.map((f) => f.policy).join(', ')}): name one with "policy"` };
  }
  const freeze = frozen[0]!;
  const policy = deps.policies().find((p) => p.name === freeze.policy);
  if (policy && policy.override.approvers.length > 0 && !policy.override.approvers.includes(ask.actor)) {
    await audit('denied', { why: 'not an approver', policy: freeze.policy });
    return { status: 'denied', message: `${ask.display ?? ask.actor} may not override policy ${freeze.policy} (approvers: ${policy.override.approvers.join(', ')})` };
  }
  const max = policy?.override.maxSeconds ?? 86_400;
  const seconds = ask.seconds ?? max;
  if (seconds > max) return { status: 'too_long', message: `an override of policy ${freeze.policy} lasts at most ${formatDuration(max)}` };
  const expiresAt = new Date(now.getTime() + seconds * 1000);
  const slo = deps.slos().find((s) => s.id === ask.slo);
  const override = await withTransaction(deps.db, async (tx) => {
    const o = await addOverride(tx, { freezeId: freeze.id, actor: ask.actor, reason: ask.reason, at: now, expiresAt });
    await recordAudit(tx, {
      at: now,
      actor: ask.actor,
      action: 'budget.freeze.override',
      target: ask.slo,
      result: 'ok',
      details: { policy: freeze.policy, freezeId: freeze.id, reason: ask.reason, via: ask.via, expiresAt: expiresAt.toISOString() },
    });
    const text = `:unlock: *Deploy freeze overridden* for *${ask.slo}* by ${ask.display ?? ask.actor} until ${expiresAt.toISOString()} (policy \`${freeze.policy}\`): ${escapeSlackText(ask.reason)}. Its deploy gate passes until then.`;
    for (const channel of deps.channels(slo, policy)) {
      await enqueue(tx, {
        idempotencyKey: `budget.freeze.overridden:${o.id}:${channel}`,
        channel,
        kind: 'budget.freeze.overridden',
        payload: { slo: ask.slo, policy: freeze.policy, freezeId: freeze.id, actor: ask.actor, reason: ask.reason, expiresAt: expiresAt.toISOString(), ...(policy?.channel && { channel: policy.channel }), text },
        at: now,
      });
    }
    return o;
  });
  deps.outboxWritten();
  return { status: 'ok', id: override.id, slo: ask.slo, policy: freeze.policy, actor: ask.actor, reason: ask.reason, expiresAt, freezeId: freeze.id };
}

/** An override's length from what a person typed ("2h"), undefined for the policy's longest. */
export function overrideSeconds(duration: string | undefined): number | undefined {
  return duration ? parseDuration(duration) : undefined;
}

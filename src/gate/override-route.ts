// POST /api/gate/overrides: an authorized person lifts a deploy freeze for a while (a hotfix
// that is not labelled as one, a launch that cannot wait). Always behind the bearer token;
// the policy's approvers, when listed, are the only actors accepted; every attempt is audited.
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { Clock } from '../domain/clock.ts';
import { formatDuration, isDuration, parseDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { addOverride, openFreezes } from '../store/repositories/budget-freezes.ts';
import { enqueue } from '../store/repositories/outbox.ts';

export const overrideBody = z.strictObject({
  slo: z.string().min(1).max(300),
  /** Needed only when several policies freeze the SLO. */
  policy: z.string().min(1).max(200).optional(),
  actor: z.string().min(1).max(200),
  reason: z.string().trim().min(3, { message: 'say why (at least 3 characters)' }).max(2000),
  duration: z.string().refine(isDuration, { message: 'expected a duration such as 2h' }).optional(),
});

export interface OverrideRouteDeps {
  db: Db;
  clock: Clock;
  auth: RequestHandler;
  policies: () => readonly BudgetPolicy[];
  slos: () => readonly Slo[];
  channels: (slo: Slo | undefined, policy: BudgetPolicy | undefined) => string[];
  outboxWritten: () => void;
}

export function overrideRouter(deps: OverrideRouteDeps): Router {
  const router = express.Router();
  router.post('/', deps.auth, express.json({ limit: '16kb' }), async (req, res) => {
    const parsed = overrideBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid override', issues: z.flattenError(parsed.error).fieldErrors });
      return;
    }
    const b = parsed.data;
    const now = deps.clock.now();
    const audit = (result: string, details: Record<string, unknown>) =>
      recordAudit(deps.db, { at: now, actor: b.actor, action: 'budget.freeze.override', target: b.slo, result, details: { policy: b.policy, reason: b.reason, ...details } });
    const frozen = (await openFreezes(deps.db)).filter((f) => f.sloId === b.slo && (b.policy === undefined || f.policy === b.policy));
    if (frozen.length === 0) {
      await audit('refused', { why: 'not frozen' });
      res.status(409).json({ error: `${b.slo} has no deploy freeze${b.policy ? ` under policy ${b.policy}` : ''} to override` });
      return;
    }
    if (frozen.length > 1) {
      res.status(409).json({ error: `${b.slo} is frozen by several policies (${frozen.map((f) => f.policy).join(', ')}): name one with "policy"` });
      return;
    }
    const freeze = frozen[0]!;
    const policy = deps.policies().find((p) => p.name === freeze.policy);
    if (policy && policy.override.approvers.length > 0 && !policy.override.approvers.includes(b.actor)) {
      await audit('denied', { why: 'not an approver', policy: freeze.policy });
      res.status(403).json({ error: `${b.actor} may not override policy ${freeze.policy} (approvers: ${policy.override.approvers.join(', ')})` });
      return;
    }
    const max = policy?.override.maxSeconds ?? 86_400;
    const seconds = b.duration ? parseDuration(b.duration) : max;
    if (seconds > max) {
      res.status(400).json({ error: `an override of policy ${freeze.policy} lasts at most ${formatDuration(max)}` });
      return;
    }
    const expiresAt = new Date(now.getTime() + seconds * 1000);
    const slo = deps.slos().find((s) => s.id === b.slo);
    const override = await withTransaction(deps.db, async (tx) => {
      const o = await addOverride(tx, { freezeId: freeze.id, actor: b.actor, reason: b.reason, at: now, expiresAt });
      await recordAudit(tx, { at: now, actor: b.actor, action: 'budget.freeze.override', target: b.slo, result: 'ok', details: { policy: freeze.policy, freezeId: freeze.id, reason: b.reason, expiresAt: expiresAt.toISOString() } });
      const text = `:unlock: *Deploy freeze overridden* for *${b.slo}* by ${b.actor} until ${expiresAt.toISOString()} (policy \`${freeze.policy}\`): ${b.reason}`;
      for (const channel of deps.channels(slo, policy)) {
        await enqueue(tx, {
          idempotencyKey: `budget.freeze.overridden:${o.id}:${channel}`,
          channel,
          kind: 'budget.freeze.overridden',
          payload: { slo: b.slo, policy: freeze.policy, freezeId: freeze.id, actor: b.actor, reason: b.reason, expiresAt: expiresAt.toISOString(), ...(policy?.channel && { channel: policy.channel }), text },
          at: now,
        });
      }
      return o;
    });
    deps.outboxWritten();
    res.status(201).json({ id: override.id, slo: b.slo, policy: freeze.policy, actor: b.actor, reason: b.reason, expiresAt: expiresAt.toISOString() });
  });
  return router;
}

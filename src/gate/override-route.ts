// POST /api/gate/overrides: an authorized person lifts a deploy freeze for a while. Always behind
// the bearer token; the decision, the record, the audit and the announcement are overrideFreeze's
// (the same function as the Slack "Override freeze" button).
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { isDuration } from '../domain/duration.ts';
import { type FreezeOverrideDeps, overrideFreeze, overrideSeconds } from './freeze-override.ts';

export const overrideBody = z.strictObject({
  slo: z.string().min(1).max(300),
  /** Needed only when several policies freeze the SLO. */
  policy: z.string().min(1).max(200).optional(),
  actor: z.string().min(1).max(200),
  reason: z.string().trim().min(3, { message: 'say why (at least 3 characters)' }).max(2000),
  duration: z.string().refine(isDuration, { message: 'expected a duration such as 2h' }).optional(),
});

export interface OverrideRouteDeps extends FreezeOverrideDeps {
  auth: RequestHandler;
}

const STATUS = { not_frozen: 409, ambiguous: 409, denied: 403, too_long: 400 } as const;

export function overrideRouter(deps: OverrideRouteDeps): Router {
  const router = express.Router();
  router.post('/', deps.auth, express.json({ limit: '16kb' }), async (req, res) => {
    const parsed = overrideBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid override', issues: z.flattenError(parsed.error).fieldErrors });
      return;
    }
    const b = parsed.data;
    const r = await overrideFreeze(deps, { slo: b.slo, policy: b.policy, actor: b.actor, reason: b.reason, seconds: overrideSeconds(b.duration), via: 'api' });
    if (r.status !== 'ok') {
      res.status(STATUS[r.status]).json({ error: r.message });
      return;
    }
    res.status(201).json({ id: r.id, slo: r.slo, policy: r.policy, actor: r.actor, reason: r.reason, expiresAt: r.expiresAt.toISOString() });
  });
  return router;
}

// POST /api/remediation/auto/:id/cancel and GET /api/remediation/auto, behind the bearer token.
// The cancelling person must be allowed the action by the actions rules (as if running it).
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../store/repositories/queryable.ts';
import { listAuto } from '../store/repositories/auto-remediations.ts';
import type { AutoRemediator } from './auto-remediator.ts';

const cancelBody = z.strictObject({
  /** A Slack user id (U…) or cli:<user>, as in actions.rules. */
  actor: z.string().min(1).max(200),
  groups: z.array(z.string().min(1).max(100)).max(50).optional(),
  reason: z.string().trim().min(3).max(2000),
});

export function autoRemediationRouter(deps: { db: Queryable; auth: RequestHandler; remediator: AutoRemediator }): Router {
  const router = express.Router();
  router.get('/', deps.auth, async (_req, res) => {
    res.json(await listAuto(deps.db));
  });
  router.post('/:id/cancel', deps.auth, express.json({ limit: '16kb' }), async (req, res) => {
    const parsed = cancelBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid cancel', issues: z.flattenError(parsed.error).fieldErrors });
      return;
    }
    const { actor, groups, reason } = parsed.data;
    const r = await deps.remediator.cancel(String(req.params.id), { id: actor, groups: groups ?? [] }, reason);
    const status = { cancelled: 200, refused: 403, too_late: 409, not_found: 404 }[r.status];
    res.status(status).json(r);
  });
  return router;
}

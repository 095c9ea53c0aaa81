// Alert episodes over HTTP, for teams without Slack (beside incident-api.ts):
//   GET  /api/alerts[?slo=<id>]   the open episodes
//   GET  /api/alerts/{id}
//   POST /api/alerts/{id}/ack     {"by": "name or e-mail"} (default: the token)
// An acknowledgement is the same one as a Slack click or a pager's: the episode, the incident
// timeline, PagerDuty / Opsgenie and the Slack message follow. Bearer token, audited and
// idempotent by Idempotency-Key like every lifecycle write.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import type { AlertDesk } from '../../incidents/alert-desk.ts';
import type { AlertRecord } from '../../incidents/types.ts';
import type { Db } from '../../store/db.ts';
import { requireBearer } from './bearer-auth.ts';
import { idempotent } from './idempotent-write.ts';
import { person } from './incident-api.ts';

export interface AlertApiDeps {
  db: Db;
  clock: Clock;
  alerts: AlertDesk;
  apiToken: string | undefined;
  publicRead?: boolean;
  outboxWritten: () => void;
}

export const ackBody = z.strictObject({ by: z.string().trim().min(1).max(200).optional() });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function alertJson(a: AlertRecord, now: Date): Record<string, unknown> {
  const silenced = a.silence !== null && (a.silence.until === null || a.silence.until > now);
  return {
    id: a.id,
    sloId: a.sloId,
    severity: a.severity,
    state: a.state,
    firedAt: iso(a.firedAt),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: a.acknowledgedBy?.name ?? null,
    resolvedAt: iso(a.resolvedAt),
    incidentId: a.incidentId,
    silence: silenced && a.silence ? { by: a.silence.by.name, since: iso(a.silence.at), until: iso(a.silence.until) } : null,
    budgetAtFiring: a.budgetAtFiring,
    sloName: a.snapshot.sloName,
    service: a.snapshot.service,
    firedTier: a.snapshot.firedTier ?? null,
    budgetRemaining: a.snapshot.budgetRemaining,
    burnStartedAt: a.snapshot.burnStartedAt ?? null,
    evaluatedAt: iso(a.snapshot.evaluatedAt),
    runbook: a.snapshot.runbook ?? null,
  };
}

/** The routes above, to mount under /api. */
export function alertApiRouter(deps: AlertApiDeps): Router {
  const router = express.Router();
  const auth = requireBearer(deps.apiToken);
  const readAuth = deps.publicRead ? (_req: Request, _res: Response, next: NextFunction) => next() : auth;
  const json = express.json({ limit: '64kb' });
  const idOf = (req: Request) => {
    const id = Number(req.params.id);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  };

  router.get('/alerts', readAuth, async (req, res) => {
    const slo = typeof req.query.slo === 'string' && req.query.slo ? req.query.slo : undefined;
    const now = deps.clock.now();
    res.json({ alerts: (await deps.alerts.openEpisodes(slo)).map((a) => alertJson(a, now)) });
  });

  router.get('/alerts/:id', readAuth, async (req, res) => {
    const id = idOf(req);
    const alert = id ? await deps.alerts.get(id) : undefined;
    if (!alert) {
      res.status(404).json({ error: `there is no alert ${req.params.id}` });
      return;
    }
    res.json(alertJson(alert, deps.clock.now()));
  });

  router.post('/alerts/:id/ack', auth, json, async (req, res) => {
    const id = idOf(req);
    const parsed = ackBody.safeParse(req.body ?? {});
    if (!parsed.success || !id) {
      res.status(400).json({ error: 'expected POST /api/alerts/<id>/ack with {"by": "name or e-mail"} (optional)', ...(parsed.success ? {} : { issues: z.flattenError(parsed.error) }) });
      return;
    }
    const by = parsed.data.by;
    await idempotent(deps, req, res, `POST /api/alerts/${id}/ack`, async (q, at) => {
      const alert = await deps.alerts.acknowledgeInTx(q, id, person(by));
      return { status: 200, body: alertJson(alert, at), audit: { action: 'alert.acknowledge', target: `alert/${id}`, actor: by ?? 'api-token', details: { sloId: alert.sloId, severity: alert.severity } } };
    });
  });
  return router;
}

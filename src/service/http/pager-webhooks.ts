// POST /api/pagerduty/webhook and /api/opsgenie/webhook: acknowledgements and resolutions made
// in the pager come back to burnwatch. The raw body is verified before it is parsed (PagerDuty's
// signature covers the exact bytes), a delivery is acted on once (its event id is claimed in the
// store, so a replay or a retry on another replica changes nothing), and every accepted one is
// audited. Anything that is not burnwatch's is answered 200 and ignored, so the pager does not
// retry it forever.
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.ts';
import type { PagingConfig } from '../../notify/paging/paging-config.ts';
import { type PagerEvent, parseOpsgenieWebhook, parsePagerDutyWebhook, verifyPagerDutySignature, verifyToken } from '../../notify/paging/pager-webhooks.ts';
import type { Db } from '../../store/db.ts';
import { recordAudit } from '../../store/repositories/audit-log.ts';
import { claimPagerEvent } from '../../store/repositories/pager-webhook-events.ts';

/** What burnwatch does with a pager's acknowledgement or resolution (the alert lifecycle). */
export type PagerEventSink = (event: PagerEvent) => Promise<{ applied: boolean; note?: string }>;

export interface PagerWebhookDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  paging: PagingConfig;
  sink: PagerEventSink;
}

/** POST /pagerduty/webhook and /opsgenie/webhook, to mount under /api. */
export function pagerWebhookRouter(deps: PagerWebhookDeps): Router {
  const app = express.Router();
  const raw = express.raw({ type: () => true, limit: '256kb' });

  const accept = async (event: PagerEvent | { ignored: string }, res: express.Response) => {
    if ('ignored' in event) {
      res.status(200).json({ ignored: event.ignored });
      return;
    }
    const at = deps.clock.now();
    if (!(await claimPagerEvent(deps.db, { eventId: event.eventId, source: event.source, at }))) {
      res.status(200).json({ duplicate: true });
      return;
    }
    const result = await deps.sink(event);
    await recordAudit(deps.db, {
      at,
      actor: `${event.source}:${event.actor}`,
      action: `alert.${event.action}`,
      target: `${event.sloId}/${event.severity}`,
      result: result.applied ? 'ok' : 'no_change',
      details: { eventId: event.eventId, ...(event.url ? { url: event.url } : {}), ...(result.note ? { note: result.note } : {}) },
    });
    res.status(200).json({ applied: result.applied, ...(result.note ? { note: result.note } : {}) });
  };

  app.post('/pagerduty/webhook', raw, async (req, res) => {
    const secrets = (deps.paging.pagerduty?.webhookSecrets ?? []).map((s) => s.read()).filter((s): s is string => !!s);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifyPagerDutySignature(body, req.get('x-pagerduty-signature'), secrets)) {
      deps.logger.warn({ ip: req.ip }, 'refused a PagerDuty webhook: bad or missing X-PagerDuty-Signature');
      res.status(401).json({ error: 'bad signature' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      res.status(400).json({ error: 'not JSON' });
      return;
    }
    await accept(parsePagerDutyWebhook(json), res);
  });

  app.post('/opsgenie/webhook', raw, async (req, res) => {
    if (!verifyToken(req.get('x-burnwatch-token'), deps.paging.opsgenie?.webhookToken?.read())) {
      deps.logger.warn({ ip: req.ip }, 'refused an Opsgenie webhook: bad or missing X-Burnwatch-Token');
      res.status(401).json({ error: 'bad token' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse((Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)).toString('utf8'));
    } catch {
      res.status(400).json({ error: 'not JSON' });
      return;
    }
    await accept(parseOpsgenieWebhook(json, deps.clock.now()), res);
  });
  return app;
}

// The HTTP surface: probes, metrics, the live SLO view and the write endpoints.
// Other parts (the Slack receiver) mount their routers through `mount` before listen.
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import type { Db } from '../../store/db.ts';
import { recordAudit } from '../../store/repositories/audit-log.ts';
import { insertChangeEvent } from '../../store/repositories/change-events.ts';
import type { Metrics } from '../metrics.ts';
import { type AlertmanagerIncidents, alertmanagerPayload, receiveAlertmanager } from './alertmanager-webhook.ts';
import { bearerPresented, requireBearer } from './bearer-auth.ts';
import { handleRequestError, methodNotAllowed, type RouteTable } from './request-errors.ts';
import { withDeadline } from '../deadline.ts';

/** /readyz answers within this (the guarantee is 2 s), 503 naming what did not finish. */
const READINESS_DEADLINE_MS = 1500;
import { mountIncidentApi } from './incident-api.ts';

export interface Readiness {
  ready: boolean;
  [key: string]: unknown;
}

export interface HttpDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Runs before /metrics renders (a follower refreshes its figures from the store). */
  beforeMetrics?: () => Promise<void>;
  apiToken: string | undefined;
  /** BURNWATCH_PUBLIC_READ: /readyz in full and /api/* reads without the token. */
  publicRead?: boolean;
  /** Replaces values that came from the environment (secrets) in every JSON answer. */
  redact?: (text: string) => string;
  readiness: (strict: boolean) => Promise<Readiness>;
  slos: () => Promise<unknown>;
  /** Channels an external (Alertmanager) alert is notified on. */
  externalChannels: () => string[];
  /** What an Alertmanager alert does to incidents (the incident desk); nothing when left out. */
  alertmanagerIncidents?: AlertmanagerIncidents;
  /** Something was written to the outbox: deliver it now. */
  outboxWritten: () => void;
  /** Channels an incident's lifecycle events go to (the incident API); none when left out. */
  incidentChannels?: (incident: { id: number; sloIds: readonly string[] }) => string[];
}

export const changeEventBody = z.strictObject({
  at: z.iso.datetime({ offset: true }).optional(),
  kind: z.string().min(1).max(100),
  subject: z.string().min(1).max(200),
  summary: z.string().min(1).max(2000),
  service: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export interface HttpApp {
  app: Express;
  /** Adds a router (e.g. Bolt's ExpressReceiver router) at `path`, ahead of the 404 handler. */
  mount(path: string, router: Router | express.RequestHandler): void;
  /** Call once every mount is done. */
  finish(): void;
}

export function createHttpApp(deps: HttpDeps): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  const json = express.json({ limit: '1mb' });
  const auth = requireBearer(deps.apiToken);
  const readAuth = deps.publicRead ? (_req: Request, _res: Response, next: NextFunction) => next() : auth;
  const routes: RouteTable = { '/healthz': ['GET'], '/readyz': ['GET'], '/metrics': ['GET'], '/api/slos': ['GET'], '/api/alertmanager': ['POST'], '/api/events': ['POST'] };
  // Defence in depth: a secret that reached some text is still not answered.
  const redact = deps.redact;
  if (redact) app.set('json replacer', (_key: string, value: unknown) => (typeof value === 'string' ? redact(value) : value));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (req, res) => {
    const strict = req.query.strict === 'true' || req.query.strict === '1';
    // A probe that never answers is worse than a 503: answer within the deadline, whatever hangs.
    const r = await withDeadline(deps.readiness(strict), READINESS_DEADLINE_MS, 'the readiness check').catch(
      (error: Error): Readiness => ({ ready: false, status: 'readiness check timed out', reason: error.message }),
    );
    // The status code (and why it is 503) is for probes; what the store, sources and specs say is for operators.
    const full = deps.publicRead || (deps.apiToken !== undefined && bearerPresented(req.get('authorization'), deps.apiToken));
    res.status(r.ready ? 200 : 503).json(full ? r : { ready: r.ready, status: r.status, ...(r.reason !== undefined ? { reason: r.reason } : {}) });
  });

  app.get('/metrics', async (_req, res) => {
    await deps.beforeMetrics?.();
    res.set('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/api/slos', readAuth, async (_req, res) => {
    res.json(await deps.slos());
  });

  app.post('/api/alertmanager', auth, json, async (req, res) => {
    const parsed = alertmanagerPayload.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'not an Alertmanager webhook v4 payload', issues: z.flattenError(parsed.error) });
      return;
    }
    const result = await receiveAlertmanager(deps.db, parsed.data, {
      at: deps.clock.now(),
      channels: deps.externalChannels(),
      actor: 'api-token',
      incidents: deps.alertmanagerIncidents ?? (async () => undefined),
    });
    if (result.enqueued > 0) deps.outboxWritten();
    res.json({ received: parsed.data.alerts.length, ...result });
  });

  app.post('/api/events', auth, json, async (req, res) => {
    const parsed = changeEventBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid change event', issues: z.flattenError(parsed.error) });
      return;
    }
    const now = deps.clock.now();
    const e = parsed.data;
    const event = { ...e, at: e.at ? new Date(e.at) : now };
    const id = await insertChangeEvent(deps.db, event, now);
    await recordAudit(deps.db, { at: now, actor: e.actor ?? 'api-token', action: 'event.create', target: e.subject, result: 'ok', details: { id, kind: e.kind } });
    res.status(201).json({ id, at: event.at.toISOString() });
  });

  mountIncidentApi(app, { db: deps.db, clock: deps.clock, incidentChannels: deps.incidentChannels ?? (() => []), outboxWritten: deps.outboxWritten }, auth, json);

  const finish = () => {
    app.use(methodNotAllowed(routes));
    app.use((_req, res) => {
      res.status(404).json({ error: 'not found' });
    });
    app.use(handleRequestError(deps.logger));
  };
  return { app, mount: (path, router) => app.use(path, router), finish };
}

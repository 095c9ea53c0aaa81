// The incident lifecycle over HTTP, for teams without Slack (and for the console):
//   GET  /api/incidents[?open=true&limit=N]  incidents with their figures (the post-mortem's)
//   GET  /api/incidents/{id}
//   POST /api/incidents                     open one
//   POST /api/incidents/{id}/status          mitigated | resolved (with a summary)
//   POST /api/silences                       mute alerts by SLO, service or labels until it expires
// Bearer token like /api/events; every write is audited and idempotent by Idempotency-Key.
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import { type IncidentChannels, openIncident, setIncidentStatus } from '../../incidents/incident-commands.ts';
import { IncidentError } from '../../incidents/incident-error.ts';
import { type IncidentWithFigures, readIncident, readIncidents } from '../../incidents/incident-record.ts';
import type { Person } from '../../incidents/types.ts';
import { MITIGATED_DEFINITION } from '../../lifecycle/incident-figures.ts';
import type { Db } from '../../store/db.ts';
import { insertSilence } from '../../store/repositories/silences.ts';
import { idempotent } from './idempotent-write.ts';

export interface IncidentApiDeps {
  db: Db;
  clock: Clock;
  /** Where incident lifecycle events go (log, webhook, the Slack bot's incident lane). */
  incidentChannels: IncidentChannels;
  outboxWritten: () => void;
}

const actor = z.string().min(1).max(200).optional();

export const openIncidentBody = z.strictObject({
  title: z.string().trim().min(1).max(300),
  severity: z.enum(['page', 'ticket']).default('page'),
  sloIds: z.array(z.string().min(1).max(300)).max(50).default([]),
  startedAt: z.iso.datetime({ offset: true }).optional(),
  actor,
});

export const incidentStatusBody = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('mitigated'), actor }),
  z.strictObject({ status: z.literal('resolved'), summary: z.string().trim().min(1).max(3000), actor }),
]);

export const silenceBody = z
  .strictObject({
    sloId: z.string().min(1).max(300).optional(),
    service: z.string().min(1).max(200).optional(),
    labels: z.record(z.string().max(100), z.string().max(300)).optional(),
    /** How long from now (at most 30 days), or until when. */
    durationSeconds: z.number().int().min(60).max(30 * 86_400).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    comment: z.string().max(1000).optional(),
    actor,
  })
  .refine((b) => b.sloId || b.service || (b.labels && Object.keys(b.labels).length > 0), { message: 'give sloId, service or labels: a silence of everything is not allowed' })
  .refine((b) => (b.durationSeconds === undefined) !== (b.endsAt === undefined), { message: 'give exactly one of durationSeconds and endsAt' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An incident as the API answers it: the stored record and the figures every output shows. */
export function incidentJson({ incident: i, figures: f }: IncidentWithFigures): Record<string, unknown> {
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    status: i.status,
    source: i.source,
    sloIds: i.sloIds,
    commander: i.commander?.name ?? null,
    openedAt: iso(i.openedAt),
    startedAt: iso(i.startedAt),
    detectedAt: iso(i.detectedAt),
    acknowledgedAt: iso(i.acknowledgedAt),
    mitigatedAt: iso(i.mitigatedAt),
    resolvedAt: iso(i.resolvedAt),
    resolutionSummary: i.resolutionSummary,
    channel: i.channelName ? `#${i.channelName}` : null,
    figures: {
      budgetConsumed: f.slos.map((s) => ({ sloId: s.sloId, budgetAtStart: s.budgetAtStart, budgetAtEnd: s.budgetAtEnd, consumed: s.consumed })),
      timeToDetectSeconds: f.toDetectSeconds,
      timeToAcknowledgeSeconds: f.toAcknowledgeSeconds,
      timeToMitigateSeconds: f.toMitigateSeconds,
      timeToResolveSeconds: f.toResolveSeconds,
      impactSeconds: f.impactSeconds,
      mitigated: MITIGATED_DEFINITION,
    },
  };
}

/** Who acts through the API: the name given, or the token itself. */
export const person = (name: string | undefined): Person => ({ id: `api:${name ?? 'api-token'}`, name: name ?? 'api-token' });

export function mountIncidentApi(app: Express, deps: IncidentApiDeps, auth: RequestHandler, json: RequestHandler): void {
  app.get('/api/incidents', auth, async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
    const openOnly = req.query.open === 'true' || req.query.open === '1';
    res.json({ incidents: (await readIncidents(deps.db, { openOnly, limit })).map(incidentJson) });
  });

  app.get('/api/incidents/:id', auth, async (req, res) => {
    const id = Number(req.params.id);
    const record = Number.isSafeInteger(id) && id > 0 ? await readIncident(deps.db, id) : undefined;
    if (!record) {
      res.status(404).json({ error: `there is no incident ${req.params.id}` });
      return;
    }
    res.json(incidentJson(record));
  });

  app.post('/api/incidents', auth, json, async (req, res) => {
    const parsed = openIncidentBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid incident', issues: z.flattenError(parsed.error) });
      return;
    }
    const b = parsed.data;
    await idempotent(deps, req, res, 'POST /api/incidents', async (q, at) => {
      const incident = await openIncident(
        q,
        { title: b.title, severity: b.severity, sloIds: b.sloIds, ...(b.startedAt ? { startedAt: new Date(b.startedAt) } : {}), actor: person(b.actor), at },
        deps.incidentChannels,
      );
      const record = (await readIncident(q, incident.id))!;
      return { status: 201, body: incidentJson(record), audit: { action: 'incident.open', target: `incident/${incident.id}`, actor: b.actor ?? 'api-token', details: { sloIds: b.sloIds } } };
    });
  });

  app.post('/api/incidents/:id/status', auth, json, async (req, res) => {
    const id = Number(req.params.id);
    const parsed = incidentStatusBody.safeParse(req.body);
    if (!parsed.success || !Number.isSafeInteger(id) || id <= 0) {
      res.status(400).json({ error: 'expected {"status": "mitigated"} or {"status": "resolved", "summary": "…"}', ...(parsed.success ? {} : { issues: z.flattenError(parsed.error) }) });
      return;
    }
    const b = parsed.data;
    await idempotent(deps, req, res, `POST /api/incidents/${id}/status`, async (q, at) => {
      await setIncidentStatus(q, id, { status: b.status, ...('summary' in b ? { summary: b.summary } : {}), actor: person(b.actor), at }, deps.incidentChannels);
      const record = (await readIncident(q, id))!;
      return { status: 200, body: incidentJson(record), audit: { action: `incident.${b.status}`, target: `incident/${id}`, actor: b.actor ?? 'api-token' } };
    });
  });

  app.post('/api/silences', auth, json, async (req, res) => {
    const parsed = silenceBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid silence', issues: z.flattenError(parsed.error) });
      return;
    }
    const b = parsed.data;
    await idempotent(deps, req, res, 'POST /api/silences', async (q, at) => {
      const until = b.endsAt ? new Date(b.endsAt) : new Date(at.getTime() + b.durationSeconds! * 1000);
      if (until <= at) throw new IncidentError('bad_command', 'endsAt is in the past');
      const by = person(b.actor);
      const id = await insertSilence(q, { sloId: b.sloId ?? null, service: b.service ?? null, labels: b.labels ?? {}, at, until, by, comment: b.comment ?? null });
      const body = { id, sloId: b.sloId ?? null, service: b.service ?? null, labels: b.labels ?? {}, startsAt: at.toISOString(), endsAt: until.toISOString(), createdBy: by.name, comment: b.comment ?? null };
      return { status: 201, body, audit: { action: 'silence.create', target: b.sloId ?? b.service ?? JSON.stringify(b.labels), actor: b.actor ?? 'api-token', details: { id, endsAt: body.endsAt } } };
    });
  });
}

// A wire-level fake of PagerDuty on loopback: the Events API v2 (`POST /v2/enqueue`) with
// PagerDuty's answers (202 {status, message, dedup_key}; 400 "invalid event" with `errors`;
// 429 and 5xx when scripted), incidents deduplicated by (routing key, dedup_key) the way
// PagerDuty does it (a trigger for an open incident's key adds to that incident; acknowledge
// and resolve act on it; a trigger after resolve opens a new one), and a v3 webhook sender that
// signs like PagerDuty (X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the raw body>).
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultSchedule } from './pager-fault-schedule.ts';

export interface PdEvent {
  routing_key?: string;
  event_action?: string;
  dedup_key?: string;
  payload?: { summary?: string; source?: string; severity?: string; custom_details?: Record<string, unknown> };
  links?: Array<{ href: string; text?: string }>;
  [k: string]: unknown;
}

export interface PdIncident {
  id: string;
  number: number;
  routingKey: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  title: string;
  /** Every event PagerDuty accepted for it (repeated triggers included). */
  events: PdEvent[];
}

export interface FakeOnCall {
  policy: string;
  level: number;
  user: { id: string; summary: string; email: string };
  end: string | null;
}

export interface FakePagerDuty {
  url: string;
  /** REST API v2 on-calls (GET /oncalls), answered to `Token token=<restToken>` only. */
  oncalls: FakeOnCall[];
  restToken: string;
  faults: FaultSchedule;
  /** Every request as received, with the status answered. */
  requests: Array<{ event: PdEvent; status: number }>;
  incidents: PdIncident[];
  /** Routing keys PagerDuty knows (integration keys of services). */
  addService(routingKey: string): void;
  close(): Promise<void>;
}

const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

function problemsOf(e: PdEvent, known: Set<string>): string[] {
  const errors: string[] = [];
  if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) errors.push('Length of \'routing_key\' is incorrect (should be 32 characters)');
  else if (!known.has(e.routing_key)) errors.push('Invalid routing key');
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(e.event_action))) errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  if (e.event_action !== 'trigger' && !e.dedup_key) errors.push("'dedup_key' is missing or blank");
  if (e.dedup_key !== undefined && String(e.dedup_key).length > 255) errors.push("'dedup_key' is too long");
  if (e.event_action === 'trigger') {
    if (!e.payload?.summary) errors.push("'payload.summary' is missing or blank");
    else if (e.payload.summary.length > 1024) errors.push("'payload.summary' is too long");
    if (!e.payload?.source) errors.push("'payload.source' is missing or blank");
    if (!SEVERITIES.has(String(e.payload?.severity))) errors.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
  }
  return errors;
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const known = new Set<string>();
  const faults = new FaultSchedule();
  const requests: FakePagerDuty['requests'] = [];
  const incidents: PdIncident[] = [];
  const oncalls: FakeOnCall[] = [];
  const restToken = `u+${randomUUID().replaceAll('-', '').slice(0, 18)}`;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url?.startsWith('/oncalls')) {
        const u = new URL(req.url, 'http://x');
        if (req.headers.authorization !== `Token token=${restToken}`) return send(401, { error: { message: 'Unauthorized', code: 2006 } });
        const fault = faults.take();
        if (fault) return send(fault.status, { error: { message: 'Rate Limit Exceeded', code: 2020 } }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        const policies = u.searchParams.getAll('escalation_policy_ids[]');
        const withUsers = u.searchParams.getAll('include[]').includes('users');
        const limit = Math.min(Number(u.searchParams.get('limit') ?? 25), 100);
        const offset = Number(u.searchParams.get('offset') ?? 0);
        const all = oncalls.filter((o) => policies.length === 0 || policies.includes(o.policy));
        const page = all.slice(offset, offset + limit).map((o) => ({
          escalation_policy: { id: o.policy, type: 'escalation_policy_reference' },
          escalation_level: o.level,
          end: o.end,
          // Without include[]=users a user is a reference: no e-mail.
          user: withUsers ? { ...o.user, type: 'user' } : { id: o.user.id, summary: o.user.summary, type: 'user_reference' },
        }));
        return send(200, { oncalls: page, limit, offset, more: offset + limit < all.length, total: null });
      }
      if (req.method !== 'POST' || req.url !== '/v2/enqueue') return send(404, { status: 'not found' });
      let event: PdEvent;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        requests.push({ event: {}, status: 400 });
        return send(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] });
      }
      const fault = faults.take();
      if (fault) {
        requests.push({ event, status: fault.status });
        return send(fault.status, fault.status === 429 ? { status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly. Please retry later.' } : { status: 'error' }, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      }
      const errors = problemsOf(event, known);
      if (errors.length > 0) {
        requests.push({ event, status: 400 });
        return send(400, { status: 'invalid event', message: 'Event object is invalid', errors });
      }
      const routingKey = event.routing_key as string;
      const dedupKey = event.dedup_key ?? randomUUID().replaceAll('-', '');
      const open = incidents.find((i) => i.routingKey === routingKey && i.dedupKey === dedupKey && i.status !== 'resolved');
      if (event.event_action === 'trigger') {
        if (open) open.events.push(event);
        else
          incidents.push({ id: `P${randomUUID().slice(0, 6).toUpperCase()}`, number: incidents.length + 1, routingKey, dedupKey, status: 'triggered', title: event.payload?.summary ?? '', events: [event] });
      } else if (open) {
        // PagerDuty accepts acknowledge/resolve for an unknown or resolved key and does nothing.
        open.events.push(event);
        if (event.event_action === 'acknowledge' && open.status === 'triggered') open.status = 'acknowledged';
        if (event.event_action === 'resolve') open.status = 'resolved';
      }
      requests.push({ event, status: 202 });
      send(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    oncalls,
    restToken,
    faults,
    requests,
    incidents,
    addService: (key) => known.add(key),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs a v3 webhook body as PagerDuty does; several secrets (a rotation) give several v1= values. */
export function pagerDutySignature(body: string, ...secrets: string[]): string {
  return secrets.map((s) => `v1=${createHmac('sha256', s).update(body).digest('hex')}`).join(',');
}

/** A v3 webhook delivery for an incident event, the way PagerDuty sends it. */
export function pagerDutyWebhookBody(eventType: 'incident.acknowledged' | 'incident.resolved' | 'incident.triggered', incident: PdIncident, agent = 'Tenex Engineer'): string {
  return JSON.stringify({
    event: {
      id: randomUUID(),
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: new Date().toISOString(),
      agent: { id: 'PLH1HKV', summary: agent, type: 'user_reference', html_url: 'https://acme.pagerduty.com/users/PLH1HKV' },
      client: { name: 'PagerDuty' },
      data: {
        id: incident.id,
        type: 'incident',
        number: incident.number,
        status: eventType === 'incident.acknowledged' ? 'acknowledged' : eventType === 'incident.resolved' ? 'resolved' : 'triggered',
        incident_key: incident.dedupKey,
        title: incident.title,
        html_url: `https://acme.pagerduty.com/incidents/${incident.id}`,
      },
    },
  });
}

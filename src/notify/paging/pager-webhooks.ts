// What PagerDuty and Opsgenie tell burnwatch back: an acknowledgement or a resolution made by a
// person in the pager product. Verified before anything is read (PagerDuty v3: HMAC-SHA256 of
// the raw body, one `v1=` per active secret during a rotation; Opsgenie's outgoing webhook: a
// shared token in a custom header), parsed loosely (their payloads grow), and reduced to one
// event that names burnwatch's alert by the dedup key burnwatch gave it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseAlertInstanceKey } from './alert-instance.ts';

export interface PagerEvent {
  /** The vendor's event id: a delivery seen twice is acted on once. */
  eventId: string;
  source: 'pagerduty' | 'opsgenie';
  action: 'acknowledged' | 'resolved';
  sloId: string;
  severity: string;
  /** Who did it, as the vendor names them. */
  actor: string;
  at: string;
  /** The vendor's page, for the timeline. */
  url?: string;
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** True when at least one `v1=` signature in the header is the body's HMAC under one of the secrets. */
export function verifyPagerDutySignature(rawBody: Buffer | string, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header || secrets.length === 0) return false;
  const given = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='));
  const expected = secrets.map((secret) => `v1=${createHmac('sha256', secret).update(rawBody).digest('hex')}`);
  return given.some((g) => expected.some((e) => sameText(g, e)));
}

export function verifyToken(given: string | undefined, expected: string | undefined): boolean {
  return !!given && !!expected && sameText(given, expected);
}

const PagerDutyWebhook = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string(),
    occurred_at: z.string(),
    agent: z.object({ summary: z.string().optional() }).nullish(),
    data: z.object({ incident_key: z.string().nullish(), html_url: z.string().optional() }).loose(),
  }),
});

const OpsgenieWebhook = z.object({
  action: z.string(),
  alert: z.object({ alertId: z.string().optional(), alias: z.string().nullish(), username: z.string().optional(), updatedAt: z.union([z.number(), z.string()]).optional() }).loose(),
});

/** A verified PagerDuty delivery → the event, or why it is not one for burnwatch (200, ignored). */
export function parsePagerDutyWebhook(json: unknown): PagerEvent | { ignored: string } {
  const parsed = PagerDutyWebhook.safeParse(json);
  if (!parsed.success) return { ignored: 'not a PagerDuty v3 incident event' };
  const e = parsed.data.event;
  const action = e.event_type === 'incident.acknowledged' ? 'acknowledged' : e.event_type === 'incident.resolved' ? 'resolved' : undefined;
  if (!action) return { ignored: `event ${e.event_type} changes nothing in burnwatch` };
  const alert = e.data.incident_key ? parseAlertInstanceKey(e.data.incident_key) : undefined;
  if (!alert) return { ignored: 'the incident was not opened by burnwatch' };
  return { eventId: e.id, source: 'pagerduty', action, ...alert, actor: e.agent?.summary ?? 'PagerDuty', at: e.occurred_at, ...(e.data.html_url ? { url: e.data.html_url } : {}) };
}

export function parseOpsgenieWebhook(json: unknown, now: Date): PagerEvent | { ignored: string } {
  const parsed = OpsgenieWebhook.safeParse(json);
  if (!parsed.success) return { ignored: 'not an Opsgenie alert webhook' };
  const { action, alert: a } = parsed.data;
  const kind = action === 'Acknowledge' ? 'acknowledged' : action === 'Close' ? 'resolved' : undefined;
  if (!kind) return { ignored: `action ${action} changes nothing in burnwatch` };
  const alert = a.alias ? parseAlertInstanceKey(a.alias) : undefined;
  if (!alert) return { ignored: 'the alert was not opened by burnwatch' };
  const at = a.updatedAt !== undefined ? new Date(typeof a.updatedAt === 'number' && a.updatedAt > 1e15 ? a.updatedAt / 1e6 : a.updatedAt) : now;
  const iso = Number.isNaN(at.getTime()) ? now.toISOString() : at.toISOString();
  // Opsgenie sends no delivery id: the alert, the action and its time identify one.
  return { eventId: `${a.alertId ?? a.alias}:${action}:${iso}`, source: 'opsgenie', action: kind, ...alert, actor: a.username ?? 'Opsgenie', at: iso };
}

import { describe, expect, it } from 'vitest';
import { pagerDutySignature, pagerDutyWebhookBody } from '../../../test/fakes/pagerduty-api.ts';
import { parseOpsgenieWebhook, parsePagerDutyWebhook, verifyPagerDutySignature, verifyToken } from './pager-webhooks.ts';

const incident = { id: 'PGR0VU2', number: 2, routingKey: 'k', dedupKey: 'burnwatch/hstu-ranker/availability/page', status: 'triggered' as const, title: 't', events: [] };

describe('PagerDuty v3 webhooks', () => {
  it('accepts a body signed with the current secret or, during a rotation, the next one', () => {
    const body = pagerDutyWebhookBody('incident.acknowledged', incident);
    expect(verifyPagerDutySignature(body, pagerDutySignature(body, 'secret-a'), ['secret-a'])).toBe(true);
    expect(verifyPagerDutySignature(body, pagerDutySignature(body, 'old', 'secret-b'), ['secret-b'])).toBe(true);
  });

  it('refuses a forged, missing, altered or re-signed-with-another-secret body', () => {
    const body = pagerDutyWebhookBody('incident.acknowledged', incident);
    expect(verifyPagerDutySignature(body, undefined, ['secret-a'])).toBe(false);
    expect(verifyPagerDutySignature(body, pagerDutySignature(body, 'guess'), ['secret-a'])).toBe(false);
    expect(verifyPagerDutySignature(`${body} `, pagerDutySignature(body, 'secret-a'), ['secret-a'])).toBe(false);
    expect(verifyPagerDutySignature(body, pagerDutySignature(body, 'secret-a').replace('v1=', 'v0='), ['secret-a'])).toBe(false);
    expect(verifyPagerDutySignature(body, pagerDutySignature(body, 'secret-a'), [])).toBe(false);
  });

  it("names burnwatch's alert by the incident key, and ignores what is not burnwatch's or not an ack/resolve", () => {
    expect(parsePagerDutyWebhook(JSON.parse(pagerDutyWebhookBody('incident.acknowledged', incident, 'Maeve')))).toMatchObject({
      source: 'pagerduty',
      action: 'acknowledged',
      sloId: 'hstu-ranker/availability',
      severity: 'page',
      actor: 'Maeve',
    });
    expect(parsePagerDutyWebhook(JSON.parse(pagerDutyWebhookBody('incident.resolved', incident)))).toMatchObject({ action: 'resolved' });
    expect(parsePagerDutyWebhook(JSON.parse(pagerDutyWebhookBody('incident.triggered', incident)))).toEqual({ ignored: 'event incident.triggered changes nothing in burnwatch' });
    expect(parsePagerDutyWebhook(JSON.parse(pagerDutyWebhookBody('incident.acknowledged', { ...incident, dedupKey: 'from-datadog' })))).toEqual({ ignored: 'the incident was not opened by burnwatch' });
    expect(parsePagerDutyWebhook(null)).toEqual({ ignored: 'not a PagerDuty v3 incident event' });
  });
});

describe('Opsgenie outgoing webhooks', () => {
  it('checks the shared token in constant time and reads acknowledge and close', () => {
    expect(verifyToken('tok-123', 'tok-123')).toBe(true);
    expect(verifyToken('tok-124', 'tok-123')).toBe(false);
    expect(verifyToken(undefined, 'tok-123')).toBe(false);
    const now = new Date('2026-11-27T03:00:00Z');
    const body = { action: 'Acknowledge', alert: { alertId: 'a1', alias: 'burnwatch/feature-store/feature-availability/page', username: 'ana@example.com', updatedAt: 1_764_212_400_000_000_000 } };
    expect(parseOpsgenieWebhook(body, now)).toMatchObject({ source: 'opsgenie', action: 'acknowledged', sloId: 'feature-store/feature-availability', actor: 'ana@example.com' });
    expect(parseOpsgenieWebhook({ ...body, action: 'Close' }, now)).toMatchObject({ action: 'resolved' });
    expect(parseOpsgenieWebhook({ ...body, action: 'AddNote' }, now)).toEqual({ ignored: 'action AddNote changes nothing in burnwatch' });
  });
});

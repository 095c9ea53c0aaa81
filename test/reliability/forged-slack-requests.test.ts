// 1 000 forged, unsigned, replayed or mutated Slack requests against the real Bolt app: every one
// is refused, and none changes anything (no incident, no timeline row, no outbox entry, no call
// to Slack, no response). A correctly signed request afterwards still works.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, VIEW } from '../../src/slack/action-ids.ts';
import { TEAM_ID } from '../fakes/slack-api.ts';
import { SIGNING_SECRET, SlackHarness } from '../helpers/slack-harness.ts';
import { rankerSlo } from '../slack/alert-fixtures.ts';

const COUNT = 1000;
const alice = { id: 'UALICE01', name: 'alice' };

function sign(secret: string, body: string, ts: number): { ts: string; sig: string } {
  return { ts: String(ts), sig: `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}` };
}

/** Bodies Slack really sends: slash commands, button clicks, modal submissions, events. */
function validBody(i: number, responseUrl: string): { body: string; type: string } {
  switch (i % 4) {
    case 0:
      return { type: 'application/x-www-form-urlencoded', body: new URLSearchParams({ team_id: TEAM_ID, user_id: alice.id, user_name: 'alice', command: '/incident', text: `open forged ${i}`, channel_id: 'C0ALERTS1', response_url: responseUrl, trigger_id: `t${i}` }).toString() };
    case 1: {
      const payload = { type: 'block_actions', team: { id: TEAM_ID }, user: { id: alice.id, username: 'alice' }, trigger_id: `t${i}`, channel: { id: 'C0ALERTS1' }, response_url: responseUrl, container: { type: 'message', channel_id: 'C0ALERTS1', message_ts: '1763800000.000001' }, actions: [{ type: 'button', action_id: ACTION.alertOpenIncident, block_id: 'b', value: '1', action_ts: '1763800000.0001' }] };
      return { type: 'application/x-www-form-urlencoded', body: `payload=${encodeURIComponent(JSON.stringify(payload))}` };
    }
    case 2: {
      const payload = { type: 'view_submission', team: { id: TEAM_ID }, user: { id: alice.id, username: 'alice' }, trigger_id: `t${i}`, view: { id: 'V1', type: 'modal', callback_id: VIEW.resolveIncident, private_metadata: '1', state: { values: {} } } };
      return { type: 'application/x-www-form-urlencoded', body: `payload=${encodeURIComponent(JSON.stringify(payload))}` };
    }
    default:
      return { type: 'application/json', body: JSON.stringify({ type: 'event_callback', team_id: TEAM_ID, event_id: `Ev${i}`, event: { type: 'reaction_added', user: alice.id, reaction: 'pushpin', item: { type: 'message', channel: 'C0INC0001', ts: '1763800000.000002' }, event_ts: '1763800000.000003' } }) };
  }
}

/** The ways a request is forged or tampered with; each yields headers and body to send. */
const FORGERIES: Array<{ name: string; make: (body: string, now: number) => { headers: Record<string, string>; body: string } }> = [
  { name: 'unsigned', make: (body) => ({ headers: {}, body }) },
  { name: 'wrong secret', make: (body, now) => headersOf(sign('not-the-secret', body, now), body) },
  { name: 'replayed after 6 minutes', make: (body, now) => headersOf(sign(SIGNING_SECRET, body, now - 360), body) },
  { name: 'replayed after a day', make: (body, now) => headersOf(sign(SIGNING_SECRET, body, now - 86_400), body) },
  { name: 'from 10 minutes in the future', make: (body, now) => headersOf(sign(SIGNING_SECRET, body, now + 600), body) },
  {
    name: 'body changed after signing (another user)',
    make: (body, now) => {
      const forged = body.replace('UALICE01', 'UMALLORY');
      if (forged === body) throw new Error('the mutation must change the body');
      return headersOf(sign(SIGNING_SECRET, body, now), forged);
    },
  },
  {
    name: 'one signature digit flipped',
    make: (body, now) => {
      const s = sign(SIGNING_SECRET, body, now);
      const last = s.sig.at(-1) === '0' ? '1' : '0';
      return headersOf({ ts: s.ts, sig: s.sig.slice(0, -1) + last }, body);
    },
  },
  { name: 'timestamp changed after signing', make: (body, now) => headersOf({ ts: String(now - 1), sig: sign(SIGNING_SECRET, body, now).sig }, body) },
  { name: 'not a number as timestamp', make: (body, now) => headersOf({ ts: 'now', sig: sign(SIGNING_SECRET, body, now).sig }, body) },
  { name: 'v1 signature scheme', make: (body, now) => headersOf({ ts: String(now), sig: sign(SIGNING_SECRET, body, now).sig.replace('v0=', 'v1=') }, body) },
];

function headersOf(s: { ts: string; sig: string }, body: string) {
  return { headers: { 'x-slack-request-timestamp': s.ts, 'x-slack-signature': s.sig }, body };
}

async function count(h: SlackHarness, table: string): Promise<number> {
  const { rows } = await h.store.db.query(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

describe(`${COUNT} forged Slack requests`, () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await new SlackHarness({ slos: [rankerSlo()] }).start();
  });
  afterAll(() => h.stop());

  it('are all refused and change nothing', async () => {
    const url = h.requester['url'] as string;
    const callsBefore = h.slack.calls.length;
    const statuses = new Map<string, number[]>();
    let next = 0;
    const worker = async () => {
      while (next < COUNT) {
        const i = next++;
        const forgery = FORGERIES[i % FORGERIES.length]!;
        const valid = validBody(Math.floor(i / FORGERIES.length), h.slack.responseUrl(`forged-${i}`));
        const { headers, body } = forgery.make(valid.body, Math.floor(Date.now() / 1000));
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': valid.type, ...headers }, body });
        await res.arrayBuffer();
        statuses.set(forgery.name, [...(statuses.get(forgery.name) ?? []), res.status]);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    for (const [name, codes] of statuses) expect(new Set(codes), name).toEqual(new Set([401]));
    expect([...statuses.values()].flat()).toHaveLength(COUNT);
    expect(await count(h, 'incidents')).toBe(0);
    expect(await count(h, 'incident_timeline')).toBe(0);
    expect(await count(h, 'outbox')).toBe(0);
    expect(await count(h, 'audit_log')).toBe(0);
    expect(h.slack.calls.length).toBe(callsBefore);
    expect(h.slack.responses).toHaveLength(0);
  });

  it('still serves a correctly signed request afterwards', async () => {
    const res = await h.requester.command({ user: alice, command: '/incident', text: 'list', channel: 'C0ALERTS1', responseUrl: h.slack.responseUrl('ok') });
    expect(res.status).toBe(200);
    expect(h.slack.responses.at(-1)?.body).toMatchObject({ response_type: 'ephemeral' });
  });
});

// When Slack accepts a post but its answer never reaches burnwatch (the connection drops
// after Slack stored the message), the retry must not post it again: it finds the message
// in the channel by the metadata it was posted with and adopts its ts. When the call never
// reached Slack, the retry posts it, once. The crash variant (the process killed while
// Slack's answer is on its way) is test/reliability/slack-crash-after-post.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { BOT_USER_ID } from '../fakes/slack-api.ts';
import { SlackHarness } from '../helpers/slack-harness.ts';
import { AlertFeed, evaluationAt, rankerSlo } from './alert-fixtures.ts';

const alice = { id: 'UALICE01', name: 'alice' };
const slo = rankerSlo();
const PAGE_BURN: Array<[number, number]> = [[20, 100], [8, 40], [2, 10], [0.7, 3]];

describe('a post whose answer is lost', () => {
  let h: SlackHarness;
  const f = new AlertFeed();
  let channel: string;
  beforeAll(async () => {
    h = await new SlackHarness({ slos: [slo] }).start();
    channel = h.slack.addChannel('recs-oncall', [alice.id]);
  });
  afterAll(() => h.stop());

  async function page(): Promise<void> {
    const evaluation = evaluationAt(slo, h.clock.now(), PAGE_BURN, 0.9);
    await saveEvaluation(h.store.db, evaluation);
    const lane = 'slack:#recs-oncall';
    for (const intent of f.step(evaluation)) {
      await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|${lane}`, channel: lane, kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo), at: h.clock.now() });
    }
  }

  const botMessages = (id: string) => h.slack.messagesIn(id).filter((m) => m.user === BOT_USER_ID);
  const storedRef = async (key: string) => (await h.store.db.query<{ channel: string; ts: string }>('SELECT channel, ts FROM slack_messages WHERE key = $1', [key])).rows[0];
  const openAttempts = async () => (await h.store.db.query<{ key: string }>('SELECT key FROM slack_post_attempts')).rows.map((r) => r.key);

  it('finds the alert message in the channel (through pages of history and a 429) and adopts it instead of posting twice', async () => {
    await page();
    h.slack.failNext('chat.postMessage', { drop: 'response' });
    await h.deliver();
    // Slack has the message; burnwatch never heard back.
    const [posted] = botMessages(channel);
    expect(posted).toBeDefined();
    expect(posted!.metadata).toMatchObject({ event_type: 'burnwatch_notification', event_payload: { key: 'alert:1' } });
    expect(h.slack.callsTo('chat.postMessage').map((c) => c.lost)).toEqual(['response']);
    expect((await h.pendingOutbox())[0]).toMatchObject({ kind: 'slack.alert.sync', attempts: 1 });
    expect((await h.pendingOutbox())[0]!.lastError).toMatch(/^slack: request failed/);
    expect(await storedRef('alert:1')).toBeUndefined();
    expect(await openAttempts()).toEqual(['alert:1']);

    // A busy channel meanwhile: the lost message is now beyond the first page of history.
    for (let i = 0; i < 250; i++) h.slack.postAsUser(channel, alice.id, `looking at it (${i})`);
    h.slack.failNext('conversations.history', { status: 429, retryAfter: 20 });
    h.clock.advance(5);
    await h.deliver();
    expect(h.slack.callsTo('conversations.history').map((c) => c.outcome)).toEqual(['http_429']);
    expect((await h.pendingOutbox())[0]!.lastError).toBe('slack: rate limited, retry after 20 s');
    h.clock.advance(19);
    await h.deliver();
    expect(h.slack.callsTo('conversations.history')).toHaveLength(1);

    h.clock.advance(1);
    await h.deliver();
    expect(await h.pendingOutbox()).toEqual([]);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(botMessages(channel)).toHaveLength(1);
    expect(await storedRef('alert:1')).toEqual({ channel, ts: posted!.ts });
    expect(await openAttempts()).toEqual([]);
    // "#recs-oncall" was looked up by name; history was read with metadata, from the first attempt on, across pages.
    expect(h.slack.okCallsTo('conversations.list')).toHaveLength(1);
    const reads = h.slack.okCallsTo('conversations.history');
    expect(reads).toHaveLength(2);
    for (const r of reads) expect(r.params).toMatchObject({ channel, include_all_metadata: 'true' });
    expect(Number(reads[0]!.params['oldest'])).toBeLessThanOrEqual(Number(posted!.ts));
    expect(reads[0]!.params['cursor']).toBeUndefined();
    expect(reads[1]!.params['cursor']).toEqual(expect.any(String));
    // The adopted message is brought up to date and keeps being updated in place.
    expect(h.slack.okCallsTo('chat.update').at(-1)!.params['ts']).toBe(posted!.ts);
    await h.requester.blockAction({ user: alice, actionId: ACTION.alertAck, value: '1', channel, messageTs: posted!.ts, responseUrl: h.slack.responseUrl() });
    await h.deliver();
    expect(botMessages(channel)).toHaveLength(1);
    expect(JSON.stringify(botMessages(channel)[0]!.blocks)).toContain(`Acknowledged by <@${alice.id}>`);
  });

  it('posts once when the lost call never reached Slack', async () => {
    await h.requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: '1', channel, responseUrl: h.slack.responseUrl() });
    h.slack.failNext('chat.postMessage', { drop: 'request' });
    await h.deliver();
    const incidentChannel = h.slack.channelByName('inc-20261122-ranker-latency')!;
    expect(botMessages(incidentChannel.id)).toHaveLength(0);
    expect(await openAttempts()).toEqual(['incident:1:summary']);

    h.clock.advance(5);
    await h.deliver();
    expect(await h.pendingOutbox()).toEqual([]);
    expect(h.slack.callsTo('chat.postMessage').slice(-2).map((c) => c.outcome)).toEqual(['dropped_request', 'ok']);
    expect(botMessages(incidentChannel.id)).toHaveLength(1);
    // The channel id was known: no look-up by name; one read of its history found nothing.
    expect(h.slack.okCallsTo('conversations.list')).toHaveLength(1);
    expect(h.slack.okCallsTo('conversations.history').at(-1)!.params['channel']).toBe(incidentChannel.id);
    const [summary] = botMessages(incidentChannel.id);
    expect(await storedRef('incident:1:summary')).toEqual({ channel: incidentChannel.id, ts: summary!.ts });
    expect(h.slack.pins.get(incidentChannel.id)).toEqual(new Set([summary!.ts]));
    expect(await openAttempts()).toEqual([]);
  });

  it('does not search after Slack said no: a 429 on the post itself is simply retried', async () => {
    const before = h.slack.calls.length;
    await h.requester.command({ user: alice, command: '/incident', text: 'update #1 rolled back the ranker', channel, responseUrl: h.slack.responseUrl() });
    h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 3 });
    await h.deliver();
    h.clock.advance(3);
    await h.deliver();
    const calls = h.slack.calls.slice(before).map((c) => `${c.method} ${c.outcome}`);
    expect(calls.filter((c) => c.startsWith('chat.postMessage'))).toEqual(['chat.postMessage http_429', 'chat.postMessage ok']);
    expect(calls.some((c) => c.startsWith('conversations.history'))).toBe(false);
    const incidentChannel = h.slack.channelByName('inc-20261122-ranker-latency')!;
    expect(botMessages(incidentChannel.id).filter((m) => m.text.includes('rolled back the ranker'))).toHaveLength(1);
  });

  it('still delivers when it cannot read the channel (missing scope), and says why', async () => {
    await h.requester.command({ user: alice, command: '/incident', text: 'update #1 traffic back to normal', channel, responseUrl: h.slack.responseUrl() });
    h.slack.failNext('chat.postMessage', { drop: 'response' });
    h.slack.failNext('conversations.history', { error: 'missing_scope' });
    await h.deliver();
    h.clock.advance(5);
    await h.deliver();
    expect(await h.pendingOutbox()).toEqual([]);
    const incidentChannel = h.slack.channelByName('inc-20261122-ranker-latency')!;
    // Posted twice: better than a lost message, and the log names the reason.
    expect(botMessages(incidentChannel.id).filter((m) => m.text.includes('traffic back to normal'))).toHaveLength(2);
    expect(h.logLines.join('\n')).toContain('cannot tell whether an earlier post reached the channel');
    expect(h.logLines.join('\n')).toContain('Slack refused: missing_scope');
  });
});

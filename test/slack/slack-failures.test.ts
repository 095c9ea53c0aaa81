// Every message and state change survives Slack errors (429 with Retry-After, 500,
// ok:false) and a restart of burnwatch: the outbox retries, jobs resume from what the
// store says was done, and nothing is posted twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTimeline } from '../../src/incidents/incident-store.ts';
import { advanceIncidents, notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { SlackHarness } from '../helpers/slack-harness.ts';
import { AlertFeed, evaluationAt, rankerSlo } from './alert-fixtures.ts';

const alice = { id: 'UALICE01', name: 'alice' };
const slo = rankerSlo();

describe('Slack errors and restarts', () => {
  let h: SlackHarness;
  const f = new AlertFeed();
  let channel: string;
  beforeAll(async () => {
    h = await new SlackHarness({ slos: [slo] }).start();
    channel = h.slack.addChannel('recs-oncall', [alice.id]);
  });
  afterAll(() => h.stop());

  async function evaluate(burns: Array<[number, number]>, budget: number): Promise<void> {
    const evaluation = evaluationAt(slo, h.clock.now(), burns, budget);
    await saveEvaluation(h.store.db, evaluation);
    for (const intent of f.step(evaluation)) {
      const lane = 'slack:#recs-oncall';
      await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|${lane}`, channel: lane, kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo), at: h.clock.now() });
    }
    // As the evaluation cycle does: the open incidents move on (mitigated once the burn stops).
    await advanceIncidents(h.store.db, [evaluation], h.clock.now(), [(i) => [`slack:incident-${i.id}`]]);
  }

  it('waits out a 429 for as long as Retry-After says, then posts once', async () => {
    await evaluate([[20, 100], [8, 40], [2, 10], [0.7, 3]], 0.9);
    h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    await h.deliver();
    expect(h.slack.messagesIn(channel)).toHaveLength(0);
    expect((await h.pendingOutbox())[0]).toMatchObject({ kind: 'slack.alert.sync', attempts: 1, lastError: 'slack: rate limited, retry after 30 s' });
    h.clock.advance(29);
    await h.deliver();
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(1);
    h.clock.advance(1);
    await h.deliver();
    expect(h.slack.callsTo('chat.postMessage').map((c) => c.outcome)).toEqual(['http_429', 'ok']);
    expect(h.slack.messagesIn(channel)).toHaveLength(1);
    expect(await h.pendingOutbox()).toEqual([]);
  });

  it('retries an update Slack answered with 500, keeping the message in place', async () => {
    const [message] = h.slack.messagesIn(channel);
    const before = h.slack.callsTo('chat.update').length;
    await h.requester.blockAction({ user: alice, actionId: ACTION.alertAck, value: '1', channel, messageTs: message!.ts, responseUrl: h.slack.responseUrl() });
    h.slack.failNext('chat.update', { status: 500 }, { error: 'internal_error' });
    await h.deliver();
    h.clock.advance(5);
    await h.deliver();
    h.clock.advance(10);
    await h.deliver();
    expect(h.slack.callsTo('chat.update').slice(before).map((c) => c.outcome)).toEqual(['http_500', 'internal_error', 'ok']);
    expect(JSON.stringify(h.slack.messagesIn(channel)[0]!.blocks)).toContain('Acknowledged by <@UALICE01>');
    expect(h.slack.messagesIn(channel)).toHaveLength(1);
  });

  it('does not retry what Slack refuses for good, and says why', async () => {
    h.slack.failNext('chat.update', { error: 'channel_not_found' });
    await h.requester.blockAction({ user: alice, actionId: ACTION.alertSilence, selectedOption: '1:1h', channel, responseUrl: h.slack.responseUrl() });
    await h.deliver();
    const { rows } = await h.store.db.query<{ failed_at: Date | null; last_error: string }>("SELECT failed_at, last_error FROM outbox WHERE kind = 'slack.alert.sync' ORDER BY id DESC LIMIT 1");
    expect(rows[0]!.failed_at).not.toBeNull();
    expect(rows[0]!.last_error).toBe('slack: Slack refused: channel_not_found');
  });

  it('finishes opening an incident after Slack errors and a restart, without doing any step twice', async () => {
    await h.requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: '1', channel, responseUrl: h.slack.responseUrl() });
    h.slack.failNext('pins.add', { status: 500 });
    await h.deliver();
    const incidentChannel = h.slack.channelByName('inc-20261122-ranker-latency')!;
    expect(h.slack.messagesIn(incidentChannel.id)).toHaveLength(1);
    expect(h.slack.pins.get(incidentChannel.id)).toBeUndefined();

    await h.restart();
    h.clock.advance(60);
    await h.deliver();
    expect(h.slack.okCallsTo('conversations.create')).toHaveLength(1);
    expect(h.slack.okCallsTo('conversations.invite')).toHaveLength(1);
    expect(h.slack.messagesIn(incidentChannel.id)).toHaveLength(1);
    expect(h.slack.pins.get(incidentChannel.id)?.size).toBe(1);
    const timeline = await listTimeline(h.store.db, 1);
    expect(timeline.filter((e) => e.text === 'alice opened the incident from the alert')).toHaveLength(1);
  });

  it('keeps the alert state across a restart: a resolution updates the message posted before', async () => {
    await h.restart();
    h.clock.advance(1800);
    await evaluate([[5, 0.2], [3, 0.5], [1, 0.5], [0.5, 0.2]], 0.86);
    await h.deliver();
    expect(h.slack.messagesIn(channel)).toHaveLength(1);
    expect(h.slack.messagesIn(channel)[0]!.text).toMatch(/^RESOLVED page/);
    const incidentChannel = h.slack.channelByName('inc-20261122-ranker-latency')!;
    expect(h.slack.messagesIn(incidentChannel.id)[0]!.text).toContain('(mitigated)');
  });
});

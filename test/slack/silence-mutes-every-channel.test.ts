// A silence is a mute stage every notifier passes through: set from Slack's alert message, it
// holds back the SLO's alerts on the webhook channel too, lets other SLOs' alerts through, and
// ends when it expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookNotifier } from '../../src/notify/webhook-notifier.ts';
import { notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { SlackHarness } from '../helpers/slack-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { AlertFeed, evaluationAt, rankerSlo } from './alert-fixtures.ts';

const bob = { id: 'UBOB0001', name: 'bob' };
const ranker = rankerSlo();
const other = { ...ranker, id: 'features/freshness', name: 'freshness', service: 'features' };
const PAGE: Array<[number, number]> = [[20, 100], [2, 3], [2, 10], [0.7, 3]];
const BOTH_PAGES: Array<[number, number]> = [[20, 100], [8, 40], [2, 10], [0.7, 3]];

describe('a silence set from Slack', () => {
  let h: SlackHarness;
  let hook: WebhookReceiver;
  const feeds = new Map([[ranker.id, new AlertFeed()], [other.id, new AlertFeed()]]);
  beforeAll(async () => {
    hook = await startWebhookReceiver();
    h = new SlackHarness({ slos: [ranker, other], notifiers: [webhookNotifier({ url: hook.url, secret: 'webhook-secret-0123456789', clock: { now: () => h.clock.now() } })] });
    await h.start();
    h.slack.addChannel('recs-oncall', [bob.id]);
  });
  afterAll(async () => {
    await h?.stop();
    await hook?.close();
  });

  /** As the cycle does: store the evaluation, step the state machine, enqueue for Slack and the webhook. */
  async function evaluate(slo: typeof ranker, burns: Array<[number, number]>): Promise<void> {
    const evaluation = evaluationAt(slo, h.clock.now(), burns, 0.9);
    await saveEvaluation(h.store.db, evaluation);
    for (const intent of feeds.get(slo.id)!.step(evaluation)) {
      for (const channel of ['slack:#recs-oncall', 'webhook']) {
        await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|${channel}`, channel, kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo), at: h.clock.now() });
      }
    }
    await h.deliver();
  }
  const firingAtWebhook = () => hook.accepted().filter((r) => r.json['kind'] === 'alert.firing').map((r) => `${r.json['slo']} ${r.json['tier']}`);

  it('mutes the SLO on the webhook as well, not other SLOs, until it expires', async () => {
    await evaluate(ranker, PAGE);
    expect(firingAtWebhook()).toEqual(['ranker/latency page-1h-5m']);

    await h.requester.blockAction({ user: bob, actionId: ACTION.alertSilence, selectedOption: '1:1h', channel: 'C0', responseUrl: h.slack.responseUrl('silence') });
    await h.deliver();
    expect(String(h.slack.responses.find((r) => r.id === 'silence')?.body['text'])).toContain('Silenced until');

    h.clock.advance(300);
    await evaluate(ranker, BOTH_PAGES); // the 6h/30m tier fires while silenced
    await evaluate(other, PAGE);
    expect(firingAtWebhook()).toEqual(['ranker/latency page-1h-5m', 'features/freshness page-1h-5m']);
    const { rows } = await h.store.db.query<{ result: unknown }>(`SELECT result FROM outbox WHERE channel = 'webhook' AND idempotency_key LIKE '%page-6h-30m%'`);
    expect(rows.map((r) => (typeof r.result === 'string' ? JSON.parse(r.result) : r.result))).toEqual([{ muted: true }]);

    h.clock.advance(3600); // the silence has expired
    await evaluate(ranker, PAGE); // 6h/30m resets
    await evaluate(ranker, BOTH_PAGES); // and fires again: delivered
    expect(firingAtWebhook()).toEqual(['ranker/latency page-1h-5m', 'features/freshness page-1h-5m', 'ranker/latency page-6h-30m']);
  });
});

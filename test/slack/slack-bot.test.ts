// The real Bolt app over loopback, driven by signed requests, against the recording
// Slack fake; the real outbox dispatcher delivers what the bot decided.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPostmortem, listTimeline } from '../../src/incidents/incident-store.ts';
import { alertmanagerPayload, receiveAlertmanager } from '../../src/service/http/alertmanager-webhook.ts';
import { ACTION, RESOLVE_BLOCK, RESOLVE_INPUT, VIEW } from '../../src/slack/action-ids.ts';
import { advanceIncidents, notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { SIGNING_SECRET, SlackHarness } from '../helpers/slack-harness.ts';
import { AlertFeed, evaluationAt, rankerSlo } from './alert-fixtures.ts';
import { featureStoreLagPage } from '../fixtures/alertmanager.ts';

const alice = { id: 'UALICE01', name: 'alice' };
const bob = { id: 'UBOB0001', name: 'bob' };
const slo = rankerSlo();
const PAGE_BURN: Array<[number, number]> = [[20, 100], [8, 40], [2, 10], [0.7, 3]];
const CALM: Array<[number, number]> = [[12, 0.5], [7, 5], [2, 1], [0.7, 0.5]];

/** What the service's evaluation cycle does with an evaluation: store it, step the state machine, enqueue, advance the open incidents. */
async function feed(h: SlackHarness, f: AlertFeed, burns: Array<[number, number]>, budget: number): Promise<void> {
  const evaluation = evaluationAt(slo, h.clock.now(), burns, budget);
  await saveEvaluation(h.store.db, evaluation);
  const channel = 'slack:#recs-oncall';
  for (const intent of f.step(evaluation)) {
    await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|${channel}`, channel, kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo), at: h.clock.now() });
  }
  await advanceIncidents(h.store.db, [evaluation], h.clock.now(), [(i) => [`slack:incident-${i.id}`]]);
  await h.deliver();
}

function textOf(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

describe('Slack request verification', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await new SlackHarness({ slos: [slo] }).start();
  });
  afterAll(() => h.stop());

  const list = (opts: object) => h.requester.command({ user: alice, command: '/incident', text: 'list', channel: 'C0', responseUrl: h.slack.responseUrl('list') }, opts);

  it('accepts a correctly signed request and answers it', async () => {
    const res = await list({});
    expect(res.status).toBe(200);
    expect(h.slack.responses.at(-1)?.body).toMatchObject({ response_type: 'ephemeral', text: 'No open incidents. :tada:' });
  });

  it('refuses forged, unsigned, replayed (stale) and far-future requests before any listener runs', async () => {
    const before = h.slack.responses.length;
    const now = Math.floor(Date.now() / 1000);
    expect((await list({ secret: 'not-the-signing-secret' })).status).toBe(401);
    expect((await list({ unsigned: true })).status).toBe(401);
    expect((await list({ timestamp: now - 10 * 60 })).status).toBe(401);
    expect((await list({ timestamp: now + 10 * 60 })).status).toBe(401);
    expect((await list({ timestamp: now + 24 * 3600 })).status).toBe(401);
    expect(h.slack.responses.length).toBe(before);
    expect(h.logLines.join('\n')).toContain('in the future');
  });

  it('refuses a body changed after signing', async () => {
    const body = new URLSearchParams({ command: '/incident', text: 'list', user_id: alice.id, user_name: 'alice', channel_id: 'C0', response_url: h.slack.responseUrl() }).toString();
    const { signSlackRequest } = await import('../fakes/slack-requests.ts');
    const headers = signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000));
    const res = await fetch(h.requester['url'], { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: body.replace('list', 'open') });
    expect(res.status).toBe(401);
  });
});

describe('alert messages', () => {
  let h: SlackHarness;
  const f = new AlertFeed();
  let channel: string;
  beforeAll(async () => {
    h = await new SlackHarness({ slos: [slo] }).start();
    channel = h.slack.addChannel('recs-oncall', [alice.id, bob.id]);
    await h.store.db.query(
      `INSERT INTO change_events (at, kind, subject, summary, service, actor, received_at) VALUES ($1, 'deploy', 'ranker v42', 'new HSTU checkpoint', 'ranker', 'ci-bot', $1)`,
      [new Date('2026-11-22T02:55:00Z')],
    );
  });
  afterAll(() => h.stop());

  it('posts one message when the page tier fires, with windows, budget, runbook and the suspected change', async () => {
    await feed(h, f, PAGE_BURN, 0.9);
    const posts = h.slack.okCallsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    const [message] = h.slack.messagesIn(channel);
    const text = textOf(message!.blocks);
    expect(text).toContain('*1h/5m* (page): long 20.0× · short 100× vs factor 14.4×');
    expect(text).toContain('*6h/30m* (page): long 8.00× · short 40.0× vs factor 6.00×');
    expect(text).toContain('90.0%');
    expect(text).toContain('https://git.example.com/ml/burnwatch/blob/main/playbooks/ranking-latency.md');
    expect(text).toContain('ranker v42');
    expect(message!.text).toMatch(/^FIRING page: latency/);
  });

  it('answers /slo with the status, budget and what is burning, privately', async () => {
    await h.requester.command({ user: bob, command: '/slo', text: 'ranker', channel, responseUrl: h.slack.responseUrl('slo') });
    const reply = h.slack.responses.find((r) => r.id === 'slo')!.body;
    expect(reply['response_type']).toBe('ephemeral');
    const text = JSON.stringify(reply['blocks']);
    expect(text).toContain('*ranker/latency* — page');
    expect(text).toContain('budget left 90.0%');
    expect(text).toContain(':fire: burning: 1h/5m 20.0×/100× > 14.4×');
    await h.requester.command({ user: bob, command: '/slo', text: 'nothing-like-this', channel, responseUrl: h.slack.responseUrl('slo2') });
    expect(String(h.slack.responses.find((r) => r.id === 'slo2')!.body['text'])).toBe('No SLO matches "nothing-like-this".');
  });

  it('updates the same message in place when acknowledged, and says who did', async () => {
    const [message] = h.slack.messagesIn(channel);
    h.clock.advance(120);
    const res = await h.requester.blockAction({ user: alice, actionId: ACTION.alertAck, value: '1', channel, messageTs: message!.ts, responseUrl: h.slack.responseUrl('ack') });
    expect(res.status).toBe(200);
    await h.deliver();
    expect(h.slack.okCallsTo('chat.postMessage')).toHaveLength(1);
    const updates = h.slack.okCallsTo('chat.update');
    expect(updates.at(-1)!.params['ts']).toBe(message!.ts);
    expect(textOf(h.slack.messagesIn(channel)[0]!.blocks)).toContain(`Acknowledged by <@${alice.id}>`);
    // A second click is a person's mistake: a private, friendly answer.
    await h.requester.blockAction({ user: bob, actionId: ACTION.alertAck, value: '1', channel, messageTs: message!.ts, responseUrl: h.slack.responseUrl('ack2') });
    expect(h.slack.responses.find((r) => r.id === 'ack2')?.body).toMatchObject({ response_type: 'ephemeral', text: ':warning: Already acknowledged by alice.' });
  });

  it('silences from the select menu and shows it', async () => {
    await h.requester.blockAction({ user: bob, actionId: ACTION.alertSilence, selectedOption: '1:4h', channel, responseUrl: h.slack.responseUrl('silence') });
    await h.deliver();
    expect(textOf(h.slack.messagesIn(channel)[0]!.blocks)).toContain(`Silenced by <@${bob.id}> until`);
    expect(String(h.slack.responses.find((r) => r.id === 'silence')?.body['text'])).toContain('Silenced until');
  });

  it('marks the message resolved in place when the page tiers reset; still one message', async () => {
    h.clock.advance(1800);
    await feed(h, f, [[5, 0.2], [3, 0.5], [1, 0.5], [0.5, 0.2]], 0.86);
    expect(h.slack.okCallsTo('chat.postMessage')).toHaveLength(1);
    const [message] = h.slack.messagesIn(channel);
    expect(message!.text).toMatch(/^RESOLVED page/);
    expect(message!.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
  });

  it('gives an error id, also logged, for an unexpected failure', async () => {
    await h.requester.blockAction({ user: bob, actionId: ACTION.alertAck, value: 'not-a-number', channel, responseUrl: h.slack.responseUrl('bad') });
    const reply = String(h.slack.responses.find((r) => r.id === 'bad')?.body['text']);
    const id = /error id `([0-9a-f]{8})`/.exec(reply)?.[1];
    expect(id).toBeDefined();
    expect(h.logLines.filter((l) => l.includes(`"errorId":"${id}"`))).toHaveLength(1);
  });
});

describe('incidents', () => {
  let h: SlackHarness;
  const f = new AlertFeed();
  let alertChannel: string;
  beforeAll(async () => {
    h = await new SlackHarness({ slos: [slo], config: { owners: { 'recs-serving': { oncallUsergroup: 'SONCALL01' } } } }).start();
    alertChannel = h.slack.addChannel('recs-oncall', [alice.id, bob.id]);
    h.slack.addUsergroup('SONCALL01', ['UCAROL01', 'UDAVE001']);
    h.slack.users.set(bob.id, 'bob');
    // Someone already has the obvious channel name.
    h.slack.addChannel('inc-20261122-ranker-latency');
  });
  afterAll(() => h.stop());

  it('opens an incident from the alert button: channel, on-call invited, summary posted and pinned, timeline', async () => {
    await feed(h, f, PAGE_BURN, 0.9);
    h.clock.advance(60);
    const [alertMessage] = h.slack.messagesIn(alertChannel);
    await h.requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: '1', channel: alertChannel, messageTs: alertMessage!.ts, responseUrl: h.slack.responseUrl('open') });
    h.slack.failNext('conversations.invite', { status: 500 });
    await h.deliver();
    h.clock.advance(10);
    await h.deliver(); // the invite is retried after the backoff
    const created = h.slack.channelByName('inc-20261122-ranker-latency-2');
    expect(created).toBeDefined();
    expect(h.slack.callsTo('conversations.create').map((c) => [c.params['name'], c.outcome])).toEqual([
      ['inc-20261122-ranker-latency', 'name_taken'],
      ['inc-20261122-ranker-latency-2', 'ok'],
    ]);
    expect([...created!.members].sort()).toEqual(['UALICE01', 'UBOT0001', 'UCAROL01', 'UDAVE001']);
    const [summary] = h.slack.messagesIn(created!.id);
    expect(summary!.text).toContain('Incident #1 (investigating)');
    expect(h.slack.pins.get(created!.id)?.has(summary!.ts)).toBe(true);
    expect(textOf(summary!.blocks)).toContain(`*Commander*\\n<@${alice.id}>`);
    expect(textOf(h.slack.messagesIn(alertChannel)[0]!.blocks)).toContain('Incident #1 open');
    const timeline = await listTimeline(h.store.db, 1);
    expect(timeline.map((e) => e.text)).toEqual([
      'Burn started (estimated from the burn rates and the evaluations before)',
      'page alert fired for ranker/latency (1h/5m, 6h/30m)',
      'alice opened the incident from the alert',
      'Invited the on-call group <!subteam^SONCALL01> (3 people)',
    ]);
    // The onset estimate: 1h × 20/100 = 12 min before the alert fired.
    expect(timeline[0]!.at.toISOString()).toBe('2026-11-22T02:48:00.000Z');
  });

  it('lets someone take command, posts updates, and adds :pushpin:-ed messages to the timeline', async () => {
    const channel = h.slack.channelByName('inc-20261122-ranker-latency-2')!.id;
    await h.requester.blockAction({ user: bob, actionId: ACTION.incidentTakeCommand, value: '1', channel, responseUrl: h.slack.responseUrl() });
    await h.requester.command({ user: bob, command: '/incident', text: 'update rolling back ranker to v41', channel, responseUrl: h.slack.responseUrl('upd') });
    const note = h.slack.postAsUser(channel, 'UCAROL01', 'p99 is back under 150 ms on canary');
    await h.requester.event({ type: 'reaction_added', user: bob.id, reaction: 'pushpin', item: { type: 'message', channel, ts: note.ts }, item_user: 'UCAROL01', event_ts: `${Math.floor(h.clock.now().getTime() / 1000)}.000200` });
    // Slack redelivers events it thinks were lost: the pin must be added once.
    await h.requester.event({ type: 'reaction_added', user: bob.id, reaction: 'pushpin', item: { type: 'message', channel, ts: note.ts }, item_user: 'UCAROL01', event_ts: `${Math.floor(h.clock.now().getTime() / 1000)}.000200` });
    await h.incidents.recordAction('ranker/latency', bob, { action: 'rollback', target: 'Deployment recs/hstu-ranker', outcome: 'revision 41 serving' }, 'rollback-1');
    await h.deliver();
    const texts = (await listTimeline(h.store.db, 1)).map((e) => e.text);
    expect(texts).toContain('bob: rollback Deployment recs/hstu-ranker → revision 41 serving');
    expect(h.slack.messagesIn(channel).some((m) => m.text === ':hammer_and_wrench: bob: rollback Deployment recs/hstu-ranker → revision 41 serving')).toBe(true);
    expect(texts).toContain('bob took over as incident commander (was alice)');
    expect(texts).toContain('bob: rolling back ranker to v41');
    expect(texts.filter((t) => t.includes('p99 is back under 150 ms on canary'))).toEqual([':pushpin: <@UCAROL01>: p99 is back under 150 ms on canary']);
    const posted = h.slack.messagesIn(channel).map((m) => m.text);
    expect(posted).toContain(`:mega: Update from <@${bob.id}>: rolling back ranker to v41`);
    expect(textOf(h.slack.messagesIn(channel)[0]!.blocks)).toContain(`*Commander*\\n<@${bob.id}>`);
  });

  it('marks the incident mitigated by itself when the burn stops (shortest window below 1x), and says so', async () => {
    h.clock.advance(600);
    await feed(h, f, CALM, 0.85);
    const channel = h.slack.channelByName('inc-20261122-ranker-latency-2')!.id;
    expect(h.slack.messagesIn(channel).some((m) => m.text.includes('burnwatch marked the incident *mitigated*'))).toBe(true);
    expect(h.slack.messagesIn(channel)[0]!.text).toContain('(mitigated)');
  });

  it('resolves through the modal (a summary is required) and posts the post-mortem draft', async () => {
    const channel = h.slack.channelByName('inc-20261122-ranker-latency-2')!.id;
    h.clock.advance(900);
    await h.requester.blockAction({ user: bob, actionId: ACTION.incidentResolve, value: '1', channel, responseUrl: h.slack.responseUrl() });
    expect(h.slack.views.at(-1)?.view['callback_id']).toBe(VIEW.resolveIncident);
    const metadata = String(h.slack.views.at(-1)?.view['private_metadata']);
    const empty = await h.requester.viewSubmission({ user: bob, callbackId: VIEW.resolveIncident, privateMetadata: metadata, values: { [RESOLVE_BLOCK]: { [RESOLVE_INPUT]: '  ' } } });
    expect(await empty.json()).toMatchObject({ response_action: 'errors' });
    await h.requester.viewSubmission({ user: bob, callbackId: VIEW.resolveIncident, privateMetadata: metadata, values: { [RESOLVE_BLOCK]: { [RESOLVE_INPUT]: 'ranker v42 doubled p99; rolled back to v41' } } });
    await h.deliver();
    const messages = h.slack.messagesIn(channel);
    expect(messages[0]!.text).toContain('(resolved)');
    expect(messages.some((m) => m.text === 'Post-mortem draft for incident #1')).toBe(true);
    const pm = await getPostmortem(h.store.db, 1);
    expect(pm?.markdown).toContain('ranker v42 doubled p99; rolled back to v41');
    expect(pm?.markdown).toContain('· bob — bob took over as incident commander (was alice)');
    expect(pm?.markdown).toContain('bob: rollback Deployment recs/hstu-ranker → revision 41 serving');
    await h.requester.command({ user: alice, command: '/incident', text: 'postmortem', channel, responseUrl: h.slack.responseUrl('pm') });
    await h.deliver();
    expect(h.slack.messagesIn(channel).filter((m) => m.text === 'Post-mortem draft for incident #1')).toHaveLength(2);
    // Resolving again is a person's mistake.
    await h.requester.command({ user: alice, command: '/incident', text: 'resolve done', channel, responseUrl: h.slack.responseUrl('again') });
    expect(h.slack.responses.find((r) => r.id === 'again')?.body['text']).toBe(':warning: Incident #1 is already resolved.');
  });

  it('opens from /incident open and lists open incidents', async () => {
    await h.requester.command({ user: alice, command: '/incident', text: 'open feature store lagging', channel: alertChannel, responseUrl: h.slack.responseUrl('o2') });
    await h.deliver();
    expect(h.slack.responses.find((r) => r.id === 'o2')?.body['text']).toContain('Opened incident #2');
    expect(h.slack.channelByName('inc-20261122-feature-store-lagging')).toBeDefined();
    await h.requester.command({ user: alice, command: '/incident', text: 'list', channel: alertChannel, responseUrl: h.slack.responseUrl('l') });
    const list = String(h.slack.responses.find((r) => r.id === 'l')?.body['text']);
    expect(list).toContain('#2 investigating page — feature store lagging');
    expect(list).not.toContain('#1 ');
  });

  it('opens an incident from an Alertmanager page and marks it mitigated when Alertmanager resolves it', async () => {
    const alert = (status: 'firing' | 'resolved') =>
      featureStoreLagPage({ status, fingerprint: 'a1b2c3d4', startsAt: '2026-11-22T04:10:00Z', ...(status === 'resolved' ? { endsAt: '2026-11-22T04:40:00Z' } : {}) });
    await receiveAlertmanager(h.store.db, alertmanagerPayload.parse(alert('firing')), { at: h.clock.now(), channels: ['slack:alertmanager'], actor: 'test', incidents: (q, a) => h.incidents.fromAlertmanagerIn(q, a) });
    await h.deliver();
    const channel = h.slack.channelByName('inc-20261122-feature-store-replication-lag-above-10-min');
    expect(channel).toBeDefined();
    expect(channel!.members.has('UCAROL01')).toBe(true);
    const [summary] = h.slack.messagesIn(channel!.id);
    expect(summary!.text).toBe('Incident #3 (investigating): feature store replication lag above 10 min');
    await receiveAlertmanager(h.store.db, alertmanagerPayload.parse(alert('resolved')), { at: h.clock.now(), channels: ['slack:alertmanager'], actor: 'test', incidents: (q, a) => h.incidents.fromAlertmanagerIn(q, a) });
    await h.deliver();
    expect(h.slack.messagesIn(channel!.id)[0]!.text).toContain('(mitigated)');
    expect(h.slack.messagesIn(channel!.id).some((m) => m.text.includes('Alertmanager reports *FeatureStoreLag* resolved'))).toBe(true);
    const { rows } = await h.store.db.query("SELECT status, phase, resolved_at FROM incidents WHERE id = 3");
    expect(rows[0]).toEqual({ status: 'open', phase: 'mitigated', resolved_at: null });
  });
});

describe('automatic incidents', () => {
  let h: SlackHarness;
  const embeddings = { ...rankerSlo(), id: 'embeddings/latency', service: 'embeddings' };
  beforeAll(async () => {
    h = await new SlackHarness({ slos: [slo, embeddings], config: { autoOpenIncidentOnPage: true } }).start();
    h.slack.addChannel('recs-oncall', [alice.id]);
  });
  afterAll(() => h.stop());

  it('opens an incident by itself when a page tier fires (SLACK_INCIDENT_AUTO_OPEN)', async () => {
    await feed(h, new AlertFeed(), PAGE_BURN, 0.9);
    const channel = h.slack.channelByName('inc-20261122-ranker-latency');
    expect(channel).toBeDefined();
    const [summary] = h.slack.messagesIn(channel!.id);
    expect(JSON.stringify(summary!.blocks)).toContain('by burnwatch');
    const texts = (await listTimeline(h.store.db, 1)).map((e) => e.text);
    expect(texts).toContain('burnwatch opened the incident: a page tier fired');
  });

  it('says once when an SLO goes unknown because its source stopped answering, and when it answers again', async () => {
    const f = new AlertFeed();
    const channel = h.slack.channelByName('recs-oncall')!.id;
    const unknown = () => {
      const e = evaluationAt(slo, h.clock.now(), [], 0.9);
      return { ...e, status: 'unknown' as const, sli: null, errorBudgetRemaining: null, timeToExhaustionSeconds: null, tiers: e.tiers.map((t) => ({ ...t, longBurnRate: null, shortBurnRate: null, firing: false })), error: 'prom: unreachable (connect ECONNREFUSED)' };
    };
    const before = h.slack.messagesIn(channel).length;
    for (let i = 0; i < 4; i++) {
      h.clock.advance(60);
      const e = unknown();
      await saveEvaluation(h.store.db, e);
      for (const intent of f.step(e)) {
        await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|slack:#recs-oncall`, channel: 'slack:#recs-oncall', kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo), at: h.clock.now() });
      }
      await h.deliver();
    }
    const notices = h.slack.messagesIn(channel).slice(before);
    expect(notices.map((m) => m.text)).toHaveLength(1);
    expect(notices[0]!.text).toContain('*ranker/latency* is *unknown*: its source has not answered since');
    expect(notices[0]!.text).toContain('prom: unreachable (connect ECONNREFUSED)');
    h.clock.advance(60);
    await feed(h, f, [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], 0.9);
    expect(h.slack.messagesIn(channel).at(-1)!.text).toContain('*ranker/latency*: its source answers again');
  });

  it('places the start of a fast burn after the last calm evaluation, not a whole short window back', async () => {
    const f = new AlertFeed();
    const step = async (burns: Array<[number, number]>) => {
      const e = evaluationAt(embeddings, h.clock.now(), burns, 0.99);
      await saveEvaluation(h.store.db, { ...e, burnRates: { '5m': burns[0]![1], '30m': 0, '1h': burns[0]![0] } });
      for (const intent of f.step(e)) {
        await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|x`, channel: 'slack:#recs-oncall', kind: `alert.${intent.kind}`, payload: notificationPayload(intent, embeddings), at: h.clock.now() });
      }
      await h.deliver();
    };
    h.clock.set('2026-11-22T05:00:00Z');
    await step([[0.3, 0.3], [0.3, 0.3], [0.3, 0.3], [0.3, 0.3]]);
    h.clock.set('2026-11-22T05:01:00Z');
    // One minute of 100 % errors at 99.9 %: 1h reads 16.7, 5m reads 200; the rates alone say "5 min ago".
    await step([[1000 / 60, 200], [1000 / 360, 1000 / 30], [0.7, 8], [0.2, 3]]);
    const { rows } = await h.store.db.query<{ id: string; slo_ids: string[] }>('SELECT id, slo_ids FROM incidents ORDER BY id');
    const incident = rows.find((r) => r.slo_ids.includes('embeddings/latency'));
    const timeline = await listTimeline(h.store.db, Number(incident!.id));
    expect(timeline[0]).toMatchObject({ text: 'Burn started (estimated from the burn rates and the evaluations before)', at: new Date('2026-11-22T05:00:00Z') });
  });
});

// `burnwatch serve` with SLACK_APP_TOKEN, as a real process, in Socket Mode against the
// wire-level fake (test/fakes/slack-socket-mode.ts): it opens the WebSocket through
// apps.connections.open at SLACK_API_URL, answers `/slo` and `/incident` envelopes, handles a
// button click and an Events API event, and after Slack's refresh_requested disconnect
// connects again and keeps working. Nothing listens on /slack/events.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/slack/action-ids.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { blockActionPayload, commandFields, eventCallback } from '../fakes/slack-requests.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';
import { featureStoreLagPage } from '../fixtures/alertmanager.ts';

const API_TOKEN = 'socket-mode-api-token-0123456789';
const alice = { id: 'UALICE01', name: 'alice' };
const now = () => Math.floor(Date.now() / 1000);

// The SLO's source does not answer, so /slo has something to say about it: unknown, and why.
const SLOS = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker }
spec:
  objective: 99.9
  window: 28d
  source: prometheus
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`;

describe('Socket Mode', () => {
  const slack = new FakeSlackApi();
  let dir: string;
  let bw: BurnwatchProcess;
  let triggers = 0;
  beforeAll(async () => {
    await slack.start();
    slack.users.set(alice.id, alice.name);
    dir = await makeTempDir('burnwatch-socket-');
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), SLOS);
    bw = await startBurnwatch({
      BURNWATCH_PORT: '0',
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_LEADER: 'none',
      BURNWATCH_SCHEDULE: '*/2 * * * * *',
      BURNWATCH_API_TOKEN: API_TOKEN,
      BURNWATCH_OUTBOX_BACKOFF: '1s',
      BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
      BURNWATCH_REPORT_ENABLED: 'false',
      PROMETHEUS_URL: 'http://127.0.0.1:9',
      SLACK_BOT_TOKEN: 'xoxb-test',
      // Socket Mode connects out: no signing secret needed
      SLACK_APP_TOKEN: 'xapp-test',
      BURNWATCH_PUBLIC_READ: 'true',
      SLACK_API_URL: slack.apiUrl,
    });
  });
  afterAll(async () => {
    await bw?.kill('SIGKILL');
    await slack.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const command = (text: string, cmd: string, responseId: string) =>
    slack.socketMode.send('slash_commands', commandFields({ user: alice, command: cmd, text, channel: 'C0ALERTS1', responseUrl: slack.responseUrl(responseId) }, `${now()}.${++triggers}.trigger`));
  const reply = (id: string) => until(`the reply ${id}`, () => slack.responses.find((r) => r.id === id)?.body);

  it('connects through apps.connections.open at SLACK_API_URL with the app-level token', async () => {
    await bw.waitForLog(/Slack bot connected over Socket Mode/);
    const opens = slack.callsTo('apps.connections.open');
    expect(opens.map((c) => [c.token, c.outcome])).toEqual([['xapp-test', 'ok']]);
    expect(slack.socketMode.active.map((c) => c.id)).toEqual([1]);
    // Events come over the socket: the HTTP endpoint is not mounted.
    expect((await fetch(`${bw.url}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('acks a /slo envelope and answers it privately', async () => {
    await until('a stored evaluation', async () => {
      const slos = (await (await fetch(`${bw.url}/api/slos`)).json()) as { slos?: Array<{ evaluatedAt?: string }> };
      return slos.slos?.some((s) => s.evaluatedAt) || undefined;
    });
    const ack = await command('hstu-ranker', '/slo', 'slo');
    expect(ack.envelope_id).toEqual(expect.any(String));
    const body = await reply('slo');
    expect(body['response_type']).toBe('ephemeral');
    const text = JSON.stringify(body['blocks']);
    expect(text).toContain('*hstu-ranker/availability* — unknown');
    expect(text).toContain(':warning:');
  });

  it('handles a button click (block_actions): take command of an incident', async () => {
    const res = await fetch(`${bw.url}/api/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(featureStoreLagPage({ fingerprint: 'feedbeef' })),
    });
    expect(res.status).toBe(200);
    const channel = await until('the incident channel', () => [...slack.channels.values()].find((c) => c.name.startsWith('inc-')));
    const summary = await until('the pinned summary', () => (slack.pins.get(channel.id)?.size ? slack.messagesIn(channel.id)[0] : undefined));
    expect(JSON.stringify(summary.blocks)).toContain('nobody yet');

    const ack = await slack.socketMode.send('interactive', blockActionPayload(
      { user: alice, actionId: ACTION.incidentTakeCommand, value: '1', channel: channel.id, messageTs: summary.ts, responseUrl: slack.responseUrl('take') },
      now(),
      `${now()}.${++triggers}.trigger`,
    ));
    expect(ack.envelope_id).toEqual(expect.any(String));
    await until('alice in command on the summary', () => JSON.stringify(slack.messagesIn(channel.id)[0]!.blocks).includes(`*Commander*\\n<@${alice.id}>`));
    expect(slack.messagesIn(channel.id)[0]!.ts).toBe(summary.ts);
  });

  it('handles an Events API envelope: a :pushpin: in the incident channel lands on the timeline', async () => {
    const channel = [...slack.channels.values()].find((c) => c.name.startsWith('inc-'))!;
    const note = slack.postAsUser(channel.id, alice.id, 'replica lag is from the nightly backfill');
    const ack = await slack.socketMode.send('events_api', eventCallback(
      { type: 'reaction_added', user: alice.id, reaction: 'pushpin', item: { type: 'message', channel: channel.id, ts: note.ts }, item_user: alice.id, event_ts: `${now()}.000200` },
      now(),
    ));
    expect(ack.envelope_id).toEqual(expect.any(String));
    await until('the pinned note on the timeline', () => JSON.stringify(slack.messagesIn(channel.id)[0]!.blocks).includes('nightly backfill'));
  });

  it('reconnects after a refresh_requested disconnect and keeps answering', async () => {
    slack.socketMode.disconnect('refresh_requested');
    await until('the old connection closed', () => slack.socketMode.connections[0]!.closed);
    await until('a new connection', () => slack.socketMode.active.find((c) => c.id === 2), 60_000);
    expect(slack.okCallsTo('apps.connections.open')).toHaveLength(2);
    await command('list', '/incident', 'list');
    const body = await reply('list');
    expect(String(body['text'])).toContain('#1 investigating');
    expect(String(body['text'])).toContain(`commander <@${alice.id}>`);
  });

  it('disconnects cleanly on SIGTERM', async () => {
    expect((await bw.kill('SIGTERM')).code).toBe(0);
    await until('the socket closed', () => slack.socketMode.active.length === 0);
  });
});

// Slack answering in bursts of 429 (with Retry-After) and 500, against `burnwatch serve` as a
// real process: forty SLOs burning on a real Prometheus page into four channels, and every
// Slack method burnwatch posts with fails in bursts while it delivers. At Slack, each alert
// message is posted once and each later notification lands once, and within each channel in
// the order the outbox enqueued them.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.ts';
import { listOutbox, type OutboxMessage } from '../../src/store/repositories/outbox.ts';
import { BOT_USER_ID, FakeSlackApi, type RecordedCall, type ScheduledCall, type ScriptedFailure } from '../fakes/slack-api.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';

const CHANNELS = ['ranking-oncall', 'retrieval-oncall', 'features-oncall', 'training-oncall'];
const SLOS_PER_CHANNEL = 10;
const models = CHANNELS.flatMap((channel, c) => Array.from({ length: SLOS_PER_CHANNEL }, (_, i) => ({ model: `m${c}${i}`, channel })));
// Data anchored at the real clock (the service evaluates "now"): every model has served only
// errors for the last ten minutes, so both page tiers of each SLO fire at the first cycle.
const NOW = Math.floor(Date.now() / 60_000) * 60;
const BURN_START = NOW - 600;

const sloYaml = (promUrl: string) =>
  [
    `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${promUrl}" }
`,
    ...models.map(
      ({ model, channel }) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability-${model}, service: ranker-${model} }
spec:
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{model="${model}",code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total{model="${model}"}[$window]))
  alerting:
    channel: "#${channel}"
`,
    ),
  ].join('---\n');

// Slack's answers to the methods that carry notifications, per method by call number: of every
// 20 calls, 4 get 429 with a Retry-After of 1 or 2 s and 4 get a 500, in bursts.
const NOTIFYING = new Set(['chat.postMessage', 'chat.update', 'conversations.history', 'conversations.list']);
const bursts = ({ method, n }: ScheduledCall): ScriptedFailure | undefined => {
  if (!NOTIFYING.has(method)) return undefined;
  const phase = n % 20;
  if (phase >= 3 && phase < 7) return { status: 429, retryAfter: 1 + (n % 2) };
  if (phase >= 12 && phase < 16) return { status: 500 };
  return undefined;
};

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown> | undefined;

describe('Slack answering 429 and 500 in bursts', () => {
  const slack = new FakeSlackApi();
  let prom: PrometheusServer;
  let dir: string;
  const channelIds = new Map<string, string>();
  const running: BurnwatchProcess[] = [];

  beforeAll(async () => {
    let s = scenario({ start: NOW - 86_400, end: NOW + 3600, step: 60 });
    for (const { model } of models) {
      s = s
        .counter('ranker_requests_total', { model, code: '200' }, [profile(5), profile(1).step(BURN_START, 0)])
        .counter('ranker_requests_total', { model, code: '500' }, [profile(5), profile(0).step(BURN_START, 1)]);
    }
    prom = await startPrometheus(s);
    await slack.start();
    for (const name of CHANNELS) channelIds.set(name, slack.addChannel(name));
    dir = await makeTempDir('bw-slack-bursts-');
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'rankers.yaml'), sloYaml(prom.url));
  });
  afterAll(async () => {
    for (const p of running) await p.kill('SIGKILL');
    await slack.stop();
    await prom?.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** The alert key a successful post or update at Slack was for (posts carry it in their metadata). */
  const keyOf = (call: RecordedCall): string => {
    if (call.method === 'chat.postMessage') return String((json(call.params['metadata']) as { event_payload?: { key?: string } } | undefined)?.event_payload?.key);
    const message = slack.messages.find((m) => m.channel === call.params['channel'] && m.ts === call.params['ts']);
    return String(message?.metadata?.event_payload['key']);
  };
  /** What Slack did in a channel, in the order it did it: "post alert:3", "update alert:3", … */
  const effectsIn = (name: string): string[] =>
    slack.calls
      .filter((c) => c.outcome === 'ok' && (c.method === 'chat.postMessage' || c.method === 'chat.update'))
      .filter((c) => c.params['channel'] === `#${name}` || c.params['channel'] === channelIds.get(name))
      .map((c) => `${c.method === 'chat.postMessage' ? 'post' : 'update'} ${keyOf(c)}`);
  /** What the outbox enqueued for a channel, in its order: the first sync of an alert posts it, later ones update it. */
  const enqueuedFor = (rows: OutboxMessage[], name: string): string[] => {
    const shown = new Set<string>();
    return rows
      .filter((r) => r.channel === `slack:#${name}` && r.kind === 'slack.alert.sync')
      .map((r) => {
        const key = `alert:${r.payload['alertId']}`;
        const effect = `${shown.has(key) ? 'update' : 'post'} ${key}`;
        shown.add(key);
        return effect;
      });
  };

  it('delivers every notification exactly once, in order per channel', { timeout: 300_000 }, async () => {
    slack.failWhen(bursts);
    const data = path.join(dir, 'data');
    const service = await startBurnwatch({
      DATABASE_URL: undefined,
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_PORT: '0',
      BURNWATCH_DATA_DIR: data,
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_LEADER: 'none',
      BURNWATCH_NOTIFY_LOG: 'false',
      BURNWATCH_REPORT_ENABLED: 'false',
      BURNWATCH_OUTBOX_BACKOFF: '1s',
      BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'bursts-signing-secret-0123456789',
      SLACK_API_URL: slack.apiUrl,
    });
    running.push(service);

    const botMessages = () => slack.messages.filter((m) => m.user === BOT_USER_ID);
    await until('an alert message for every SLO', () => botMessages().length >= models.length, 240_000);
    await until(
      'an empty outbox',
      async () => !(await (await fetch(`${service.url}/metrics`)).text()).includes('burnwatch_outbox_pending{'),
      120_000,
    );
    expect((await service.kill('SIGTERM')).code).toBe(0);
    slack.failWhen(undefined);

    const store = await openStore({ dataDir: data });
    const rows = (await listOutbox(store.db, 10_000)).reverse();
    await store.close();

    // Every notification the outbox enqueued was delivered; none was given up on.
    expect(rows.every((r) => r.deliveredAt !== null && r.failedAt === null)).toBe(true);
    // The bursts hit posts and updates alike, and many deliveries needed more than one attempt.
    const outcomes = (method: string) => new Set(slack.callsTo(method).map((c) => c.outcome));
    for (const method of ['chat.postMessage', 'chat.update']) expect(outcomes(method)).toEqual(new Set(['ok', 'http_429', 'http_500']));
    expect(rows.filter((r) => r.kind === 'slack.alert.sync' && r.attempts > 1).length).toBeGreaterThan(10);

    const deliveries = rows.filter((r) => r.kind === 'slack.alert.sync');
    expect(deliveries.length).toBeGreaterThanOrEqual(60);
    for (const name of CHANNELS) {
      const id = channelIds.get(name)!;
      // One alert message per SLO of the channel, each posted once.
      const messages = botMessages().filter((m) => m.channel === id);
      expect(messages).toHaveLength(SLOS_PER_CHANNEL);
      expect(new Set(messages.map((m) => m.metadata?.event_payload['key'])).size).toBe(SLOS_PER_CHANNEL);
      expect(new Set(messages.map((m) => m.text.match(/availability-m\d+/)?.[0]))).toEqual(
        new Set(models.filter((m) => m.channel === name).map((m) => `availability-${m.model}`)),
      );
      // Each enqueued notification landed once, in the order the outbox holds them.
      expect(effectsIn(name)).toEqual(enqueuedFor(rows, name));
    }
  });
});

// Slack: how fast burnwatch acknowledges signed interactions under load, and how long a tier that
// fires takes to reach chat.postMessage. Each beside its floor from the same run.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { WebClient } from '@slack/web-api';
import { startService } from '../src/app/start-service.ts';
import { fixedClock } from '../src/domain/clock.ts';
import { loadConfig } from '../src/service/config.ts';
import { slackServiceExtension } from '../src/slack/slack-extension.ts';
import { SOURCE_FACTORIES } from '../src/sources/registry.ts';
import { loadSpecs } from '../src/spec/load.ts';
import { FakeSlackApi } from '../test/fakes/slack-api.ts';
import { SlackRequester } from '../test/fakes/slack-requests.ts';
import { profile, scenario, startPrometheus, unix } from '../test/fixtures/prometheus/index.ts';
import { startBurnwatch } from '../test/helpers/burnwatch-process.ts';
import { makeTempDir } from '../test/helpers/test-databases.ts';
import { median } from './lib/proc.ts';
import { rankerAvailabilityYaml } from '../test/fixtures/ranker-availability.ts';

const SECRET = 'bench-signing-secret-0123456789abcdef';
const here = path.dirname(fileURLToPath(import.meta.url));
const B = unix('2026-11-21T10:00:00Z');
const iso = (t: number) => new Date(t * 1000).toISOString();

export interface LatencyFigures {
  requests: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  non200: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Open-loop load: `rate` signed slash commands per second for `seconds`, each timed to its HTTP answer. */
async function load(url: string, rate: number, seconds: number, responseUrl: string): Promise<LatencyFigures> {
  const requester = new SlackRequester(url, SECRET);
  const latencies: number[] = [];
  let non200 = 0;
  const total = rate * seconds;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
        const t0 = performance.now();
        const res = await requester.command({ user: { id: 'UALICE01', name: 'alice' }, command: '/slo', text: 'hstu-ranker', channel: 'C0ALERTS1', responseUrl });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) non200++;
      })(),
    );
  }
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  return { requests: total, rate, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1)!, non200 };
}

export async function benchSlackAck(rate = 50, seconds = 20): Promise<{ burnwatch: LatencyFigures; floor: LatencyFigures }> {
  const slack = await new FakeSlackApi().start();
  const dir = await makeTempDir('burnwatch-bench-');
  await fs.mkdir(path.join(dir, 'slos'));
  // An SLO whose source is down: /slo still answers (status unknown), as at 3 a.m. with Prometheus away.
  await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), rankerAvailabilityYaml({ prometheusUrl: 'http://127.0.0.1:9' }));
  const service = await startBurnwatch({
    BURNWATCH_PORT: '0',
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_DATA_DIR: path.join(dir, 'data'),
    BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
    BURNWATCH_LEADER: 'none',
    BURNWATCH_LOG_LEVEL: 'info',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
  });
  const floorProc = spawn(process.execPath, [path.join(here, 'lib', 'bare-slack-receiver.ts')], { env: { ...process.env, SLACK_SIGNING_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
  const floorUrl = await new Promise<string>((resolve) => floorProc.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).url)));
  try {
    await load(`${service.url}/slack/events`, 10, 1, slack.responseUrl()); // warm-up
    const floor = await load(floorUrl, rate, seconds, slack.responseUrl());
    const burnwatch = await load(`${service.url}/slack/events`, rate, seconds, slack.responseUrl());
    return { burnwatch, floor };
  } finally {
    floorProc.kill('SIGTERM');
    await service.kill('SIGTERM');
    await slack.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** From the cycle in which the page tier fires to the alert's chat.postMessage at Slack, over `runs` incidents. */
export async function benchFiringToPost(runs = 5): Promise<{ burnwatchMs: number[]; floorMs: number[] }> {
  const s = scenario({ start: B - 30 * 86_400, end: B + 3600, step: 60, coarse: { until: B - 2 * 86_400, step: 600 } })
    .counter('ranker_requests_total', { code: '200' }, [profile(20), profile(1).step(B, 0.8)])
    .counter('ranker_requests_total', { code: '500' }, [profile(20), profile(0).step(B, 0.2)]);
  const prom = await startPrometheus(s);
  const slack = await new FakeSlackApi().start();
  const channel = slack.addChannel('recs-oncall', ['UALICE01']);
  const burnwatchMs: number[] = [];
  const floorMs: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const dir = await makeTempDir('burnwatch-bench-');
      await fs.mkdir(path.join(dir, 'slos'));
      await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), rankerAvailabilityYaml({ prometheusUrl: prom.url }));
      const clock = fixedClock(iso(B - 300));
      const env = {
        BURNWATCH_PORT: '0',
        BURNWATCH_HOST: '127.0.0.1',
        BURNWATCH_DATA_DIR: path.join(dir, 'data'),
        BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
        BURNWATCH_SCHEDULE: '* * * * * *',
        BURNWATCH_NOTIFY_LOG: 'false',
        BURNWATCH_LEADER: 'none',
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
      };
      const cycles: number[] = [];
      const service = await startService({
        config: loadConfig(env),
        clock,
        logger: pino({ level: 'silent' }),
        loadSpecs: (d) => loadSpecs([d], { cwd: dir }),
        sourceFactories: SOURCE_FACTORIES,
        extensions: [slackServiceExtension({ env })],
      });
      try {
        const before = slack.messagesIn(channel).length;
        // The cycle at B+6m fires the 1h/5m page tier. The figure starts when that cycle's
        // evaluation is stored (the scheduler ticks every second) and ends when Slack has the message.
        clock.set(iso(B + 360));
        const fired = new Date((B + 360) * 1000);
        for (;;) {
          const { rows } = await service.store.db.query('SELECT 1 FROM evaluations WHERE evaluated_at = $1', [fired]);
          if (rows.length > 0) break;
          await new Promise((r) => setTimeout(r, 2));
        }
        const t0 = performance.now();
        while (slack.messagesIn(channel).length === before) await new Promise((r) => setTimeout(r, 2));
        burnwatchMs.push(performance.now() - t0);
        cycles.push(1);
      } finally {
        await service.stop('bench');
        await fs.rm(dir, { recursive: true, force: true });
      }
      // Floor: the same message posted by a bare WebClient to the same fake.
      const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
      const t0 = performance.now();
      await client.chat.postMessage({ channel, text: 'FIRING page: availability', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] });
      floorMs.push(performance.now() - t0);
    }
  } finally {
    await slack.stop();
    await prom.destroy();
  }
  return { burnwatchMs, floorMs };
}

export function slackTable(ack: { burnwatch: LatencyFigures; floor: LatencyFigures }, post: { burnwatchMs: number[]; floorMs: number[] }): string {
  const row = (name: string, f: LatencyFigures) => `| ${name} | ${f.requests} at ${f.rate}/s | ${f.p50.toFixed(1)} ms | ${f.p99.toFixed(1)} ms | ${f.max.toFixed(1)} ms | ${f.non200} |`;
  return [
    '| acknowledgement of signed `/slo` commands | load | p50 | p99 | max | non-200 |',
    '|---|---|---:|---:|---:|---:|',
    row('burnwatch (`burnwatch serve`, Bolt, signature + timestamp guard, store)', ack.burnwatch),
    row('floor: bare Node server that checks the signature and answers 200', ack.floor),
    '',
    '| tier fires → `chat.postMessage` at Slack | runs | median | max |',
    '|---|---:|---:|---:|',
    `| burnwatch: evaluation stored → message at Slack (outbox, Block Kit, Web API) | ${post.burnwatchMs.length} | ${median(post.burnwatchMs).toFixed(1)} ms | ${Math.max(...post.burnwatchMs).toFixed(1)} ms |`,
    `| floor: one bare WebClient chat.postMessage to the same fake | ${post.floorMs.length} | ${median(post.floorMs).toFixed(1)} ms | ${Math.max(...post.floorMs).toFixed(1)} ms |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ack = await benchSlackAck();
  const post = await benchFiringToPost();
  console.log(slackTable(ack, post));
}

// Paging through burnwatch serve as a real process: a real Prometheus with two burning SLOs,
// one routed by `alerting.page` to a PagerDuty service, one by its owner to an Opsgenie team,
// against wire-level fakes of both APIs that first answer with bursts of 429 and 500. Each burn
// pages exactly once, and still once after a kill -9 and a restart on the same data dir.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpsgenie, startFakeOpsgenie } from '../fakes/opsgenie-api.ts';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const PD_KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const GENIE_KEY = 'genie-0123456789abcdef';
const NOW = Math.floor(Date.now() / 60_000) * 60;
const BURN_START = NOW - 600;

const SLOS = (promUrl: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${promUrl}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker, owner: recs-serving }
spec:
  objective: 99.9
  window: 28d
  interval: 5s
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
  alerting: { page: pagerduty:ranker }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: feature-availability, service: feature-store, owner: ml-training }
spec:
  objective: 99.9
  window: 28d
  interval: 5s
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`;

let prom: PrometheusServer;
let pd: FakePagerDuty;
let og: FakeOpsgenie;
let dir: string;
const running: BurnwatchProcess[] = [];

beforeAll(async () => {
  const s = scenario({ start: NOW - 3 * 86_400, end: NOW + 3600, step: 60 })
    .counter('ranker_requests_total', { code: '200' }, [profile(20), profile(1).step(BURN_START, 0)])
    .counter('ranker_requests_total', { code: '500' }, [profile(20), profile(0).step(BURN_START, 1)]);
  prom = await startPrometheus(s);
  pd = await startFakePagerDuty();
  pd.addService(PD_KEY);
  og = await startFakeOpsgenie();
  og.addApiKey(GENIE_KEY);
  dir = await makeTempDir();
  await fs.mkdir(path.join(dir, 'slos'));
  await fs.writeFile(path.join(dir, 'slos', 'slos.yaml'), SLOS(prom.url));
  await fs.writeFile(path.join(dir, 'training.key'), `${GENIE_KEY}\n`);
  await fs.writeFile(
    path.join(dir, 'paging.yaml'),
    `pagerduty:
  eventsUrl: ${pd.url}
  services:
    ranker: { routingKey: { env: TEST_PD_RANKER_KEY } }
opsgenie:
  apiUrl: ${og.url}
  teams:
    training: { apiKey: { file: ${path.join(dir, 'training.key')} }, responders: [{ type: team, name: ml-training }] }
routes:
  owners: { ml-training: opsgenie:training }
`,
  );
});
afterAll(async () => {
  for (const p of running) await p.kill('SIGKILL');
  await pd?.close();
  await og?.close();
  await prom?.destroy();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('paging from burnwatch serve', () => {
  it('pages PagerDuty and Opsgenie once per burn through 429/500 bursts and a kill -9', { timeout: 180_000 }, async () => {
    pd.faults.failNext(3, { status: 429, retryAfter: '1' });
    og.faults.failNext(2, { status: 500 });
    const env = {
      DATABASE_URL: undefined,
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_PORT: '0',
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_IDENTITY: 'single',
      BURNWATCH_SCHEDULE: '*/2 * * * * *',
      BURNWATCH_PAGING_CONFIG: path.join(dir, 'paging.yaml'),
      BURNWATCH_PUBLIC_URL: 'https://burnwatch.example',
      TEST_PD_RANKER_KEY: PD_KEY,
      BURNWATCH_OUTBOX_BACKOFF: '1s',
      BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
    };
    const first = await startBurnwatch(env);
    running.push(first);
    await expect.poll(() => pd.requests.filter((r) => r.status === 202).length >= 2 && og.alerts.some((a) => a.count >= 2), { timeout: 90_000 }).toBe(true);
    // The bursts were really met and retried, not skipped.
    expect(pd.requests.filter((r) => r.status === 429)).toHaveLength(3);
    expect(og.requests.filter((r) => r.status === 500)).toHaveLength(2);
    await first.kill('SIGKILL');

    const second = await startBurnwatch(env);
    running.push(second);
    // Several cycles of the still-burning SLOs after the restart: the firing state is restored, nothing pages anew.
    const cyclesBefore = second.lines.filter((l) => l.includes('evaluation cycle done')).length;
    await expect.poll(() => second.lines.filter((l) => l.includes('evaluation cycle done')).length - cyclesBefore, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    await second.kill('SIGTERM');

    expect(pd.incidents).toHaveLength(1);
    const incident = pd.incidents[0]!;
    expect(incident).toMatchObject({ routingKey: PD_KEY, status: 'triggered' });
    expect(incident.dedupKey).toBe('burnwatch/hstu-ranker/availability/page');
    expect(incident.events[0]!.payload).toMatchObject({ severity: 'critical', source: 'hstu-ranker' });
    expect(incident.events[0]!.links).toContainEqual({ href: 'https://burnwatch.example/slos/hstu-ranker/availability', text: 'SLO in burnwatch' });
    // Both page tiers fired for each burn (1h and 6h): one incident, one alert each, never a second.
    expect(pd.requests.filter((r) => r.status === 202).every((r) => r.event.dedup_key === incident.dedupKey)).toBe(true);

    expect(og.alerts).toHaveLength(1);
    expect(og.alerts[0]).toMatchObject({ status: 'open', priority: 'P1', responders: [{ type: 'team', name: 'ml-training' }] });
    expect(og.alerts[0]!.alias).toBe('burnwatch/feature-store/feature-availability/page');
    // No key ever reached a log line.
    for (const p of [first, second]) expect(p.lines.join('\n')).not.toMatch(new RegExp(`${PD_KEY}|${GENIE_KEY}`));
  });
});

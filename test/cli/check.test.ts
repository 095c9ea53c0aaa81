// `burnwatch check` end to end: YAML specs → the spec loader → a real Prometheus → table/JSON, exit codes.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.ts';
import { type PrometheusServer, promQuery, startPrometheus } from '../fixtures/prometheus/index.ts';
import { mlPlatform, T } from '../evaluator/ml-platform-scenario.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/burnwatch.mjs', import.meta.url));
const iso = (unix: number) => new Date(unix * 1000).toISOString();

const SPECS = `
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "\${PROM_URL}", timeout: 10s }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: outage }
spec:
  objective: 99.9
  window: 30d
  indicator:
    ratio:
      bad: sum(increase(http_errors_total{service="outage"}[$window]))
      total: sum(increase(http_requests_total{service="outage"}[$window]))
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: latency, service: ranker }
spec:
  objective: 99
  window: 28d
  indicator:
    latency: { metric: http_request_duration_seconds, selector: 'service="ranker"', threshold: 300ms }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: freshness, service: ranker }
spec:
  objective: 99
  window: 28d
  timeslice: 1m
  indicator:
    freshness: { query: 'max(model_last_success_timestamp_seconds{model="ranker"})', maxAge: 6h }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: throughput, service: ranker-train }
spec:
  objective: 99
  window: 28d
  timeslice: 1m
  indicator:
    throughput:
      query: sum(rate(training_samples_total{job="ranker-train"}[2m]))
      min: 800
      activeWhen: max(training_job_active{job="ranker-train"}) > 0
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ndcg, service: ranker }
spec:
  objective: 99
  window: 28d
  timeslice: 1m
  indicator:
    threshold: { query: 'ranker_offline_ndcg{model="ranker"}', op: gte, value: 0.4 }
`;

const BROKEN = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: broken, service: ranker }
spec:
  objective: 100
  window: 28d
  indicator:
    ratio: { bad: 'sum(increase(x[$window]))', total: 'sum(increase(y[$window]))' }
`;

let prom: PrometheusServer;
let dir: string;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  prom = await startPrometheus(mlPlatform);
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnwatch-check-'));
  await writeFile(path.join(dir, 'slos.yaml'), SPECS);
  await writeFile(path.join(dir, 'zz-broken.yaml'), BROKEN);
  env = { PROM_URL: prom.url, PATH: process.env.PATH };
});
afterAll(async () => {
  await prom?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const io = () => ({ cwd: dir, env, now: () => new Date(0) });

describe('burnwatch check', () => {
  it('prints the JSON shape with numbers Prometheus reproduces, and spec problems on stderr', async () => {
    const t = T.outage + 600;
    const result = await runCheck({ slos: dir, at: iso(t), format: 'json' }, io());
    expect(result.stderr).toMatch(/zz-broken\.yaml:5:\d+ spec\.objective: /);
    expect(result.code).toBe(1); // a spec error, even though the valid SLOs were evaluated
    const json = JSON.parse(result.stdout);
    expect(json.evaluatedAt).toBe(iso(t));
    expect(json.slos.map((s: { id: string; status: string }) => `${s.id}=${s.status}`)).toEqual([
      'outage/availability=page',
      'ranker/latency=ok',
      'ranker/freshness=ok',
      'ranker-train/throughput=ok',
      'ranker/ndcg=ok',
    ]);
    const outage = json.slos[0];
    expect(outage).toMatchObject({ objective: 99.9, window: '30d' });
    expect(Object.keys(outage.burnRates)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
    expect(outage.tiers[0]).toMatchObject({ severity: 'page', long: '1h', short: '5m', factor: 14.4, firing: true });
    const sli = await promQuery(prom.url, '1 - sum(increase(http_errors_total{service="outage"}[30d])) / sum(increase(http_requests_total{service="outage"}[30d]))', t);
    expect(outage.sli).toBeCloseTo(sli!, 12);
    expect(outage.errorBudgetRemaining).toBeCloseTo(1 - (1 - sli!) / 0.001, 9);
    expect(outage.error).toBeUndefined();
  });

  it('selects one SLO with --slo and says which ids exist when it is wrong', async () => {
    const one = await runCheck({ slos: dir, at: iso(T.deploy + 3600), slo: 'ranker/latency', format: 'json' }, io());
    expect(JSON.parse(one.stdout).slos.map((s: { status: string }) => s.status)).toEqual(['page']);
    const none = await runCheck({ slos: dir, slo: 'ranker/latncy', format: 'json' }, io());
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no SLO with id "ranker\/latncy" \(loaded: outage\/availability, ranker\/latency/);
  });

  it('reports an unreachable Prometheus as unknown with the reason', async () => {
    const result = await runCheck({ slos: dir, at: iso(T.outage), slo: 'outage/availability', format: 'json' }, {
      ...io(),
      env: { PROM_URL: 'http://127.0.0.1:9' },
    });
    const [slo] = JSON.parse(result.stdout).slos;
    expect(slo.status).toBe('unknown');
    expect(slo.sli).toBeNull();
    expect(slo.error).toMatch(/prometheus: cannot reach http:\/\/127\.0\.0\.1:9/);
  }, 30_000);

  it('prints a table for people and exits 2 with --fail-on when a page fires (the real CLI)', async () => {
    const args = [BIN, 'check', '--slos', path.join(dir, 'slos.yaml'), '--at', iso(T.outage + 600), '--fail-on', 'ticket'];
    const failed = await run(process.execPath, args, { env }).catch((e) => e);
    expect(failed.code).toBe(2);
    const lines = (failed.stdout as string).split('\n');
    expect(lines[1]).toMatch(/^SLO\s+STATUS\s+SLI\s+BUDGET\s+5m\s+30m\s+1h\s+2h\s+6h\s+1d\s+3d\s+28d\s+30d\s+FIRING$/);
    const outage = lines.find((l) => l.startsWith('outage/availability'))!;
    expect(outage).toMatch(/ page /);
    expect(outage).toMatch(/\[[█░]{10}\]/);
    expect(outage).toMatch(/page 1h\/5m, page 6h\/30m, ticket 1d\/2h, ticket 3d\/6h$/);

    const quiet = await run(process.execPath, [...args.slice(0, 5), iso(T.outage - 3600), '--fail-on', 'page'], { env });
    expect(quiet.stdout).toMatch(/outage\/availability\s+ok/);
  });
});

// `burnwatch demo --prometheus` serves the same telemetry from a real Prometheus: the counts
// burnwatch reads through its Prometheus source equal the rows the SQLite demo holds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoPrometheus, demoPrometheusSloFiles, startDemoPrometheus } from '../../src/demo/demo-prometheus.ts';
import { generateTelemetry, type Telemetry } from '../../src/demo/telemetry.ts';
import { evaluateAll } from '../../src/evaluator/index.ts';
import { loadSpecTexts } from '../../src/spec/load.ts';
import { buildSources } from '../../src/sources/registry.ts';

describe('the demo telemetry in Prometheus', () => {
  let dir: string;
  let prom: DemoPrometheus;
  let telemetry: Telemetry;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-demo-prom-'));
    telemetry = generateTelemetry(new Date('2026-11-09T00:00:00Z'));
    prom = await startDemoPrometheus(dir, telemetry);
  }, 300_000);
  afterAll(async () => {
    await prom?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers the demo SLOs with the telemetry\'s own numbers', async () => {
    const files = demoPrometheusSloFiles(prom.url, 'playbooks');
    const loaded = loadSpecTexts(Object.entries(files).map(([file, text]) => ({ file, text })), { cwd: process.cwd() });
    expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const sources = buildSources(loaded.sources);
    // Tuesday 14:50: 45 minutes into the bad deploy.
    const at = new Date('2026-11-10T14:50:00Z');
    const evaluations = await evaluateAll(loaded.slos, sources, at);
    const byId = new Map(evaluations.map((e) => [e.id, e]));
    const hour = telemetry.ranking.filter((r) => r.ts >= new Date(at.getTime() - 3600_000) && r.ts < at);
    const slow = hour.reduce((n, r) => n + r.requests - r.fast, 0) / hour.reduce((n, r) => n + r.requests, 0);
    // increase() extrapolates at the window's edges: close to, not exactly, the rows' ratio.
    expect(byId.get('hstu-ranker/ranking-latency')!.burnRates['1h']).toBeCloseTo(slow / 0.01, 0);
    expect(byId.get('hstu-ranker/ranking-latency')!.tiers.find((t) => t.long === '1h')!.firing).toBe(true);
    expect(byId.get('hstu-ranker/model-freshness')!.burnRates['1h']).toBe(0);
    // Friday 04:00: the model is stale (last deploy Thursday 20:00), the trainer stalled.
    const stale = await evaluateAll(loaded.slos, sources, new Date('2026-11-13T04:00:00Z'));
    // Every slice of the last hour is bad: 1 / (1 − 0.99) = 100×.
    expect(stale.find((e) => e.id === 'hstu-ranker/model-freshness')!.burnRates['1h']).toBeCloseTo(100, 9);
    expect(stale.find((e) => e.id === 'training/hstu-throughput')!.status).toBe('page');
  });
});

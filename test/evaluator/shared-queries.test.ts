// Query sharing across SLOs must change the cost, never the figures: a fleet of SLOs that differ
// only in one label is evaluated with merged queries and one query at a time, against the same
// real Prometheus, and every figure must match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SloEvaluation } from '../../src/domain/evaluation.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { windowsOf } from '../../src/evaluator/compute-evaluation.ts';
import { evaluateAll, evaluateSlo } from '../../src/evaluator/evaluate-all.ts';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { makeSlo } from '../fixtures/slo.ts';

const START = '2026-11-10T00:00:00Z';
const END = Date.parse('2026-11-14T00:00:00Z') / 1000;
const MODELS = ['a', 'b', 'c', 'd.v2'];

let prom: PrometheusServer;
const fleet: Slo[] = [];

beforeAll(async () => {
  let s = scenario({ start: START, end: END, step: 60 });
  MODELS.forEach((m, i) => {
    // Each model burns differently: model i has (i+1) % of errors over the last (i+1) hours.
    const burnFrom = END - (i + 1) * 3600;
    const errors = profile(0.001).step(burnFrom, 0.01 * (i + 1));
    const successes = profile(0.999).step(burnFrom, 1 - 0.01 * (i + 1));
    s = s
      .counter('rank_requests_total', { model: m, code: '200' }, [profile(20), successes])
      .counter('rank_requests_total', { model: m, code: '500' }, [profile(20), errors])
      .histogram('rank_duration_seconds', { model: m }, { rate: profile(20), buckets: [0.1, 0.25], below: (le) => (le >= 0.25 ? profile(0.999).step(END - 7200 * (i + 1), 0.9) : profile(0.5)) })
      .gauge('model_last_success_timestamp_seconds', { model: m }, (t) => Math.min(t - (t % 3600), END - 3600 * (i + 2)));
  });
  prom = await startPrometheus(s);
  for (const m of MODELS) {
    fleet.push(
      makeSlo({
        id: `${m}/availability`,
        window: '3d',
        source: 'prom',
        indicator: {
          kind: 'ratio',
          bad: { source: 'prom', language: 'promql', text: `sum(increase(rank_requests_total{model="${m}",code="500"}[$window]))` },
          total: { source: 'prom', language: 'promql', text: `sum(increase(rank_requests_total{model="${m}"}[$window]))` },
        },
      }),
      makeSlo({ id: `${m}/latency`, window: '3d', source: 'prom', indicator: { kind: 'latency', source: 'prom', metric: 'rank_duration_seconds', selector: `model="${m}"`, thresholdSeconds: 0.25 } }),
      makeSlo({
        id: `${m}/freshness`,
        window: '3d',
        source: 'prom',
        indicator: { kind: 'freshness', query: { source: 'prom', language: 'promql', text: `model_last_success_timestamp_seconds{model="${m}"}` }, maxAgeSeconds: 3 * 3600 },
      }),
    );
  }
});

afterAll(async () => {
  await prom?.destroy();
});

function counting(): { source: PrometheusSource; sent: string[] } {
  const sent: string[] = [];
  const fetchCounting: typeof fetch = (input, init) => {
    sent.push(new URLSearchParams(String(init?.body)).get('query')!);
    return fetch(input, init);
  };
  return { source: new PrometheusSource({ name: 'prom', url: prom.url, timeoutSeconds: 30, fetch: fetchCounting }), sent };
}

describe('query sharing across SLOs', () => {
  it('gives every SLO exactly the figures of its own queries, with one query per kind and window', async () => {
    const at = new Date(END * 1000);
    const merged = counting();
    const together = await evaluateAll(fleet, new Map([['prom', merged.source]]), at);
    const alone = counting();
    const separately: SloEvaluation[] = [];
    for (const slo of fleet) separately.push(await evaluateSlo(slo, new Map([['prom', alone.source]]), at));

    expect(together.map((e) => e.status)).toEqual(separately.map((e) => e.status));
    expect(together.some((e) => e.status === 'page')).toBe(true);
    together.forEach((e, i) => {
      const own = separately[i]!;
      expect(e.id).toBe(own.id);
      expect(e.sli).toBeCloseTo(own.sli!, 12);
      expect(e.errorBudgetRemaining).toBeCloseTo(own.errorBudgetRemaining!, 12);
      for (const [w, rate] of Object.entries(own.burnRates)) expect(e.burnRates[w]).toBeCloseTo(rate as number, 9);
      expect(e.tiers.map((t) => t.firing)).toEqual(own.tiers.map((t) => t.firing));
    });
    // One query per kind and window merged, against one per SLO and window alone.
    const windows = windowsOf(fleet[0]!).length;
    expect(alone.sent).toHaveLength(fleet.length * windows);
    expect(merged.sent).toHaveLength(3 * windows);
    expect(merged.sent.every((q) => q.includes('model=~"a|b|c|d\\\\.v2"'))).toBe(true);
  });

  it('merges the windows SLOs of other periods have in common, and gives each its own figures', async () => {
    // Half the models over 2 days: the same tier windows, a period window of their own.
    const twoDays = (slo: Slo) => slo.id.startsWith('b/') || slo.id.startsWith('d.v2/');
    const mixed = fleet.map((slo) => (twoDays(slo) ? makeSlo({ id: slo.id, window: '2d', source: 'prom', indicator: slo.indicator }) : slo));
    const at = new Date(END * 1000);
    const merged = counting();
    const together = await evaluateAll(mixed, new Map([['prom', merged.source]]), at);
    const separately: SloEvaluation[] = [];
    for (const slo of mixed) separately.push(await evaluateSlo(slo, new Map([['prom', counting().source]]), at));

    together.forEach((e, i) => {
      const own = separately[i]!;
      expect(e.status).toBe(own.status);
      expect(Object.keys(e.burnRates)).toEqual(Object.keys(own.burnRates));
      for (const [w, rate] of Object.entries(own.burnRates)) expect(e.burnRates[w]).toBeCloseTo(rate as number, 9);
      expect(e.sli).toBeCloseTo(own.sli!, 12);
    });
    expect(together.some((e) => e.status === 'page')).toBe(true);
    // One query per kind and window, whichever periods ask for that window.
    const windows = new Set(mixed.flatMap(windowsOf));
    expect(windows.size).toBeGreaterThan(windowsOf(fleet[0]!).length);
    expect(merged.sent).toHaveLength(3 * windows.size);
    const overTwoDays = merged.sent.filter((q) => /\[2d[\]:]/.test(q));
    expect(overTwoDays).toHaveLength(3);
    expect(overTwoDays.every((q) => q.includes('model=~"b|d\\\\.v2"'))).toBe(true);
  });

  it('makes only the SLOs of a failing merged query unknown', async () => {
    const ghost = makeSlo({
      id: 'ghost/availability',
      window: '3d',
      source: 'prom',
      indicator: {
        kind: 'ratio',
        bad: { source: 'prom', language: 'promql', text: 'sum(increase(rank_requests_total{model="ghost",code="500"}[$window]))' },
        total: { source: 'prom', language: 'promql', text: 'sum(increase(rank_requests_total{model="ghost"}[$window]))' },
      },
    });
    const { source } = counting();
    const out = await evaluateAll([...fleet, ghost], new Map([['prom', source]]), new Date(END * 1000));
    expect(out.at(-1)!.status).toBe('unknown');
    expect(out.at(-1)!.error).toMatch(/no series for the bad and total part of ghost\/availability/);
    expect(out.slice(0, -1).every((e) => e.status !== 'unknown')).toBe(true);
  });
});

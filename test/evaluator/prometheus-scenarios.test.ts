// The evaluator against a real Prometheus over the ml-platform scenario: burn rates and budgets
// equal Prometheus's own textbook PromQL, and alerts fire and reset when the workbook says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertingState, advanceAlerts, emptyAlertingState, tierKey } from '../../src/alerting/state-machine.ts';
import { detectionTime, resetTime } from '../../src/domain/burn-math.ts';
import type { SloEvaluation } from '../../src/domain/evaluation.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { windowsOf } from '../../src/evaluator/compute-evaluation.ts';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.ts';
import { buildSources } from '../../src/sources/registry.ts';
import type { SliSource } from '../../src/sources/sli-source.ts';
import { type PrometheusServer, promQuery, startPrometheus } from '../fixtures/prometheus/index.ts';
import { END, mlPlatform, slos, T, textbookBurnRate } from './ml-platform-scenario.ts';

let prom: PrometheusServer;
let sources: Map<string, SliSource>;

beforeAll(async () => {
  prom = await startPrometheus(mlPlatform);
  sources = buildSources([{ type: 'prometheus', name: 'prom', url: prom.url, timeoutSeconds: 10, headers: {} }]);
});
afterAll(async () => {
  await prom?.destroy();
});

const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

async function evaluate(slo: Slo, t: number): Promise<SloEvaluation> {
  const [e] = await evaluateAll([slo], sources, at(t));
  return e!;
}

/** Every burn rate of the evaluation equals the textbook PromQL's answer; so does the budget. */
async function expectTextbook(slo: Slo, e: SloEvaluation, t: number): Promise<void> {
  const w = windowsOf(slo);
  for (const seconds of w) {
    const key = Object.keys(e.burnRates)[w.indexOf(seconds)]!;
    const ours = e.burnRates[key]!;
    const theirs = await promQuery(prom.url, textbookBurnRate(slo, seconds), t);
    if (theirs === undefined || Number.isNaN(theirs)) {
      // 0/0: no events (or no active slices) in the window; burnwatch says nothing was spent.
      expect(ours, `${slo.id} ${key}`).toBe(0);
    } else {
      expect(relativeError(ours, theirs!), `${slo.id} ${key}: ${ours} vs ${theirs}`).toBeLessThanOrEqual(1e-9);
    }
  }
  const budget = await promQuery(prom.url, `1 - (${textbookBurnRate(slo, slo.windowSeconds)})`, t);
  expect(relativeError(e.errorBudgetRemaining!, budget!), `${slo.id} budget`).toBeLessThanOrEqual(1e-9);
}

function relativeError(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

/** Runs the state machine over evaluations at the given instants; when did the tier fire / resolve? */
async function timeline(slo: Slo, instants: number[], key: string) {
  let state: AlertingState = emptyAlertingState();
  const fired: number[] = [];
  const resolved: number[] = [];
  for (const t of instants) {
    const { state: next, transitions } = advanceAlerts(state, [await evaluate(slo, t)]);
    state = next;
    for (const tr of transitions.filter((x) => x.tierKey === key)) (tr.to === 'firing' ? fired : resolved).push(t);
  }
  return { fired, resolved };
}

const range = (from: number, to: number, step: number) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const pageTier = (slo: Slo) => slo.alerting.tiers[0]!;

describe('evaluation on a real Prometheus', () => {
  it('steady good: ok, burn rates and budget as Prometheus computes them (event-weighted)', async () => {
    const t = T.steadyRampUp + 9 * 3600;
    const e = await evaluate(slos.steady, t);
    expect(e.status).toBe('ok');
    expect(e.error).toBeUndefined();
    expect(e.tiers.some((x) => x.firing)).toBe(false);
    expect(e.burnRates['1h']).toBeCloseTo(0.4, 6);
    expect(e.sli).toBeCloseTo(0.9996, 9);
    await expectTextbook(slos.steady, e, t);
  });

  it('budgets over the whole 28d/30d window equal the closed form of the scenario', async () => {
    // The window's ends fall on samples, so Prometheus does not extrapolate: the ratios are exact.
    const t = T.rollback + 2 * 3600;
    const [steady, outage, latency] = await evaluateAll([slos.steady, slos.outage, slos.latency], sources, at(t));
    expect(relativeError(steady!.errorBudgetRemaining!, 1 - 0.0004 / 0.001)).toBeLessThanOrEqual(1e-9);
    // 20 minutes of 100 % errors at 10/s, out of 30 days at 10/s.
    expect(relativeError(outage!.errorBudgetRemaining!, 1 - 12_000 / (10 * 30 * 86_400) / 0.001)).toBeLessThanOrEqual(1e-9);
    expect(outage!.events).toEqual({ bad: expect.closeTo(12_000, 6), total: expect.closeTo(10 * 30 * 86_400, 3) });
    // Two hours of 20 % slow requests at 20/s, out of 28 days at 20/s.
    expect(relativeError(latency!.errorBudgetRemaining!, 1 - (20 * 0.2 * 7200) / (20 * 28 * 86_400) / 0.01)).toBeLessThanOrEqual(1e-9);
  });

  it('100 % error step: pages within one step of the workbook detection time and resets within one step', async () => {
    const slo = slos.outage;
    const tier = pageTier(slo);
    const step = 30;
    const { fired, resolved } = await timeline(slo, range(T.outage - 60, T.outageEnd + 420, step), tierKey(tier));
    const detection = T.outage + detectionTime(1, slo.objective, tier.longSeconds, tier.factor); // 51.84 s
    const reset = T.outageEnd + resetTime(1, slo.objective, tier.shortSeconds, tier.factor); // 295.7 s
    expect(fired).toHaveLength(1);
    expect(Math.abs(fired[0]! - detection)).toBeLessThanOrEqual(step);
    expect(resolved).toHaveLength(1);
    expect(Math.abs(resolved[0]! - reset)).toBeLessThanOrEqual(step);

    const during = T.outage + 600;
    const e = await evaluate(slo, during);
    expect(e.status).toBe('page');
    await expectTextbook(slo, e, during);
  });

  it('2 % error step at 99 %: a slow burn files a ticket, never a page', async () => {
    const slo = slos.slowBurn;
    const ticket3d = slo.alerting.tiers[3]!;
    const detection = T.slowBurn + detectionTime(0.02, slo.objective, ticket3d.longSeconds, ticket3d.factor); // 1.5 d
    const before = await evaluate(slo, detection - 60);
    const after = await evaluate(slo, detection + 60);
    expect(before.status).toBe('ok');
    expect(after.status).toBe('ticket');
    expect(after.tiers.map((x) => x.firing)).toEqual([false, false, false, true]);
    expect(after.burnRates['6h']).toBeCloseTo(2, 6);
    await expectTextbook(slo, after, detection + 60);
    const atEnd = await evaluate(slo, END);
    expect(atEnd.status).toBe('ticket');
    expect(atEnd.tiers.filter((x) => x.severity === 'page').every((x) => !x.firing)).toBe(true);
  });

  it('latency regression after a deploy: pages on the 1h tier at the workbook time, resets after the rollback', async () => {
    const slo = slos.latency;
    const tier = pageTier(slo);
    expect(tier.factor).toBe(13.44);
    const step = 30;
    const detection = T.deploy + detectionTime(0.2, slo.objective, tier.longSeconds, tier.factor); // 2419.2 s
    const reset = T.rollback + resetTime(0.2, slo.objective, tier.shortSeconds, tier.factor); // 98.4 s
    const instants = [T.deploy - step, ...range(detection - 4 * step, detection + 4 * step, step), ...range(T.rollback - step, reset + 4 * step, step)];
    const { fired, resolved } = await timeline(slo, instants, tierKey(tier));
    expect(fired).toHaveLength(1);
    expect(Math.abs(fired[0]! - detection)).toBeLessThanOrEqual(step);
    expect(resolved).toHaveLength(1);
    expect(Math.abs(resolved[0]! - reset)).toBeLessThanOrEqual(step);

    const during = T.deploy + 3600;
    const e = await evaluate(slo, during);
    expect(e.status).toBe('page');
    expect(e.burnRates['5m']).toBeCloseTo(20, 6);
    await expectTextbook(slo, e, during);
  });

  it('latency with a whole-second threshold matches the bucket however the exporter wrote it', async () => {
    const slo = { ...slos.latency, indicator: { ...slos.latency.indicator, thresholdSeconds: 1 } } as Slo;
    const e = await evaluate(slo, T.deploy + 3600);
    const count = 'sum(increase(http_request_duration_seconds_count{service="ranker"}[1h]))';
    const fast = 'sum(increase(http_request_duration_seconds_bucket{service="ranker",le="1"}[1h]))';
    const theirs = await promQuery(prom.url, `(${count} - ${fast}) / ${count} / (1 - 0.99)`, T.deploy + 3600);
    expect(theirs).toBeCloseTo(1, 9); // 1 % slower than 1 s after the deploy
    expect(relativeError(e.burnRates['1h']!, theirs!)).toBeLessThanOrEqual(1e-9);
  });

  it('stale model: freshness slices go bad 6 h after the last training and page at the workbook time', async () => {
    const slo = slos.freshness;
    const tier = pageTier(slo);
    const step = 60; // one evaluation per time slice
    const stale = T.lastTraining + 6 * 3600;
    const detection = stale + detectionTime(1, slo.objective, tier.longSeconds, tier.factor); // 483.84 s
    const reset = T.trainingFixed + resetTime(1, slo.objective, tier.shortSeconds, tier.factor); // 259.7 s
    const instants = [...range(stale - 2 * step, detection + 4 * step, step), ...range(T.trainingFixed - step, reset + 4 * step, step)];
    const { fired, resolved } = await timeline(slo, instants, tierKey(tier));
    expect(fired).toHaveLength(1);
    expect(Math.abs(fired[0]! - detection)).toBeLessThanOrEqual(step);
    expect(resolved).toHaveLength(1);
    expect(Math.abs(resolved[0]! - reset)).toBeLessThanOrEqual(step);

    const e = await evaluate(slo, stale + 2 * 3600);
    expect(e.status).toBe('page');
    await expectTextbook(slo, e, stale + 2 * 3600);
    const fresh = await evaluate(slo, T.lastTraining + 3600);
    expect(fresh.burnRates['1h']).toBe(0);
  });

  it('a scrape gap leaves slices out (neither good nor bad); a window without slices is unknown', async () => {
    const inGap = await evaluate(slos.freshness, T.freshnessGap + 40 * 60);
    expect(inGap.status).toBe('unknown');
    expect(inGap.error).toBe('no data for windows 5m, 30m (the source returned an empty answer)');
    expect(inGap.burnRates['5m']).toBeNull();
    expect(inGap.burnRates['1h']).toBe(0);

    const after = await evaluate(slos.freshness, T.freshnessGapEnd + 30 * 60);
    expect(after.status).toBe('ok');
    await expectTextbook(slos.freshness, after, T.freshnessGapEnd + 30 * 60);
    const slices = await promQuery(prom.url, 'count_over_time(max(model_last_success_timestamp_seconds)[1h:1m])', T.freshnessGapEnd + 30 * 60);
    expect(slices).toBe(31); // 01:30 back to 00:30 is 61 slices; 00:30–00:59 had no sample
  });

  it('training throughput: a drop while the job runs pages; idle time costs nothing', async () => {
    const during = T.throughputDrop + 3600;
    const e = await evaluate(slos.throughput, during);
    expect(e.status).toBe('page');
    expect(e.burnRates['30m']).toBeCloseTo(100, 6);
    await expectTextbook(slos.throughput, e, during);

    const idle = T.jobEnd + 7 * 3600;
    const later = await evaluate(slos.throughput, idle);
    expect(later.status).toBe('ok');
    for (const w of ['5m', '30m', '1h', '2h', '6h']) expect(later.burnRates[w], w).toBe(0);
    expect(later.burnRates['1d']).toBeGreaterThan(3);
    await expectTextbook(slos.throughput, later, idle);

    // activeWhen as a filter expression gives the same answer (empty means idle, not unknown).
    for (const t of [during, idle]) {
      const [a, b] = await evaluateAll([slos.throughput, slos.throughputFiltered], sources, at(t));
      expect(b!.status).toBe(a!.status);
      expect(b!.burnRates).toEqual(a!.burnRates);
    }

    // Without activeWhen the idle job's zero rate would burn the budget.
    const always = await evaluate(slos.throughputAlways, idle);
    expect(always.status).toBe('page');
    await expectTextbook(slos.throughputAlways, always, idle);
  });

  it('model quality below the baseline (threshold kind) pages', async () => {
    const before = await evaluate(slos.quality, T.ndcgDrop - 60);
    expect(before.status).toBe('ok');
    const e = await evaluate(slos.quality, END);
    expect(e.status).toBe('page');
    await expectTextbook(slos.quality, e, END);
  });

  it('evaluates all SLOs in one call and shares identical queries', async () => {
    const all = Object.values(slos);
    const out = await evaluateAll(all, sources, at(END));
    expect(out.map((e) => e.id)).toEqual(all.map((s) => s.id));
    expect(out.every((e) => e.status !== 'unknown' && e.status !== 'error')).toBe(true);
  });

  it('sends one query per SLO and window, and one for SLOs that ask the same', async () => {
    const sent: string[] = [];
    const counting: typeof fetch = (input, init) => {
      sent.push(new URLSearchParams(String(init?.body)).get('query')!);
      return fetch(input, init);
    };
    const source = new PrometheusSource({ name: 'prom', url: prom.url, timeoutSeconds: 10, fetch: counting });
    const twin = { ...slos.outage, id: 'outage/availability-copy' };
    const out = await evaluateAll([slos.outage, twin, slos.freshness], new Map([['prom', source]]), at(END));
    expect(out.map((e) => e.status)).toEqual(['ok', 'ok', 'ok']);
    expect(sent).toHaveLength(windowsOf(slos.outage).length + windowsOf(slos.freshness).length);
    expect(new Set(sent).size).toBe(sent.length);
    expect(out[1]!.burnRates).toEqual(out[0]!.burnRates);
  });

  it('names the SLO and the query when a metric does not exist', async () => {
    const ghost = { ...slos.outage, id: 'ghost/availability', indicator: { ...slos.outage.indicator, bad: { source: 'prom', language: 'promql' as const, text: 'sum(increase(no_such_metric_total[$window]))' } } };
    const e = await evaluate(ghost as Slo, END);
    expect(e.status).toBe('unknown');
    expect(e.error).toMatch(/^prom: no series for the bad part of ghost\/availability \(query: .*no_such_metric_total\[30d\]/);
  });

  it('refuses a part that is not a number of events (NaN, Inf) instead of computing with it', async () => {
    const total = { source: 'prom', language: 'promql' as const, text: 'sum(increase(http_requests_total{service="outage"}[$window])) / 0' };
    const odd = { ...slos.outage, id: 'odd/availability', indicator: { ...slos.outage.indicator, total } } as Slo;
    const e = await evaluate(odd, END);
    expect(e.status).toBe('unknown');
    expect(e.error).toMatch(/^prom: the total part of odd\/availability is Infinity: it must count events \(query: /);
  });
});

describe('Prometheus stopped in the middle of a burn', () => {
  let own: PrometheusServer;
  afterAll(async () => {
    await own?.destroy();
  });

  it('goes unknown (never resolved), raises no_data, and keeps the same alert when Prometheus is back', async () => {
    own = await startPrometheus(mlPlatform);
    const source = new PrometheusSource({ name: 'prom', url: own.url, timeoutSeconds: 5, retries: 1, backoffMs: 10 });
    const srcs = new Map<string, SliSource>([['prom', source]]);
    const slo = slos.outage;
    let state = emptyAlertingState();
    const intents: string[] = [];
    const cycle = async (t: number) => {
      const [e] = await evaluateAll([slo], srcs, at(t));
      const out = advanceAlerts(state, [e!], { noDataAfter: 3 });
      state = out.state;
      intents.push(...out.intents.map((i) => `${i.kind}:${i.tierKey ?? '-'}`));
      return e!;
    };

    expect((await cycle(T.outage + 120)).status).toBe('page');
    await own.stop();
    for (const t of [150, 180, 210]) {
      const e = await cycle(T.outage + t);
      expect(e.status).toBe('unknown');
      expect(e.error).toMatch(/prom: cannot reach http:\/\/127\.0\.0\.1:\d+.*\(query: /);
      expect(e.sli).toBeNull();
    }
    await own.start();
    const back = await cycle(T.outage + 240);
    expect(back.status).toBe('page');
    // The 6h tier's detection time (129.6 s) passes during the outage: it fires once data is back.
    expect(intents).toEqual(['firing:page-1h-5m', 'no_data:-', 'data_restored:-', 'firing:page-6h-30m']);
    expect(state.slos[slo.id]!.tiers['page-1h-5m']).toMatchObject({ phase: 'firing', firedAt: at(T.outage + 120).toISOString() });
  });
});

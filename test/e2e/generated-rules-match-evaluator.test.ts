// The generated Prometheus rules fire and resolve at the same minutes as burnwatch's own
// evaluator and alerting state machine, on the same data. One scenario feeds both: a real
// Prometheus (backfilled blocks) that burnwatch replays minute by minute (the backtest, checked
// against the service's instant-query path), and `promtool test rules` (input_series) running
// the generated rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { gridOf } from '../../src/backtest/history.ts';
import { OWN_TIERS } from '../../src/backtest/policy.ts';
import { runBacktest } from '../../src/backtest/run-backtest.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { evaluateAll } from '../../src/evaluator/index.ts';
import { shortSlo } from '../../src/generate/__fixtures__/slos.ts';
import { generatePrometheusRules } from '../../src/generate/prometheus-rules.ts';
import { renderRules } from '../../src/generate/render-rules.ts';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { promtoolTestRules } from '../fixtures/promtool.ts';
import { inputSeries } from '../fixtures/promtool-series.ts';

// promtool's rule tests run from Unix time 0, so the scenario does too (time() then agrees).
const H = 3600;
const MINUTES = 12 * 60;
const prom = (text: string) => ({ source: 'prometheus', language: 'promql' as const, text });

const data = scenario({ start: 0, end: MINUTES * 60, step: 60 })
  // Ratio: a 20-minute 50 % outage at 2h (pages), then a slow 1.5 % burn from 6h to 10h (ticket only).
  .counter('shop_requests_total', { app: 'shop' }, profile(10))
  .counter('shop_errors_total', { app: 'shop' }, [profile(10), profile(0).step(2 * H, 0.5).step(2 * H + 1200, 0).step(6 * H, 0.015).step(10 * H, 0)])
  // Low traffic: 36 searches an hour until 6h, then 3600; half of them fail for 20 minutes at 3h
  // and at 8h. With minEvents 70 the page tier (1h) stays quiet at 3h and pages at 8h.
  .counter('search_requests_total', { app: 'search' }, profile(0.01).step(6 * H, 1))
  .counter('search_errors_total', { app: 'search' }, [profile(0.01).step(6 * H, 1), profile(0).step(3 * H, 0.5).step(3 * H + 1200, 0).step(8 * H, 0.5).step(8 * H + 1200, 0)])
  // Latency: a bad deploy at 4h sends 10 % of requests over 150 ms for an hour.
  .histogram('ranker_request_duration_seconds', { route: '/rank' }, {
    rate: profile(20),
    buckets: [0.05, 0.15, 0.3],
    below: (le) => (le >= 0.3 ? profile(1) : le >= 0.15 ? profile(0.999).step(4 * H, 0.9).step(5 * H, 0.999) : profile(0.5)),
  })
  // Freshness: a model deployed every 30 minutes, until the pipeline stalls from 7h to 10h.
  .gauge('model_last_success_timestamp_seconds', { model: 'hstu' }, (t) => Math.floor(Math.min(t, t >= 7 * H && t < 10 * H ? 7 * H : t) / 1800) * 1800)
  // Throughput: a job running from 1h to 11h, at 20k samples/s from 3h for 40 minutes.
  .counter('training_samples_total', { job: 'hstu' }, profile(0).step(H, 60_000).step(3 * H, 20_000).step(3 * H + 2400, 60_000).step(11 * H, 0))
  .gauge('training_job_active', { job: 'hstu' }, (t) => (t >= H && t < 11 * H ? 1 : 0))
  // Threshold: offline NDCG below its floor from 8h to 9h.
  .gauge('ranker_offline_ndcg', { model: 'hstu' }, (t) => (t >= 8 * H && t < 9 * H ? 0.4 : 0.45));

const slos: Slo[] = [
  shortSlo('shop/availability', {
    kind: 'ratio',
    bad: prom('sum(increase(shop_errors_total[$window]))'),
    total: prom('sum(increase(shop_requests_total[$window]))'),
  }),
  shortSlo(
    'search/availability',
    { kind: 'ratio', bad: prom('sum(increase(search_errors_total[$window]))'), total: prom('sum(increase(search_requests_total[$window]))') },
    70,
  ),
  shortSlo('hstu-ranker/latency', { kind: 'latency', source: 'prometheus', metric: 'ranker_request_duration_seconds', selector: 'route="/rank"', thresholdSeconds: 0.15 }),
  shortSlo('hstu-ranker/freshness', { kind: 'freshness', query: prom('model_last_success_timestamp_seconds{model="hstu"}'), maxAgeSeconds: H }),
  shortSlo('training/throughput', {
    kind: 'throughput',
    query: prom('sum(rate(training_samples_total{job="hstu"}[5m]))'),
    min: 50_000,
    activeWhen: prom('training_job_active{job="hstu"}'),
  }),
  shortSlo('hstu-ranker/ndcg', { kind: 'threshold', query: prom('ranker_offline_ndcg{model="hstu"}'), op: 'gte', value: 0.42 }),
];

interface Firing {
  labels: Record<string, string>;
}

/**
 * burnwatch's view, minute by minute: the backtest (range queries with the service's PromQL, then
 * the evaluator's math and the alerting state machine at every step).
 */
async function burnwatchTimeline(url: string): Promise<Firing[][]> {
  const result = await runBacktest({
    slos,
    dataSources: [{ type: 'prometheus', name: 'prometheus', url, timeoutSeconds: 30, headers: {} }],
    grid: gridOf(new Date(0), new Date(MINUTES * 60_000), 60),
    policies: [OWN_TIERS],
  });
  expect(result.skipped).toEqual([]);
  const runs = result.policies[0]!.results;
  return Array.from({ length: MINUTES + 1 }, (_, m) => {
    const at = new Date(m * 60_000).toISOString();
    return runs.flatMap((r) => {
      const slo = slos.find((s) => s.id === r.id)!;
      return r.firings
        .filter((f) => f.start <= at && (f.end === null || at < f.end))
        .map((f) => {
          const tier = slo.alerting.tiers.find((t) => `${t.severity}-${t.long}-${t.short}` === f.tier)!;
          return { labels: { slo_id: slo.id, slo_service: slo.service, slo_name: slo.name, severity: tier.severity, long: tier.long, short: tier.short } };
        });
    });
  });
}

function alertName(id: string): string {
  return `${id.split(/[^A-Za-z0-9]+/).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('')}BudgetBurn`;
}

describe('generated Prometheus rules', () => {
  let server: PrometheusServer;
  let timeline: Firing[][];
  beforeAll(async () => {
    server = await startPrometheus(data);
    timeline = await burnwatchTimeline(server.url);
  }, 300_000);
  afterAll(async () => {
    await server?.destroy();
  });

  it('the scenario exercises every kind: each SLO fires at least one tier', () => {
    const fired = new Set(timeline.flat().map((f) => f.labels.slo_id));
    expect([...fired].sort()).toEqual(slos.map((s) => s.id).sort());
    const resolved = slos.filter((s) => timeline.at(-1)!.every((f) => f.labels.slo_id !== s.id || f.labels.severity !== 'page'));
    expect(resolved.length).toBeGreaterThan(0);
  });

  it('keeps a page quiet while the long window has fewer than minEvents events', () => {
    const pages = (m: number) => timeline[m]!.filter((f) => f.labels.slo_id === 'search/availability' && f.labels.severity === 'page');
    expect(pages(3 * 60 + 10)).toEqual([]);
    expect(pages(8 * 60 + 10)).toHaveLength(1);
  });

  it('the backtest agrees with the service path (instant queries through the Prometheus source)', async () => {
    const source = new PrometheusSource({ name: 'prometheus', url: server.url, timeoutSeconds: 30, headers: {} });
    const sources = new Map([['prometheus', source]]);
    const key = (f: Firing) => `${f.labels.slo_id} ${f.labels.severity}-${f.labels.long}-${f.labels.short}`;
    // Every minute around a change of the timeline, and every 30th minute.
    const minutes = timeline
      .map((firing, m) => (m % 30 === 0 || (m > 0 && firing.map(key).join() !== timeline[m - 1]!.map(key).join()) ? m : -1))
      .filter((m) => m >= 0)
      .flatMap((m) => [m - 1, m])
      .filter((m, i, all) => m >= 0 && all.indexOf(m) === i);
    expect(minutes.length).toBeGreaterThan(40);
    for (const m of minutes) {
      const evaluations = await evaluateAll(slos, sources, new Date(m * 60_000), { concurrency: 5 });
      const firing = evaluations.flatMap((e) => e.tiers.filter((t) => t.firing).map((t) => `${e.id} ${t.severity}-${t.long}-${t.short}`));
      expect({ minute: m, firing: firing.sort() }).toEqual({ minute: m, firing: timeline[m]!.map(key).sort() });
    }
  });

  it('fire and resolve at the same minutes as burnwatch, for every minute of the scenario', async () => {
    const rules = renderRules(generatePrometheusRules(slos));
    const tests = timeline.map((firing, m) => ({
      expr: 'ALERTS{alertstate="firing"}',
      eval_time: `${m}m`,
      exp_samples: firing.map((f) => ({
        labels: `ALERTS${JSON.stringify({ ...f.labels, alertname: alertName(f.labels.slo_id!), alertstate: 'firing' }).replace(/"(\w+)":/g, '$1=')}`,
        value: 1,
      })),
    }));
    const test = stringify({
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: inputSeries(data.toOpenMetrics(), 0, 60, MINUTES + 1), promql_expr_test: tests }],
    });
    const result = await promtoolTestRules(rules, test);
    expect(result.output.slice(0, 4000)).toMatch(/SUCCESS/);
  });
});

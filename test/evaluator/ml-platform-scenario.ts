// Six days of an ML platform's metrics with one incident per SLO kind, and the SLOs that watch
// them. The evaluator's integration tests run on it; the backtest and the demo may reuse it.
// All times UTC. The data runs from 2026-10-15T00:00Z to 2026-11-20T00:00Z: every 15 minutes until
// 2026-11-14 (enough for the 28d/30d SLO windows, whose ratios stay exact because the window
// boundaries fall on samples), then every 30 s.
import { formatDuration } from '../../src/domain/duration.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { profile, scenario, unix } from '../fixtures/prometheus/index.ts';
import { makeSlo } from '../fixtures/slo.ts';

const H = 3600;
export const START = unix('2026-10-15T00:00:00Z');
export const FINE_FROM = unix('2026-11-14T00:00:00Z');
export const END = unix('2026-11-20T00:00:00Z');
export const STEP = 30;

export const T = {
  /** steady: traffic ramps up and down, 0.04 % errors throughout. */
  steadyRampUp: unix('2026-11-19T06:00:00Z'),
  /** outage: 100 % errors for 20 minutes. */
  outage: unix('2026-11-19T00:00:00Z'),
  outageEnd: unix('2026-11-19T00:20:00Z'),
  /** slowburn: 2 % errors from here on (99 %: burn 2, only the 3d ticket tier). */
  slowBurn: unix('2026-11-17T00:00:00Z'),
  /** latency: a deploy makes 20 % of requests slower than 300 ms; rolled back two hours later. */
  deploy: unix('2026-11-19T12:00:00Z'),
  rollback: unix('2026-11-19T14:00:00Z'),
  /** freshness: the exporter of the training timestamp is down for an hour (a scrape gap). */
  freshnessGap: unix('2026-11-18T00:00:00Z'),
  freshnessGapEnd: unix('2026-11-18T01:00:00Z'),
  /** freshness: the model trains every 4 h; the 04:00 run is the last until 14:00. */
  lastTraining: unix('2026-11-19T04:00:00Z'),
  trainingFixed: unix('2026-11-19T14:00:00Z'),
  /** throughput: a training job runs 02:00–07:00 and drops to 300 samples/s at 05:00. */
  jobStart: unix('2026-11-19T02:00:00Z'),
  throughputDrop: unix('2026-11-19T05:00:00Z'),
  jobEnd: unix('2026-11-19T07:00:00Z'),
  /** threshold: offline NDCG falls below the 0.40 baseline. */
  ndcgDrop: unix('2026-11-19T18:00:00Z'),
};

const LATENCY_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5];
const BELOW_BEFORE: Record<number, number> = { 0.05: 0.3, 0.1: 0.7, 0.2: 0.95, 0.3: 1, 0.5: 1, 1: 1, 2.5: 1 };
const BELOW_AFTER: Record<number, number> = { 0.05: 0.1, 0.1: 0.3, 0.2: 0.6, 0.3: 0.8, 0.5: 0.95, 1: 0.99, 2.5: 1 };

const steadyRate = profile(50).ramp(T.steadyRampUp, T.steadyRampUp + 6 * H, 150).ramp(T.steadyRampUp + 12 * H, T.steadyRampUp + 18 * H, 50);
const outageErrors = profile(0).step(T.outage, 1).step(T.outageEnd, 0);
const slowErrors = profile(0).step(T.slowBurn, 0.02);
const trainingRate = profile(0).step(T.jobStart, 1000).step(T.throughputDrop, 300).step(T.jobEnd, 0);
const EVERY_4H = 4 * H;

export const mlPlatform = scenario({ start: START, end: END, step: STEP, coarse: { until: FINE_FROM, step: 900 } })
  .counter('http_requests_total', { service: 'steady' }, steadyRate)
  .counter('http_requests_total', { service: 'outage' }, profile(10))
  .counter('http_requests_total', { service: 'slowburn' }, profile(10))
  .counter('http_errors_total', { service: 'steady' }, [steadyRate, profile(0.0004)])
  .counter('http_errors_total', { service: 'outage' }, [profile(10), outageErrors])
  .counter('http_errors_total', { service: 'slowburn' }, [profile(10), slowErrors])
  .histogram('http_request_duration_seconds', { service: 'ranker' }, {
    rate: profile(20),
    buckets: LATENCY_BUCKETS,
    below: (le) => profile(BELOW_BEFORE[le]!).step(T.deploy, BELOW_AFTER[le]!).step(T.rollback, BELOW_BEFORE[le]!),
  })
  .gauge('model_last_success_timestamp_seconds', { model: 'ranker' }, (t) =>
    t >= T.trainingFixed ? T.trainingFixed + Math.floor((t - T.trainingFixed) / EVERY_4H) * EVERY_4H : Math.min(Math.floor(t / EVERY_4H) * EVERY_4H, T.lastTraining),
    { gaps: [[T.freshnessGap, T.freshnessGapEnd]] },
  )
  .counter('training_samples_total', { job: 'ranker-train' }, trainingRate)
  .gauge('training_job_active', { job: 'ranker-train' }, profile(0).step(T.jobStart, 1).step(T.jobEnd, 0))
  .gauge('ranker_offline_ndcg', { model: 'ranker' }, profile(0.42).step(T.ndcgDrop, 0.38));

const prom = (text: string) => ({ source: 'prom', language: 'promql' as const, text });
const requests = (service: string) => prom(`sum(increase(http_requests_total{service="${service}"}[$window]))`);
const errors = (service: string) => prom(`sum(increase(http_errors_total{service="${service}"}[$window]))`);
export const TRAINING_RATE = 'sum(rate(training_samples_total{job="ranker-train"}[2m]))';

export const slos = {
  steady: makeSlo({ id: 'steady/availability', indicator: { kind: 'ratio', bad: errors('steady'), total: requests('steady') } }),
  outage: makeSlo({ id: 'outage/availability', indicator: { kind: 'ratio', bad: errors('outage'), total: requests('outage') } }),
  slowBurn: makeSlo({
    id: 'slowburn/availability',
    objectivePercent: 99,
    indicator: { kind: 'ratio', bad: errors('slowburn'), total: requests('slowburn') },
  }),
  latency: makeSlo({
    id: 'ranker/latency',
    objectivePercent: 99,
    window: '28d',
    indicator: { kind: 'latency', source: 'prom', metric: 'http_request_duration_seconds', selector: '{service="ranker"}', thresholdSeconds: 0.3 },
  }),
  freshness: makeSlo({
    id: 'ranker/freshness',
    objectivePercent: 99,
    window: '28d',
    indicator: { kind: 'freshness', query: prom('model_last_success_timestamp_seconds{model="ranker"}'), maxAgeSeconds: 6 * H },
  }),
  throughput: makeSlo({
    id: 'ranker-train/throughput',
    objectivePercent: 99,
    window: '28d',
    indicator: { kind: 'throughput', query: prom(TRAINING_RATE), min: 800, activeWhen: prom('training_job_active{job="ranker-train"}') },
  }),
  /** activeWhen written as a filter, as people do: empty while the job is idle. */
  throughputFiltered: makeSlo({
    id: 'ranker-train/throughput-filtered',
    objectivePercent: 99,
    window: '28d',
    indicator: { kind: 'throughput', query: prom(TRAINING_RATE), min: 800, activeWhen: prom('max(training_job_active{job="ranker-train"}) > 0') },
  }),
  throughputAlways: makeSlo({
    id: 'ranker-train/throughput-always',
    objectivePercent: 99,
    window: '28d',
    indicator: { kind: 'throughput', query: prom(TRAINING_RATE), min: 800 },
  }),
  quality: makeSlo({
    id: 'ranker/ndcg',
    objectivePercent: 99,
    window: '28d',
    indicator: { kind: 'threshold', query: prom('ranker_offline_ndcg{model="ranker"}'), op: 'gte', value: 0.4 },
  }),
} satisfies Record<string, Slo>;

/**
 * The textbook PromQL a reviewer would type for the burn rate of each SLO over a window,
 * written independently of burnwatch's query builder.
 */
export function textbookBurnRate(slo: Slo, windowSeconds: number): string {
  const w = formatDuration(windowSeconds);
  const budget = `(1 - ${slo.objective})`;
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio': {
      const service = /service="([^"]+)"/.exec(ind.total.text)![1];
      return `sum(increase(http_errors_total{service="${service}"}[${w}])) / sum(increase(http_requests_total{service="${service}"}[${w}])) / ${budget}`;
    }
    case 'latency': {
      const count = `sum(increase(http_request_duration_seconds_count{service="ranker"}[${w}]))`;
      const fast = `sum(increase(http_request_duration_seconds_bucket{service="ranker",le="0.3"}[${w}]))`;
      return `(${count} - ${fast}) / ${count} / ${budget}`;
    }
    case 'freshness':
      return `(1 - avg_over_time(((time() - max(model_last_success_timestamp_seconds{model="ranker"})) <= bool 21600)[${w}:1m])) / ${budget}`;
    case 'throughput': {
      const active = ind.activeWhen ? `(max(training_job_active{job="ranker-train"}) > 0)` : `(min(${TRAINING_RATE}))`;
      const bad = ind.activeWhen ? `(min(${TRAINING_RATE}) < 800 and on() ${active})` : `(min(${TRAINING_RATE}) < 800)`;
      return `(count_over_time(${bad}[${w}:1m]) or vector(0)) / count_over_time(${active}[${w}:1m]) / ${budget}`;
    }
    case 'threshold':
      return `(count_over_time((min(ranker_offline_ndcg{model="ranker"}) < 0.4)[${w}:1m]) or vector(0)) / count_over_time((min(ranker_offline_ndcg{model="ranker"}))[${w}:1m]) / ${budget}`;
  }
}

// A small, hand-written week for the builder and renderer tests: two teams, three
// services, alerts, incidents and remediations with round numbers.
import { defaultTiers } from '../../domain/tiers.ts';
import type { Slo } from '../../domain/slo.ts';
import { previousPeriod, weekPeriod } from '../iso-week.ts';
import type { BurnDownPoint } from '../report-data.ts';
import type { ReportInputs, SloMeasurements } from '../report-inputs.ts';

export function makeSlo(id: string, owner: string | undefined, objective: number, extra: Partial<Slo> = {}): Slo {
  const [service = id, name = id] = id.split('/');
  const windowSeconds = 28 * 86_400;
  return {
    id,
    name,
    service,
    ...(owner ? { owner } : {}),
    labels: {},
    objectivePercent: objective * 100,
    objective,
    window: '28d',
    windowSeconds,
    source: 'prom',
    indicator: { kind: 'ratio', total: { source: 'prom', language: 'promql', text: 'x' } },
    timesliceSeconds: 60,
    intervalSeconds: 60,
    alerting: { minEvents: 0, noDataAfter: 3, tiers: defaultTiers(windowSeconds), channel: `#${owner ?? 'ops'}-alerts` },
    origin: { file: 'slos/x.yaml', line: 1 },
    ...extra,
  };
}

export const week = weekPeriod('2026-W47');
export const previous = previousPeriod(week);

function burnDown(from: number, to: number): BurnDownPoint[] {
  const start = Date.parse(week.start);
  return Array.from({ length: 8 }, (_, i) => ({
    at: new Date(start + i * 86_400_000).toISOString(),
    budgetRemaining: from + ((to - from) * i) / 7,
  }));
}

export const slos: Slo[] = [
  makeSlo('ranker/availability', 'ranking', 0.999),
  makeSlo('ranker/latency', 'ranking', 0.99, { indicator: { kind: 'latency', source: 'prom', metric: 'h', selector: '', thresholdSeconds: 0.2 } }),
  makeSlo('embeddings/freshness', 'ranking', 0.95, {
    indicator: { kind: 'freshness', query: { source: 'prom', language: 'promql', text: 'x' }, maxAgeSeconds: 21_600 },
  }),
  makeSlo('trainer/throughput', 'training', 0.9),
];

export const measurements = new Map<string, SloMeasurements>([
  // availability: 30 bad of 100 000 this week, 200 of 400 000 over 28 d → 50 % left, 7.5 % used.
  ['ranker/availability', { origin: 'store', week: { bad: 30, total: 100_000 }, previousWeek: { bad: 10, total: 100_000 }, rolling: { bad: 200, total: 400_000 }, previousRolling: { bad: 180, total: 400_000 }, burnDown: burnDown(0.55, 0.5) }],
  // latency: 2 000 bad of 100 000 this week → 98 %, missed; 4 500 of 400 000 → −12.5 % left.
  ['ranker/latency', { origin: 'store', week: { bad: 2_000, total: 100_000 }, previousWeek: { bad: 500, total: 100_000 }, rolling: { bad: 4_500, total: 400_000 }, previousRolling: { bad: 3_000, total: 400_000 }, burnDown: burnDown(0.25, -0.125) }],
  // freshness slices: 100 bad of 10 080 this week; 500 of 40 320 over 28 d.
  ['embeddings/freshness', { origin: 'backfill', week: { bad: 100, total: 10_080 }, previousWeek: { bad: 0, total: 10_080 }, rolling: { bad: 500, total: 40_320 }, previousRolling: { bad: 400, total: 40_320 }, burnDown: burnDown(0.8, 0.75) }],
  // trainer: the source did not answer.
]);

const at = (day: number, hh: number, mm = 0) => new Date(Date.parse(week.start) + day * 86_400_000 + (hh * 60 + mm) * 60_000).toISOString();
const before = (day: number, hh: number) => new Date(Date.parse(previous.start) + day * 86_400_000 + hh * 3_600_000).toISOString();

export function sampleInputs(): ReportInputs {
  return {
    generatedAt: new Date('2026-11-23T09:00:00Z'),
    period: week,
    previous,
    slos,
    measurements,
    alerts: [
      { sloId: 'ranker/latency', severity: 'page', firedAt: at(1, 3), resolvedAt: at(1, 4) },
      { sloId: 'ranker/latency', severity: 'page', firedAt: at(3, 14), resolvedAt: at(3, 14, 30) },
      { sloId: 'ranker/availability', severity: 'ticket', firedAt: at(4, 10), resolvedAt: at(4, 12) },
      { sloId: 'embeddings/freshness', severity: 'ticket', firedAt: at(5, 6), resolvedAt: null },
      { sloId: 'ranker/latency', severity: 'page', firedAt: before(2, 1), resolvedAt: before(2, 2) },
    ],
    incidents: [
      // follows the first latency page, acked in 4 min, mitigated in 25, resolved in 1 h 10.
      { id: 'INC-1', title: 'Ranker p99 over 200 ms', sloId: 'ranker/latency', service: 'ranker', slos: [{ sloId: 'ranker/latency', budgetAtStart: 0.9, budgetAtEnd: 0.6 }], openedAt: at(1, 3, 2), acknowledgedAt: at(1, 3, 6), mitigatedAt: at(1, 3, 27), resolvedAt: at(1, 4, 12) },
      // service-level incident (no SLO) after the freshness ticket; acked in 10 min, not resolved.
      { id: 'INC-2', title: 'Embedding job stuck', sloId: null, service: 'embeddings', openedAt: at(5, 6, 30), acknowledgedAt: at(5, 6, 40), mitigatedAt: null, resolvedAt: null },
    ],
    remediations: [
      // rollback 20 min after the first page, done at +24 min.
      { id: 'ACT-1', kind: 'rollback', sloId: 'ranker/latency', service: 'ranker', target: 'deployment prod/ranker', requestedAt: at(1, 3, 20), completedAt: at(1, 3, 24), outcome: 'succeeded' },
      { id: 'ACT-2', kind: 'rerun', sloId: null, service: 'embeddings', target: 'job ml/embeddings-refresh', requestedAt: at(5, 7), completedAt: at(5, 7, 30), outcome: 'failed' },
    ],
    notes: [],
  };
}

// Normalized SLOs of every indicator kind, built directly (not through the YAML loader) so the
// generator's tests depend only on the domain model.
import { parseDuration } from '../../domain/duration.ts';
import type { Indicator, Slo } from '../../domain/slo.ts';
import { defaultTiers, makeTier, type Tier } from '../../domain/tiers.ts';

export function makeSlo(
  id: string,
  indicator: Indicator,
  over: { objectivePercent?: number; window?: string; tiers?: Tier[]; runbook?: string; labels?: Record<string, string>; minEvents?: number } = {},
): Slo {
  const [service, name] = id.split('/') as [string, string];
  const window = over.window ?? '28d';
  const windowSeconds = parseDuration(window);
  const objectivePercent = over.objectivePercent ?? 99.9;
  return {
    id,
    name,
    service,
    labels: over.labels ?? {},
    objectivePercent,
    objective: objectivePercent / 100,
    window,
    windowSeconds,
    source: 'prometheus',
    indicator,
    timesliceSeconds: 60,
    intervalSeconds: 60,
    alerting: { runbook: over.runbook, minEvents: over.minEvents ?? 0, noDataAfter: 3, tiers: over.tiers ?? defaultTiers(windowSeconds) },
    origin: { file: `slos/${name}.yaml`, line: 1 },
  };
}

const prom = (text: string) => ({ source: 'prometheus', language: 'promql' as const, text });

export const exampleSlos: Slo[] = [
  makeSlo(
    'hstu-ranker/ranker-latency',
    { kind: 'latency', source: 'prometheus', metric: 'ranker_request_duration_seconds', selector: 'route="/rank"', thresholdSeconds: 0.15 },
    { objectivePercent: 99, runbook: 'playbooks/ranker-latency.md', labels: { tier: 'critical' } },
  ),
  makeSlo(
    'hstu-ranker/ranker-availability',
    {
      kind: 'ratio',
      bad: prom('sum(rate(ranker_requests_total{code=~"5.."}[$window]))'),
      total: prom('sum(rate(ranker_requests_total[$window]))'),
    },
    { window: '30d', runbook: 'playbooks/ranker-availability.md' },
  ),
  makeSlo('hstu-ranker/model-freshness', { kind: 'freshness', query: prom('model_last_success_timestamp_seconds{model="hstu"}'), maxAgeSeconds: 21_600 }),
  makeSlo('training/hstu-throughput', {
    kind: 'throughput',
    query: prom('sum(rate(training_samples_total{job="hstu"}[5m]))'),
    min: 50_000,
    activeWhen: prom('max(training_job_active{job="hstu"})'),
  }),
  makeSlo('hstu-ranker/offline-ndcg', { kind: 'threshold', query: prom('ranker_offline_ndcg{model="hstu"}'), op: 'gte', value: 0.42 }, { objectivePercent: 95 }),
  makeSlo('embeddings/table-freshness', {
    kind: 'freshness',
    query: { source: 'warehouse', language: 'sql', text: 'select max(updated_at) from embeddings' },
    maxAgeSeconds: 86_400,
  }),
];

/** A one-day SLO with short tiers, so a promtool test covers the period in a few hours of series. */
export function shortSlo(id: string, indicator: Indicator, minEvents = 0): Slo {
  const day = 86_400;
  return makeSlo(id, indicator, {
    minEvents,
    window: '1d',
    objectivePercent: 99,
    tiers: [makeTier('page', 10, 3600, 300, day), makeTier('ticket', 20, 6 * 3600, 1800, day)],
  });
}

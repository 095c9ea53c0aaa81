// One prom-client registry for the whole process; every name starts with burnwatch_.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SloEvaluation } from '../domain/evaluation.ts';

export type Metrics = ReturnType<typeof createMetrics>;

const STATUSES = ['ok', 'ticket', 'page', 'unknown', 'error'] as const;

export function createMetrics(opts: { outboxDepth?: () => Promise<Map<string, number>> } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'burnwatch_' });
  const m = {
    registry,
    sli: new Gauge({ name: 'burnwatch_sli', help: 'SLI over the SLO window (good / total)', labelNames: ['slo'], registers: [registry] }),
    budgetRemaining: new Gauge({
      name: 'burnwatch_error_budget_remaining',
      help: 'Fraction of the error budget left over the SLO window (negative when overspent)',
      labelNames: ['slo'],
      registers: [registry],
    }),
    burnRate: new Gauge({ name: 'burnwatch_burn_rate', help: 'Burn rate per window', labelNames: ['slo', 'window'], registers: [registry] }),
    firing: new Gauge({
      name: 'burnwatch_alert_firing',
      help: '1 while a tier fires',
      labelNames: ['slo', 'tier', 'severity'],
      registers: [registry],
    }),
    status: new Gauge({ name: 'burnwatch_slo_status', help: '1 for the SLO\'s current status', labelNames: ['slo', 'status'], registers: [registry] }),
    cycleDuration: new Histogram({
      name: 'burnwatch_evaluation_duration_seconds',
      help: 'Duration of an evaluation cycle',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    cycles: new Counter({ name: 'burnwatch_evaluation_cycles_total', help: 'Evaluation cycles by result', labelNames: ['result'], registers: [registry] }),
    sourceQueryDuration: new Histogram({
      name: 'burnwatch_source_query_duration_seconds',
      help: 'Latency of SLI reads per data source',
      labelNames: ['source'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    sourceQueryErrors: new Counter({
      name: 'burnwatch_source_query_errors_total',
      help: 'Failed SLI reads per data source and error code',
      labelNames: ['source', 'code'],
      registers: [registry],
    }),
    // BigQuery's own job statistics: what the warehouse SLIs cost (on-demand pricing bills the bytes billed).
    sourceProcessedBytes: new Counter({
      name: 'burnwatch_source_processed_bytes_total',
      help: 'Bytes processed by the query jobs of a data source (BigQuery totalBytesProcessed)',
      labelNames: ['source'],
      registers: [registry],
    }),
    sourceBilledBytes: new Counter({
      name: 'burnwatch_source_billed_bytes_total',
      help: 'Bytes billed for the query jobs of a data source (BigQuery totalBytesBilled; at least 10 MiB a query on demand)',
      labelNames: ['source'],
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: 'burnwatch_outbox_pending',
      help: 'Notifications written but not yet delivered, per channel',
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        if (!opts.outboxDepth) return;
        this.reset();
        try {
          for (const [channel, n] of await opts.outboxDepth()) this.set({ channel }, n);
        } catch {
          // store unreachable: /readyz says so; leave the gauge empty rather than fail the scrape
        }
      },
    }),
    leader: new Gauge({ name: 'burnwatch_leader', help: '1 while this replica is the leader', registers: [registry] }),
    slosLoaded: new Gauge({ name: 'burnwatch_slos_loaded', help: 'SLOs loaded from the spec directory', registers: [registry] }),
    specProblems: new Gauge({ name: 'burnwatch_spec_problems', help: 'Spec files skipped because they are invalid', registers: [registry] }),
  };
  return m;
}

/** Replaces the per-SLO series with the latest evaluation of each loaded SLO. */
export function recordEvaluations(m: Metrics, evaluations: Iterable<SloEvaluation>): void {
  m.sli.reset();
  m.budgetRemaining.reset();
  m.burnRate.reset();
  m.firing.reset();
  m.status.reset();
  for (const e of evaluations) {
    if (e.sli !== null) m.sli.set({ slo: e.id }, e.sli);
    if (e.errorBudgetRemaining !== null) m.budgetRemaining.set({ slo: e.id }, e.errorBudgetRemaining);
    for (const [window, rate] of Object.entries(e.burnRates)) if (rate !== null && Number.isFinite(rate)) m.burnRate.set({ slo: e.id, window }, rate);
    for (const t of e.tiers) m.firing.set({ slo: e.id, tier: `${t.severity}-${t.long}-${t.short}`, severity: t.severity }, t.firing ? 1 : 0);
    for (const s of STATUSES) m.status.set({ slo: e.id, status: s }, e.status === s ? 1 : 0);
  }
}

// Runs a backtest: reads each SLO's history once (the union of the windows every policy
// needs), then replays it under each policy. SLOs are read a few at a time so memory stays
// at a few SLOs' worth of series.
import type { DataSourceSpec, PrometheusSourceSpec, Slo } from '../domain/slo.ts';
import { tierWindows } from '../domain/tiers.ts';
import { partsBySource, type SourceMap, windowsOf } from '../evaluator/index.ts';
import { type Grid, prometheusHistory, SeriesPool, type SloHistory, sourceHistory } from './history.ts';
import { type Policy, withPolicy } from './policy.ts';
import { prometheusRangeClient, type RangeClient } from './prometheus-range.ts';
import { replay, type SloBacktest } from './replay.ts';

export interface BacktestInput {
  slos: readonly Slo[];
  dataSources: readonly DataSourceSpec[];
  grid: Grid;
  policies: readonly Policy[];
  /** SliSources for SLOs not read with range queries (SQL, BigQuery); built by the caller. */
  sources?: SourceMap;
  /** Range clients by source name; default: one per Prometheus DataSource. */
  rangeClients?: ReadonlyMap<string, RangeClient>;
  /** Range queries in flight at once per Prometheus. Default 4. */
  queryConcurrency?: number;
  /** SLOs read at the same time. Default 2. */
  concurrency?: number;
  onProgress?: (done: number, total: number, id: string) => void;
  signal?: AbortSignal;
}

export interface PolicyResult {
  policy: Policy;
  results: SloBacktest[];
}

export interface BacktestResult {
  from: string;
  to: string;
  stepSeconds: number;
  policies: PolicyResult[];
  /** SLOs no source could replay, with why. */
  skipped: Array<{ id: string; reason: string }>;
}

/** Limits how many range queries run at once against one Prometheus. */
function limited(client: RangeClient, max: number): RangeClient {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    name: client.name,
    async queryRange(...args) {
      while (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      running++;
      try {
        return await client.queryRange(...args);
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
  };
}

export async function runBacktest(input: BacktestInput): Promise<BacktestResult> {
  // A few range queries at a time per Prometheus, whoever built the clients: SLOs × windows × parts
  // all at once (64 with 4 SLOs in flight) made a 2-core Prometheus four times slower than the same
  // queries 4 at a time.
  const given = input.rangeClients ?? new Map(input.dataSources.filter((s): s is PrometheusSourceSpec => s.type === 'prometheus').map((s) => [s.name, prometheusRangeClient(s)] as const));
  const clients = new Map([...given].map(([name, client]) => [name, limited(client, input.queryConcurrency ?? 4)] as const));
  const policies: PolicyResult[] = input.policies.map((policy) => ({ policy, results: [] }));
  const skipped: BacktestResult['skipped'] = [];
  const byId = new Map<string, SloBacktest[]>();
  // Each SLO's arrays serve the next once it is replayed (nothing in a result points at them).
  const pool = new SeriesPool(input.grid.points);
  let done = 0;
  let next = 0;

  const one = async (slo: Slo) => {
    if (slo.groupBy) {
      // Its series are one per label value; replaying them as one SLO would sum them.
      skipped.push({ id: slo.id, reason: `grouped by ${slo.groupBy.labels.join(', ')}: backtests of grouped SLOs are not supported yet` });
      return;
    }
    const variants = input.policies.map((p) => withPolicy(slo, p));
    const windows = [...new Set(variants.flatMap(windowsOf))].sort((a, b) => a - b);
    const tierSet = new Set(variants.flatMap((v) => tierWindows(v.alerting.tiers)));
    const sourceNames = [...partsBySource(slo).keys()];
    let history: SloHistory;
    const client = sourceNames.length === 1 ? clients.get(sourceNames[0]!) : undefined;
    if (client) {
      history = await prometheusHistory(slo, windows, tierSet, input.grid, client, input.signal, pool);
    } else if (input.sources && sourceNames.every((n) => input.sources!.has(n))) {
      history = await sourceHistory(slo, windows, input.grid, input.sources, input.signal ? { signal: input.signal } : {});
    } else {
      skipped.push({ id: slo.id, reason: `no way to read source ${sourceNames.join(', ')} for a backtest` });
      return;
    }
    byId.set(
      slo.id,
      variants.map((v) => replay({ ...history, slo: v })),
    );
    if (client) pool.give(history);
  };
  const worker = async () => {
    while (next < input.slos.length) {
      const slo = input.slos[next++]!;
      await one(slo);
      input.onProgress?.(++done, input.slos.length, slo.id);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency ?? 2, input.slos.length)) }, worker));

  for (const slo of input.slos) {
    const results = byId.get(slo.id);
    if (results) for (const [i, r] of results.entries()) policies[i]!.results.push(r);
  }
  const last = input.grid.start + (input.grid.points - 1) * input.grid.step;
  return {
    from: new Date(input.grid.start * 1000).toISOString(),
    to: new Date(last * 1000).toISOString(),
    stepSeconds: input.grid.step,
    policies,
    skipped,
  };
}

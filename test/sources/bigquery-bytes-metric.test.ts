// What the warehouse SLIs cost: burnwatch counts the bytes its BigQuery jobs processed and
// billed per DataSource, from the statistics the API returns (the real client against the
// fake, which bills like on-demand BigQuery), and shows them in its Prometheus registry.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSources } from '../../src/app/build-sources.ts';
import type { BigQuerySourceSpec, Indicator } from '../../src/domain/slo.ts';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { createMetrics, type Metrics } from '../../src/service/metrics.ts';
import { SOURCE_FACTORIES } from '../../src/sources/registry.ts';
import { type FakeBigQuery, MIN_BILLED_PER_TABLE, startFakeBigQuery } from '../fakes/bigquery-api.ts';
import { openMemoryStore, sqlSlo } from '../helpers/sql-slo.ts';

const END = new Date('2026-11-21T00:00:00Z');
const MIN = 60_000;

const BUCKETED = `
  SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(ts), @bucket_seconds) * @bucket_seconds) AS ts,
         COUNTIF(relevant) AS good, COUNT(*) AS total
    FROM \`test-project.ml.impressions\`
   WHERE ts >= @start AND ts < @end
   GROUP BY 1`;
const indicator: Indicator = {
  kind: 'ratio',
  good: { source: 'warehouse', language: 'sql', text: BUCKETED },
  total: { source: 'warehouse', language: 'sql', text: BUCKETED },
};

describe('bytes processed and billed per BigQuery DataSource', () => {
  let fake: FakeBigQuery;
  let store: Awaited<ReturnType<typeof openMemoryStore>>;
  let metrics: Metrics;
  let sources: ReturnType<typeof buildSources>;

  beforeAll(async () => {
    [fake, store] = await Promise.all([startFakeBigQuery({ location: 'EU' }), openMemoryStore()]);
    await fake.db.exec(`
      CREATE SCHEMA ml;
      CREATE TABLE ml.impressions (ts timestamptz NOT NULL, relevant boolean NOT NULL);
      CREATE INDEX ON ml.impressions (ts);`);
    // Four impressions a minute over the two days before END.
    await fake.db.query(
      `INSERT INTO ml.impressions SELECT t, (extract(minute FROM t)::int % 10) <> 0
         FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 second', interval '15 seconds') AS t`,
      [new Date(END.getTime() - 2 * 86_400_000), END],
    );
    metrics = createMetrics();
    const spec: BigQuerySourceSpec = { type: 'bigquery', name: 'warehouse', projectId: 'test-project', location: 'EU', apiEndpoint: fake.url, timeoutSeconds: 30 };
    // The service's own wiring: the default factories, instrumented with the process's metrics.
    sources = buildSources([spec], SOURCE_FACTORIES, metrics, { store: store.db });
  });
  afterAll(async () => {
    for (const s of sources?.values() ?? []) await s.close();
    await Promise.all([fake?.close(), store?.close()]);
  });
  beforeEach(() => {
    fake.pollsBeforeComplete = 0;
    fake.pageSize = 10_000;
  });

  async function counted(name: string): Promise<number | undefined> {
    const metric = await metrics.registry.getSingleMetric(name)?.get();
    return metric?.values.find((v) => v.labels['source'] === 'warehouse')?.value;
  }
  const queries = () => fake.queries();
  const sum = (f: (j: ReturnType<typeof queries>[number]) => number) => queries().reduce((s, j) => s + f(j), 0);

  it('adds up what every query job processed and billed, as the API reported it', async () => {
    const slo = sqlSlo('ranking/relevance', indicator, { source: 'warehouse' });
    const [first] = await evaluateAll([slo], sources, END);
    expect(first!.status).not.toBe('unknown');
    const [second] = await evaluateAll([slo], sources, new Date(END.getTime() + MIN));
    expect(second!.status).not.toBe('unknown');

    // The first read scanned the window, the second only the new minute plus the overlap.
    expect(queries()).toHaveLength(2);
    const [big, small] = queries();
    expect(big!.bytesProcessed).toBeGreaterThan(small!.bytesProcessed);
    expect(await counted('burnwatch_source_processed_bytes_total')).toBe(sum((j) => j.bytesProcessed));
    // On-demand billing: a query that reads a table is billed at least 10 MiB, however little it scans.
    expect(small!.bytesBilled).toBe(MIN_BILLED_PER_TABLE);
    expect(await counted('burnwatch_source_billed_bytes_total')).toBe(sum((j) => j.bytesBilled));
  });

  it('asks the job for the bytes billed when the answer came by polling, and never counts dry runs', async () => {
    const processedBefore = (await counted('burnwatch_source_processed_bytes_total')) ?? 0;
    const billedBefore = (await counted('burnwatch_source_billed_bytes_total')) ?? 0;
    const jobsBefore = queries().length;
    fake.pollsBeforeComplete = 2; // jobs.query answers "incomplete": the rows and stats come from jobs.getQueryResults
    const slo = sqlSlo('ranking/relevance-polled', indicator, { source: 'warehouse' });
    const [evaluation] = await evaluateAll([slo], sources, END);
    expect(evaluation!.status).not.toBe('unknown');

    const job = queries().at(-1)!;
    expect(queries()).toHaveLength(jobsBefore + 1);
    expect(fake.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/jobs/${job.jobId}`))).toBe(true);
    expect(await counted('burnwatch_source_processed_bytes_total')).toBe(processedBefore + job.bytesProcessed);
    expect(await counted('burnwatch_source_billed_bytes_total')).toBe(billedBefore + job.bytesBilled);

    await sources.get('warehouse')!.ping(); // a dry run: free, and not a query
    expect(fake.jobs.at(-1)!.dryRun).toBe(true);
    expect(await counted('burnwatch_source_billed_bytes_total')).toBe(billedBefore + job.bytesBilled);
  });

  it('shows both counters on /metrics in the exposition format', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^# TYPE burnwatch_source_processed_bytes_total counter$/m);
    expect(text).toMatch(/^burnwatch_source_billed_bytes_total\{source="warehouse"\} \d+$/m);
  });
});

// A mixed ratio through evaluateAll: good = impressions logged to the warehouse
// (BigQuery, through the fake REST API), total = impressions served (a real Prometheus).
// Each source is asked only for its part; a failing warehouse makes the SLO unknown.
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slo } from '../../src/domain/slo.ts';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { createBigQuerySource } from '../../src/sources/bigquery/bigquery-source.ts';
import { buildSources } from '../../src/sources/registry.ts';
import type { SliSource } from '../../src/sources/sli-source.ts';
import { type FakeBigQuery, startFakeBigQuery } from '../fakes/bigquery-api.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { openMemoryStore, sqlSlo } from '../helpers/sql-slo.ts';

const END = new Date('2026-11-21T00:00:00Z');
const START = new Date(END.getTime() - 2 * 86_400_000);
const RATE = 0.2; // impressions served per second
// From -3 h to -2 h only every other served impression reached the warehouse.
const OUTAGE = [END.getTime() - 3 * 3_600_000, END.getTime() - 2 * 3_600_000] as const;

const GOOD = `
  SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(served_at), @bucket_seconds) * @bucket_seconds) AS ts, COUNT(*) AS good
    FROM \`recs-analytics.logs.impressions\`
   WHERE served_at >= @start AND served_at < @end
   GROUP BY 1`;

let fake: FakeBigQuery;
let prom: PrometheusServer;
let store: Awaited<ReturnType<typeof openMemoryStore>>;
let sources: Map<string, SliSource>;

beforeAll(async () => {
  const served = scenario({ start: START, end: END, step: 60 }).counter('ranker_impressions_served_total', {}, profile(RATE));
  [fake, prom, store] = await Promise.all([startFakeBigQuery({ projectId: 'recs-analytics' }), startPrometheus(served), openMemoryStore()]);
  await fake.db.exec(`
    CREATE SCHEMA logs;
    CREATE TABLE logs.impressions (served_at timestamptz NOT NULL);
    CREATE INDEX ON logs.impressions (served_at);`);
  const logged: Date[] = [];
  for (let t = START.getTime(), i = 0; t < END.getTime(); t += 1000 / RATE, i++) {
    if (t >= OUTAGE[0] && t < OUTAGE[1] && i % 2 === 1) continue;
    logged.push(new Date(t));
  }
  await fake.db.query('INSERT INTO logs.impressions SELECT unnest($1::timestamptz[])', [logged]);

  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'fake', expiry_date: Date.now() + 3_600_000 });
  sources = buildSources([{ type: 'prometheus', name: 'prometheus', url: prom.url, timeoutSeconds: 10, headers: {} }]);
  sources.set(
    'warehouse',
    createBigQuerySource(
      { type: 'bigquery', name: 'warehouse', projectId: 'recs-analytics', apiEndpoint: fake.url, location: 'US', timeoutSeconds: 10 },
      { cache: store.db, authClient: auth },
    ),
  );
});
afterAll(async () => {
  await Promise.all([...(sources?.values() ?? [])].map((s) => s.close()));
  await Promise.all([fake?.close(), prom?.destroy(), store?.close()]);
});

const slo: Slo = sqlSlo(
  'interaction-logging/impression-logging',
  {
    kind: 'ratio',
    good: { source: 'warehouse', language: 'sql', text: GOOD },
    total: { source: 'prometheus', language: 'promql', text: 'sum(increase(ranker_impressions_served_total[$window]))' },
  },
  { objectivePercent: 99.5, objective: 0.995, source: 'prometheus' },
);

describe('mixed sources', () => {
  it('evaluates good from BigQuery against total from Prometheus', async () => {
    const [e] = await evaluateAll([slo], sources, END);
    expect(e!.status, e!.error).not.toBe('unknown');
    // The warehouse was asked for good only, in one query.
    expect(fake.queries()).toHaveLength(1);
    expect(fake.queries()[0]!.query).toContain('AS good');
    // 6 h: 360 of 4320 impressions lost → error ratio 1/12, burn (1/12)/0.005 = 16.7; 1 h after it: nothing lost.
    expect(e!.burnRates['6h']).toBeCloseTo(1 / 12 / 0.005, 1);
    expect(e!.burnRates['1d']).toBeCloseTo(360 / (RATE * 86_400) / 0.005, 1);
    expect(e!.burnRates['1h']).toBeCloseTo(0, 6);
    expect(e!.tiers.find((t) => t.long === '6h')!.firing).toBe(false); // the 30m short window is clean again
  });

  it('reports unknown, naming the warehouse, when BigQuery fails', async () => {
    fake.failNext(500, 'backendError', 'Backend error');
    // Another SLO id has no cached intervals yet, so the warehouse must be asked.
    const [e] = await evaluateAll([{ ...slo, id: 'interaction-logging/other' }], sources, END);
    expect(e!.status).toBe('unknown');
    expect(e!.error).toMatch(/warehouse: SLO interaction-logging\/other: good query: BigQuery backendError/);
  });
});

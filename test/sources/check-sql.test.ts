// `burnwatch check` over SQL SLOs, end to end: YAML → spec loader → source registry →
// PostgreSQL (PGlite through pglite://) and BigQuery (the fake REST API) → the same JSON
// and statuses as Prometheus SLOs; a broken query makes its SLO unknown with the reason.
import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.ts';
import { type FakeBigQuery, startFakeBigQuery } from '../fakes/bigquery-api.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const END = new Date('2026-11-21T00:00:00Z');
const H = 3_600_000;
let fake: FakeBigQuery;
let dir: string;

beforeAll(async () => {
  [fake, dir] = await Promise.all([startFakeBigQuery({ projectId: 'recs-analytics' }), makeTempDir('bw-check-sql-')]);
  // The warehouse: 10 impressions a minute for 2 days, 1 in 100 not relevant.
  await fake.db.exec(`
    CREATE SCHEMA logs;
    CREATE TABLE logs.impressions (served_at timestamptz NOT NULL, relevant boolean NOT NULL);
    CREATE INDEX ON logs.impressions (served_at);
    INSERT INTO logs.impressions
      SELECT t, (row_number() OVER (ORDER BY t)) % 100 <> 0
        FROM generate_series('2026-11-19'::timestamptz, '2026-11-21'::timestamptz - interval '6 seconds', interval '6 seconds') t;`);
  // The registry: training runs (1 in 5 of the last day failed) and model promotions.
  const registry = await PGlite.create({ dataDir: path.join(dir, 'registry') });
  await registry.exec(`
    CREATE TABLE training_runs (status text, finished_at timestamptz);
    INSERT INTO training_runs SELECT CASE WHEN i % 5 = 0 THEN 'failed' ELSE 'succeeded' END, '2026-11-20'::timestamptz + i * interval '1 hour'
      FROM generate_series(0, 23) i;
    CREATE TABLE model_versions (name text, creation_time bigint);`);
  await registry.query('INSERT INTO model_versions VALUES ($1, $2), ($1, $3)', ['hstu-ranker', END.getTime() - 40 * H, END.getTime() - 10 * H]);
  await registry.close();

  await fs.writeFile(
    path.join(dir, 'slos.yaml'),
    `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: warehouse }
spec:
  bigquery: { projectId: recs-analytics, apiEndpoint: "${fake.url}", location: US, maximumBytesBilled: 100MB }
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: registry }
spec:
  postgres: { url: "pglite://${path.join(dir, 'registry')}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: relevance, service: ranking }
spec:
  objective: 95
  window: 28d
  source: warehouse
  indicator:
    ratio:
      good: &q |
        SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(served_at), @bucket_seconds) * @bucket_seconds) AS ts,
               COUNTIF(relevant) AS good, COUNT(*) AS total
        FROM \`recs-analytics.logs.impressions\` WHERE served_at >= @start AND served_at < @end GROUP BY ts
      total: *q
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: training-run-success, service: training-platform }
spec:
  objective: 90
  window: 1d
  source: registry
  indicator:
    ratio:
      bad: SELECT count(*) AS bad FROM training_runs WHERE status = 'failed' AND finished_at >= @start AND finished_at < @end
      total: SELECT count(*) AS total FROM training_runs WHERE finished_at >= @start AND finished_at < @end
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: model-freshness, service: ranking }
spec:
  objective: 99
  window: 1d
  source: registry
  indicator:
    freshness:
      query: SELECT to_timestamp(max(creation_time) / 1000.0) AS last_update FROM model_versions WHERE creation_time < extract(epoch FROM @end) * 1000
      maxAge: 26h
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: broken, service: ranking }
spec:
  objective: 99
  window: 1d
  source: warehouse
  indicator:
    threshold:
      query: SELECT evaluated_at AS ts, ndcg AS value FROM evaluation.offline WHERE evaluated_at >= @start AND evaluated_at < @end
      op: gte
      value: 0.4
`,
  );
});
afterAll(async () => {
  await fake?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('burnwatch check over SQL sources', () => {
  it('evaluates BigQuery and PostgreSQL SLOs like Prometheus ones', async () => {
    const result = await runCheck({ slos: dir, at: END.toISOString(), format: 'json' }, { cwd: dir, env: {}, now: () => END });
    // Spec warnings only (one-day windows are jumpy), no errors.
    expect(result.stderr.split('\n').filter((l) => l !== '' && !l.includes(' warning: '))).toEqual([]);
    const byId = new Map(result.evaluations.map((e) => [e.id, e]));

    const relevance = byId.get('ranking/relevance')!;
    expect(relevance.status).toBe('ok');
    expect(relevance.events).toEqual({ bad: 288, total: 28_800 }); // the 2 days there are of the 28
    expect(relevance.sli).toBeCloseTo(0.99, 10);
    expect(relevance.errorBudgetRemaining).toBeCloseTo(0.8, 10);

    // 5 of 24 runs failed (i = 0, 5, 10, 15, 20): 20.8 % errors against a 10 % budget.
    const runs = byId.get('training-platform/training-run-success')!;
    expect(runs.events).toEqual({ bad: 5, total: 24 });
    expect(runs.errorBudgetRemaining).toBeCloseTo(1 - 5 / 24 / 0.1, 10);

    // Promoted at -40 h and -10 h with maxAge 26 h: stale for slices ending in (-14 h, -10 h].
    const freshness = byId.get('ranking/model-freshness')!;
    expect(freshness.events).toEqual({ bad: 240, total: 1440 });

    const broken = byId.get('ranking/broken')!;
    expect(broken.status).toBe('unknown');
    expect(broken.error).toMatch(/warehouse: SLO ranking\/broken: threshold query: BigQuery notFound: .*check the table name/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).slos.map((s: { id: string; status: string }) => s.status)).toEqual(result.evaluations.map((e) => e.status));
  });
});

// SQL SLIs cannot change data: PostgreSQL runs each in a READ ONLY transaction (rolled back
// after it), `validate --check-sources` only EXPLAINs reads (never ANALYZE), BigQuery runs
// only what its dry run calls a SELECT. Each attempt here wrote on today's main.
import { OAuth2Client } from 'google-auth-library';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBigQueryRunner } from '../../src/sources/bigquery/bigquery-runner.ts';
import { createPostgresRunner, type PostgresRunner } from '../../src/sources/postgres/postgres-runner.ts';
import { type FakeBigQuery, startFakeBigQuery } from '../fakes/bigquery-api.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-databases.ts';

const params = { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z'), window_seconds: 86_400, bucket_seconds: 60 };
const tried = { tried: 0, refused: 0 };

describe('PostgreSQL SLI queries are read-only', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let runner: PostgresRunner;
  const rows = async () => Number((await admin.query('SELECT count(*) AS n FROM events')).rows[0].n);

  beforeAll(async () => {
    db = await createPostgresDatabase('bw_ro');
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query("CREATE TABLE events (at timestamptz, ok boolean); INSERT INTO events SELECT '2026-11-20T12:00:00Z', i % 10 <> 0 FROM generate_series(1, 100) i");
    await admin.query('CREATE SEQUENCE s');
    runner = createPostgresRunner({ name: 'registry', url: db.url, timeoutSeconds: 10 });
  });
  afterAll(async () => {
    await runner?.close();
    await admin?.end();
    await db?.drop();
  });

  const writes = [
    'WITH gone AS (DELETE FROM events RETURNING 1) SELECT count(*) AS bad, 100 AS total FROM gone',
    'DELETE FROM events',
    'ANALYZE events',
    'UPDATE events SET ok = false',
    'SELECT 1 AS bad, 1 AS total; DELETE FROM events',
    'SELECT nextval(\'s\') AS bad, 1 AS total',
    "SELECT count(*) AS bad, 1 AS total FROM events WHERE at >= @start; DELETE FROM events",
    'CREATE TABLE t AS SELECT 1',
    '/* looks like a read */ (DELETE FROM events)',
  ];

  it.each(writes)('check refuses %s and nothing changes', async (sql) => {
    tried.tried += 1;
    await expect(runner.run(sql, params)).rejects.toMatchObject({ code: 'bad_query', retryable: false });
    expect(await rows()).toBe(100);
    tried.refused += 1;
  });

  it('a session setting a query makes does not outlive it: the next write is still refused', async () => {
    tried.tried += 1;
    await runner.run("SELECT set_config('default_transaction_read_only', 'off', false) AS x", params);
    await runner.run("SELECT set_config('transaction_read_only', 'off', false) AS x", params).catch(() => {});
    await expect(runner.run(writes[0]!, params)).rejects.toThrow(/read-only transaction/);
    expect(await rows()).toBe(100);
    tried.refused += 1;
  });

  it('reads still work', async () => {
    expect(await runner.run('SELECT count(*) FILTER (WHERE NOT ok) AS bad, count(*) AS total FROM events WHERE at >= @start AND at < @end', params)).toEqual([{ bad: '10', total: '100' }]);
  });

  it.each(['ANALYZE DELETE FROM events', 'DELETE FROM events', '(ANALYZE) DELETE FROM events'])('validate --check-sources refuses to EXPLAIN %s', async (sql) => {
    tried.tried += 1;
    await expect(runner.explain(sql, params)).rejects.toMatchObject({ code: 'bad_query' });
    expect(await rows()).toBe(100);
    tried.refused += 1;
  });

  it('plans a read with a data-modifying CTE without executing it', async () => {
    await runner.explain(writes[0]!, params).catch(() => {});
    expect(await rows()).toBe(100);
  });
});

describe('BigQuery SLI queries must be SELECTs', () => {
  let fake: FakeBigQuery;
  beforeAll(async () => {
    fake = await startFakeBigQuery({ projectId: 'recs-analytics' });
    await fake.db.exec('CREATE SCHEMA logs; CREATE TABLE logs.events (ok boolean); INSERT INTO logs.events SELECT i % 10 <> 0 FROM generate_series(1, 100) i;');
  });
  afterAll(() => fake?.close());

  const runner = () => {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'fake', expiry_date: Date.now() + 3_600_000 });
    return createBigQueryRunner({ type: 'bigquery', name: 'warehouse', projectId: 'recs-analytics', apiEndpoint: fake.url, timeoutSeconds: 10 }, { authClient: auth as never });
  };
  const rows = async () => Number((await fake.db.query<{ n: number }>('SELECT count(*)::int AS n FROM logs.events')).rows[0]!.n);

  it.each(['DELETE FROM logs.events WHERE true', 'SELECT 1 AS bad; DELETE FROM logs.events WHERE true', 'WITH x AS (SELECT 1) SELECT 1; DROP TABLE logs.events'])(
    'refuses %s before running it',
    async (sql) => {
      tried.tried += 1;
      const before = fake.queries().length;
      await expect(runner().run(sql, params)).rejects.toMatchObject({ code: 'bad_query', retryable: false });
      expect(fake.queries().length).toBe(before);
      expect(await rows()).toBe(100);
      tried.refused += 1;
    },
  );

  it('runs a SELECT after one dry run, and then without one', async () => {
    const r = runner();
    const sql = 'SELECT COUNTIF(NOT ok) AS bad, COUNT(*) AS total FROM logs.events';
    expect(await r.run(sql, params)).toHaveLength(1);
    expect(await r.run(sql, params)).toHaveLength(1);
    expect(fake.jobs.filter((j) => j.dryRun && j.query === sql)).toHaveLength(1);
    process.stdout.write(`read-only SQL run: ${JSON.stringify(tried)}\n`);
  });
});

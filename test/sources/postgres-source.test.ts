// The PostgreSQL source on the machine's PostgreSQL (a throwaway database) and on
// PGlite (pglite://dir): an MLflow registry's model versions and a feature store's runs.
import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Indicator, PostgresSourceSpec } from '../../src/domain/slo.ts';
import { createPostgresSource } from '../../src/sources/postgres/postgres-source.ts';
import type { SliPart } from '../../src/sources/sli-source.ts';
import { SourceError } from '../../src/sources/source-error.ts';
import type { SqlSliSource } from '../../src/sources/sql/sql-sli-source.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { openMemoryStore, sqlSlo } from '../helpers/sql-slo.ts';

const END = new Date('2026-11-21T00:00:00Z');
const H = 3_600_000;
const DAY = 86_400;

const SCHEMA = `
  CREATE TABLE model_versions (name text, version int, creation_time bigint, current_stage text);
  CREATE TABLE feature_runs (started_at timestamptz NOT NULL, ok boolean NOT NULL, note text);
  CREATE INDEX ON feature_runs (started_at);
  CREATE TABLE training_metrics (ts timestamptz NOT NULL, samples_per_sec double precision);`;

// The ranker was promoted at -30 h, -20 h and -3 h: stale (maxAge 12 h) from -8 h to -3 h.
const PROMOTIONS = [-30, -20, -3].map((h) => END.getTime() + h * H);
// A feature run every 5 minutes over the last day; every 12th fails.
const RUNS = Array.from({ length: 288 }, (_, i) => ({ at: new Date(END.getTime() - DAY * 1000 + i * 300_000), ok: i % 12 !== 0 }));

async function seedPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedWith(client);
  } finally {
    await client.end();
  }
}

const FRESHNESS = `
  SELECT to_timestamp(max(creation_time) / 1000.0) AS last_update
    FROM model_versions
   WHERE name = 'ranker' AND current_stage = 'Production'
     AND creation_time < extract(epoch FROM @end) * 1000`;
const RUNS_BUCKETED = `
  SELECT to_timestamp(floor(extract(epoch FROM started_at) / @bucket_seconds) * @bucket_seconds) AS ts,
         count(*) FILTER (WHERE ok) AS good, count(*) AS total
    FROM feature_runs
   WHERE started_at >= @start AND started_at < @end AND note <> '@start'
   GROUP BY 1`;
const RUNS_ONE_ROW = `
  SELECT count(*) FILTER (WHERE ok) AS good, count(*) AS total -- counts runs in [@start, @end)
    FROM feature_runs WHERE started_at >= @start AND started_at < @end AND note = 'retry @end later'`;
const THROUGHPUT = 'SELECT ts, samples_per_sec AS value FROM training_metrics WHERE ts >= @start AND ts < @end';

function expectedRuns(windowSeconds: number) {
  const inWindow = RUNS.filter((r) => r.at.getTime() >= END.getTime() - windowSeconds * 1000);
  return { good: inWindow.filter((r) => r.ok).length, total: inWindow.length };
}

describe.each(['postgres', 'pglite'] as const)('PostgreSQL source on %s', (kind) => {
  let database: TestDatabase | undefined;
  let dir: string;
  let url: string;
  let store: Awaited<ReturnType<typeof openMemoryStore>>;
  let source: SqlSliSource;
  const spec = (u: string): PostgresSourceSpec => ({ type: 'postgres', name: 'registry', url: u, timeoutSeconds: 5 });

  beforeAll(async () => {
    dir = await makeTempDir('bw-pg-source-');
    if (kind === 'postgres') {
      database = await createPostgresDatabase('bw_pgsource');
      url = database.url;
      await seedPostgres(url);
    } else {
      url = `pglite://${path.join(dir, 'warehouse')}`;
      await seedPglite(path.join(dir, 'warehouse'));
    }
    store = await openMemoryStore();
    source = createPostgresSource(spec(url), { cache: store.db });
  });
  afterAll(async () => {
    await source?.close();
    await store?.close();
    await database?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const request = (id: string, indicator: Indicator, windows: number[], parts: SliPart[] = ['good', 'bad', 'total']) => ({
    slo: sqlSlo(id, indicator, { source: 'registry' }),
    windows,
    at: END,
    parts,
  });

  it('reads model freshness from the MLflow registry as slices', async () => {
    const indicator: Indicator = { kind: 'freshness', maxAgeSeconds: 12 * 3600, query: { source: 'registry', language: 'sql', text: FRESHNESS } };
    const reading = await source.read(request('ranking/model-freshness', indicator, [3600, DAY]));
    // Stale for slices ending in (-8 h, -3 h]: 300 one-minute slices.
    expect(reading.get(DAY)).toEqual({ good: 1440 - 300, bad: 300, total: 1440 });
    expect(reading.get(3600)).toEqual({ good: 60, bad: 0, total: 60 });
  });

  it('reads a ratio in the bucketed and the one-row form alike (parameters in literals stay text)', async () => {
    const ratio = (text: string): Indicator => ({
      kind: 'ratio',
      good: { source: 'registry', language: 'sql', text },
      total: { source: 'registry', language: 'sql', text },
    });
    const windows = [3600, 6 * 3600, DAY];
    const bucketed = await source.read(request('features/runs-b', ratio(RUNS_BUCKETED), windows, ['good', 'total']));
    const oneRow = await source.read(request('features/runs-1', ratio(RUNS_ONE_ROW), windows, ['good', 'total']));
    for (const w of windows) {
      expect(bucketed.get(w)).toEqual(expectedRuns(w));
      expect(oneRow.get(w)).toEqual(expectedRuns(w));
    }
  });

  it('keeps the one-row form exact cycle after cycle, at uneven instants, back in time and with a longer window', async () => {
    const ratio: Indicator = {
      kind: 'ratio',
      good: { source: 'registry', language: 'sql', text: RUNS_ONE_ROW },
      total: { source: 'registry', language: 'sql', text: RUNS_ONE_ROW },
    };
    const slo = sqlSlo('features/runs-cycles', ratio, { source: 'registry' });
    // Window starts are rounded up to the minute (the timeslice), as in the bucketed form.
    const truth = (at: Date, w: number) => {
      const start = Math.ceil((at.getTime() - w * 1000) / 60_000) * 60_000;
      const inWindow = RUNS.filter((r) => r.at.getTime() >= start && r.at < at);
      return { good: inWindow.filter((r) => r.ok).length, total: inWindow.length };
    };
    // 7m17.25s apart (never on a minute), one step back to an earlier instant, then a day-long window joins.
    const steps = Array.from({ length: 12 }, (_, k) => ({ at: new Date(END.getTime() - 6 * H + k * 437_250), windows: [300, 3600, 6 * 3600] }));
    steps.push({ at: new Date(END.getTime() - 6 * H + 2 * 437_250 + 1234), windows: [300, 3600, 6 * 3600] });
    steps.push({ at: new Date(END.getTime() - 4 * H), windows: [300, 3600, 6 * 3600, DAY] });
    steps.push({ at: new Date(END.getTime() - 4 * H + 61_000), windows: [300, 3600, 6 * 3600, DAY] });
    for (const { at, windows } of steps) {
      const reading = await source.read({ slo, windows, at, parts: ['good', 'total'] });
      for (const w of windows) expect(reading.get(w), `${w}s window at ${at.toISOString()}`).toEqual(truth(at, w));
    }
  });

  it('reads training throughput slices only while the job reports', async () => {
    const indicator: Indicator = { kind: 'throughput', min: 800, query: { source: 'registry', language: 'sql', text: THROUGHPUT } };
    const reading = await source.read(request('training/throughput', indicator, [3600, DAY]));
    expect(reading.get(DAY)).toEqual({ good: 300, bad: 60, total: 360 });
    expect(reading.get(3600)).toEqual({ good: 0, bad: 0, total: 0 });
  });

  it('fails a misconfigured query with SLO, source and what PostgreSQL said', async () => {
    const indicator: Indicator = {
      kind: 'freshness',
      maxAgeSeconds: 3600,
      query: { source: 'registry', language: 'sql', text: 'SELECT max(created) AS last_update FROM model_versions WHERE created < @end' },
    };
    const error = await source.read(request('ranking/broken', indicator, [3600])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    const e = error as SourceError;
    expect(e.code).toBe('bad_query');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/^registry: SLO ranking\/broken: freshness query: PostgreSQL error 42703: column "created" does not exist/);

    const typo = { ...indicator, query: { ...indicator.query, text: 'SELECT max(creation_time) AS last_update FROM model_versions WHERE ts < @ending' } };
    const unknown = (await source.read(request('ranking/typo', typo, [3600])).catch((x: unknown) => x)) as SourceError;
    expect(unknown.message).toMatch(/unknown parameter @ending \(available: @start, @end, @window_seconds, @bucket_seconds\)/);
  });

  it('says a database that does not answer is unreachable, and that a retry may help', async () => {
    const down = createPostgresSource(spec('postgres://postgres@127.0.0.1:1/none'), { cache: store.db });
    const e = (await down.ping().catch((x: unknown) => x)) as SourceError;
    await down.close();
    expect(e).toBeInstanceOf(SourceError);
    expect({ code: e.code, retryable: e.retryable }).toEqual({ code: 'unreachable', retryable: true });
  });
});

async function seedPglite(dataDir: string): Promise<void> {
  const lite = await PGlite.create({ dataDir });
  const pool = new pg.Pool(createPgConfig(lite) as unknown as pg.PoolConfig);
  const client = await pool.connect();
  try {
    await seedWith(client);
  } finally {
    client.release();
    await pool.end();
    await lite.close();
  }
}

async function seedWith(client: pg.ClientBase): Promise<void> {
  await client.query(SCHEMA);
  for (const [i, t] of PROMOTIONS.entries()) {
    await client.query('INSERT INTO model_versions VALUES ($1, $2, $3, $4)', ['ranker', i + 1, t, 'Production']);
  }
  await client.query("INSERT INTO model_versions VALUES ('other', 1, $1, 'Production')", [END.getTime() - H]);
  await client.query("INSERT INTO feature_runs SELECT *, 'retry @end later' FROM unnest($1::timestamptz[], $2::boolean[])", [
    RUNS.map((r) => r.at),
    RUNS.map((r) => r.ok),
  ]);
  // 1000 samples/s while training from -10 h to -4 h, with a slow hour (-6 h to -5 h).
  for (let m = -600; m < -240; m++) {
    const ts = new Date(END.getTime() + m * 60_000);
    await client.query('INSERT INTO training_metrics VALUES ($1, $2)', [ts, m >= -360 && m < -300 ? 400 : 1000]);
  }
}

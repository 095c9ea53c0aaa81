// The SQL source on an SQLite file (sqlite://…): MLflow's default backend store, so "model
// registry freshness from mlflow.db" needs no server. The tables below are MLflow's own
// (model_versions with epoch-millisecond times), plus a feature store's runs.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Indicator, PostgresSourceSpec } from '../../src/domain/slo.ts';
import { createPostgresSource } from '../../src/sources/postgres/postgres-source.ts';
import type { SliPart } from '../../src/sources/sli-source.ts';
import { SourceError } from '../../src/sources/source-error.ts';
import type { SqlSliSource } from '../../src/sources/sql/sql-sli-source.ts';
import { openMemoryStore, sqlSlo } from '../helpers/sql-slo.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const END = new Date('2026-11-21T00:00:00Z');
const H = 3_600_000;
const DAY = 86_400;
// The ranker was promoted at -30 h, -20 h and -3 h: stale (maxAge 12 h) from -8 h to -3 h.
const PROMOTIONS = [-30, -20, -3].map((h) => END.getTime() + h * H);
// A feature run every 5 minutes over the last day; every 12th fails.
const RUNS = Array.from({ length: 288 }, (_, i) => ({ at: END.getTime() - DAY * 1000 + i * 300_000, ok: i % 12 !== 0 }));

const FRESHNESS = `
  SELECT max(last_updated_time) AS last_update FROM model_versions
   WHERE name = 'ranker' AND current_stage = 'Production' AND last_updated_time < @end`;
const RUNS_BUCKETED = `
  SELECT (started_at / (@bucket_seconds * 1000)) * (@bucket_seconds * 1000) AS ts, sum(ok) AS good, count(*) AS total
    FROM feature_runs WHERE started_at >= @start AND started_at < @end AND note <> '@start' GROUP BY 1`;
const RUNS_ONE_ROW = `
  SELECT sum(ok) AS good, count(*) AS total -- runs in [@start, @end)
    FROM feature_runs WHERE started_at >= @start AND started_at < @end`;
// datetime() text (UTC, no zone) works as well as epoch milliseconds.
const THROUGHPUT = `
  SELECT ts, samples_per_sec AS value FROM training_metrics
   WHERE ts >= datetime(@start / 1000, 'unixepoch') AND ts < datetime(@end / 1000, 'unixepoch')`;

function expectedRuns(windowSeconds: number) {
  const inWindow = RUNS.filter((r) => r.at >= END.getTime() - windowSeconds * 1000);
  return { good: inWindow.filter((r) => r.ok).length, total: inWindow.length };
}

describe('SQL source on an SQLite file (mlflow.db)', () => {
  let dir: string;
  let file: string;
  let store: Awaited<ReturnType<typeof openMemoryStore>>;
  let source: SqlSliSource;
  const spec = (url: string): PostgresSourceSpec => ({ type: 'postgres', name: 'registry', url, timeoutSeconds: 5 });

  beforeAll(async () => {
    dir = await makeTempDir('bw-sqlite-source-');
    file = path.join(dir, 'mlflow.db');
    const db = new DatabaseSync(file);
    db.exec(`
      CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, creation_time BIGINT,
        last_updated_time BIGINT, current_stage VARCHAR(20), PRIMARY KEY (name, version));
      CREATE TABLE feature_runs (started_at BIGINT NOT NULL, ok INTEGER NOT NULL, note TEXT);
      CREATE TABLE training_metrics (ts TEXT NOT NULL, samples_per_sec REAL);`);
    const mv = db.prepare('INSERT INTO model_versions VALUES (?, ?, ?, ?, ?)');
    for (const [i, t] of PROMOTIONS.entries()) mv.run('ranker', i + 1, t, t, 'Production');
    mv.run('other', 1, END.getTime() - H, END.getTime() - H, 'Production');
    const run = db.prepare("INSERT INTO feature_runs VALUES (?, ?, 'nightly')");
    for (const r of RUNS) run.run(r.at, r.ok ? 1 : 0);
    // The trainer reported for 6 h, 1 h before the end: 300 minutes above 800/s, 60 below.
    const metric = db.prepare('INSERT INTO training_metrics VALUES (?, ?)');
    for (let m = 0; m < 360; m++) {
      const at = new Date(END.getTime() - 7 * H + m * 60_000);
      metric.run(at.toISOString().slice(0, 19).replace('T', ' '), m < 300 ? 1000 : 500);
    }
    db.close();
    store = await openMemoryStore();
    source = createPostgresSource(spec(`sqlite://${file}`), { cache: store.db });
  });
  afterAll(async () => {
    await source?.close();
    await store?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const request = (id: string, indicator: Indicator, windows: number[], parts: SliPart[] = ['good', 'bad', 'total']) => ({
    slo: sqlSlo(id, indicator, { source: 'registry' }),
    windows,
    at: END,
    parts,
  });

  it('reads model registry freshness from mlflow.db as slices', async () => {
    const indicator: Indicator = { kind: 'freshness', maxAgeSeconds: 12 * 3600, query: { source: 'registry', language: 'sql', text: FRESHNESS } };
    const reading = await source.read(request('ranking/model-freshness', indicator, [3600, DAY]));
    expect(reading.get(DAY)).toEqual({ good: 1440 - 300, bad: 300, total: 1440 });
    expect(reading.get(3600)).toEqual({ good: 60, bad: 0, total: 60 });
  });

  it('reads a ratio in the bucketed and the one-row form alike', async () => {
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

  it('reads throughput from datetime() text', async () => {
    const indicator: Indicator = { kind: 'throughput', min: 800, query: { source: 'registry', language: 'sql', text: THROUGHPUT } };
    const reading = await source.read(request('training/throughput', indicator, [3600, DAY]));
    expect(reading.get(DAY)).toEqual({ good: 300, bad: 60, total: 360 });
    expect(reading.get(3600)).toEqual({ good: 0, bad: 0, total: 0 });
  });

  it('fails a wrong query with what SQLite said, and never writes to the file', async () => {
    const broken: Indicator = {
      kind: 'freshness',
      maxAgeSeconds: 3600,
      query: { source: 'registry', language: 'sql', text: 'SELECT max(created) AS last_update FROM model_versions WHERE created < @end' },
    };
    const e = (await source.read(request('ranking/broken', broken, [3600])).catch((x: unknown) => x)) as SourceError;
    expect(e).toBeInstanceOf(SourceError);
    expect({ code: e.code, retryable: e.retryable }).toEqual({ code: 'bad_query', retryable: false });
    expect(e.message).toMatch(/SQLite error on .*mlflow\.db: no such column: created/);
    const write: Indicator = { ...broken, query: { ...broken.query, text: "UPDATE model_versions SET current_stage = 'Archived' RETURNING @end AS last_update" } };
    const w = (await source.read(request('ranking/write', write, [3600])).catch((x: unknown) => x)) as SourceError;
    expect(w.message).toMatch(/readonly/);
  });

  it('says a missing file is unreachable, and that a retry may help', async () => {
    const missing = createPostgresSource(spec(`sqlite://${path.join(dir, 'nope.db')}`), { cache: store.db });
    const e = (await missing.ping().catch((x: unknown) => x)) as SourceError;
    await missing.close();
    expect({ code: e.code, retryable: e.retryable }).toEqual({ code: 'unreachable', retryable: true });
    expect(e.message).toMatch(/nope\.db \(source registry\) does not exist/);
  });
});

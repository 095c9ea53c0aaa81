// The BigQuery source through the real @google-cloud/bigquery client against the fake
// REST API, which executes the SQL on PGlite: contract, paging, polling, errors.
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BigQuerySourceSpec, Indicator } from '../../src/domain/slo.ts';
import { createBigQuerySource } from '../../src/sources/bigquery/bigquery-source.ts';
import type { SliRequest } from '../../src/sources/sli-source.ts';
import { SourceError } from '../../src/sources/source-error.ts';
import { type FakeBigQuery, startFakeBigQuery } from '../fakes/bigquery-api.ts';
import { openMemoryStore, sqlSlo } from '../helpers/sql-slo.ts';

const END = new Date('2026-11-21T00:00:00Z');
const DAY = 86_400;
const MIN = 60_000;

// Six impressions a minute over the day before END; in every 7th minute two are not relevant.
const impressions: { ts: Date; relevant: boolean }[] = [];
for (let m = 0; m < 1440; m++) {
  for (let i = 0; i < 6; i++) {
    impressions.push({ ts: new Date(END.getTime() - DAY * 1000 + m * MIN + i * 10_000), relevant: !(m % 7 === 0 && i < 2) });
  }
}
function expected(windowSeconds: number, at = END) {
  const from = at.getTime() - windowSeconds * 1000;
  const inWindow = impressions.filter((r) => r.ts.getTime() >= from && r.ts.getTime() < at.getTime());
  return { good: inWindow.filter((r) => r.relevant).length, total: inWindow.length };
}

const BUCKETED = `
  SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(ts), @bucket_seconds) * @bucket_seconds) AS ts,
         COUNTIF(relevant) AS good, COUNT(*) AS total
    FROM \`test-project.ml.impressions\`
   WHERE ts >= @start AND ts < @end
   GROUP BY 1`;
const ONE_ROW = `SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM ml.impressions WHERE ts >= @start AND ts < @end`;

const ratio = (text: string): Indicator => ({
  kind: 'ratio',
  good: { source: 'bq', language: 'sql', text },
  total: { source: 'bq', language: 'sql', text },
});

let fake: FakeBigQuery;
let store: Awaited<ReturnType<typeof openMemoryStore>>;

beforeAll(async () => {
  [fake, store] = await Promise.all([startFakeBigQuery({ location: 'EU' }), openMemoryStore()]);
  await fake.db.exec(`
    CREATE SCHEMA ml;
    CREATE TABLE ml.impressions (ts timestamptz NOT NULL, relevant boolean NOT NULL);
    CREATE INDEX ON ml.impressions (ts);
    CREATE TABLE ml.embedding_builds (built_at timestamptz NOT NULL);
    CREATE INDEX ON ml.embedding_builds (built_at);
    CREATE TABLE ml.offline_eval (ts timestamptz NOT NULL, ndcg double precision NOT NULL);
    CREATE INDEX ON ml.offline_eval (ts);`);
  await fake.db.query('INSERT INTO ml.impressions SELECT * FROM unnest($1::timestamptz[], $2::boolean[])', [
    impressions.map((r) => r.ts),
    impressions.map((r) => r.relevant),
  ]);
});
afterAll(async () => {
  await Promise.all([fake?.close(), store?.close()]);
});
beforeEach(() => {
  fake.pollsBeforeComplete = 0;
  fake.pageSize = 10_000;
  fake.requests.length = 0;
  fake.jobs.length = 0;
});

function spec(overrides: Partial<BigQuerySourceSpec> = {}): BigQuerySourceSpec {
  return { type: 'bigquery', name: 'bq', projectId: 'test-project', location: 'EU', apiEndpoint: fake.url, timeoutSeconds: 10, ...overrides };
}

function source(overrides: Partial<BigQuerySourceSpec> = {}) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'fake-token', expiry_date: Date.now() + 3_600_000 });
  return createBigQuerySource(spec(overrides), { cache: store.db, authClient: auth });
}

function request(indicator: Indicator, windows: number[], id = `ml/${Math.random().toString(36).slice(2)}`, at = END): SliRequest {
  const slo = sqlSlo(id, indicator, { source: 'bq' });
  return { slo, windows, at, parts: indicator.kind === 'ratio' ? ['good', 'total'] : ['good', 'bad', 'total'] };
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('BigQuery source', () => {
  it('reads a bucketed ratio per window with named parameters, location, byte cap and job timeout on the wire', async () => {
    const src = source({ maximumBytesBilled: 20_000_000 }); // above the 10 MiB every query is billed at least
    const reading = await src.read(request(ratio(BUCKETED), [300, 3600, DAY, 28 * DAY]));
    for (const w of [300, 3600, DAY, 28 * DAY]) expect(reading.get(w)).toEqual(expected(w));

    // A dry run first (BigQuery names the statement type: only a SELECT runs), then one query reads all windows.
    const dryRuns = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'));
    expect(dryRuns.map((r) => (r.body?.['configuration'] as { dryRun?: boolean } | undefined)?.dryRun)).toEqual([true]);
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/queries'));
    expect(posts).toHaveLength(1);
    const body = posts[0]!.body!;
    expect(posts[0]!.path).toBe('/bigquery/v2/projects/test-project/queries');
    expect(body).toMatchObject({ useLegacySql: false, parameterMode: 'named', location: 'EU', maximumBytesBilled: '20000000', jobTimeoutMs: '10000' });
    const params = Object.fromEntries(
      (body['queryParameters'] as { name: string; parameterType: { type: string } }[]).map((p) => [p.name, p.parameterType.type]),
    );
    expect(params).toEqual({ start: 'TIMESTAMP', end: 'TIMESTAMP', bucket_seconds: 'INT64' });
    expect(posts[0]!.authorization).toBe('Bearer fake-token');
  });

  it('polls an incomplete job and follows page tokens', async () => {
    fake.pollsBeforeComplete = 2;
    fake.pageSize = 100;
    const reading = await source().read(request(ratio(BUCKETED), [3600, DAY]));
    expect(reading.get(DAY)).toEqual(expected(DAY));
    expect(reading.get(3600)).toEqual(expected(3600));
    const gets = fake.requests.filter((r) => r.method === 'GET');
    // jobs.query answers "incomplete", one poll too, the next poll brings the first of 15 pages of 100.
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/queries'))).toHaveLength(1);
    expect(gets.filter((g) => g.search['pageToken'] === undefined)).toHaveLength(2);
    expect(gets.filter((g) => g.search['pageToken'] !== undefined)).toHaveLength(14);
    expect(gets.every((g) => g.search['location'] === 'EU')).toBe(true);
  });

  it('reads the one-row form in disjoint ranges: the long window up to the overlap, then the overlap', async () => {
    const reading = await source().read(request(ratio(ONE_ROW), [300, 7200]));
    expect(reading.get(300)).toEqual(expected(300));
    expect(reading.get(7200)).toEqual(expected(7200));
    // [at − 2h, at − 5m) is kept in burnwatch's store; [at − 5m, at) is read every cycle for late rows.
    expect(fake.queries().map((j) => (j.params['end'] as Date).getTime() - (j.params['start'] as Date).getTime())).toEqual([
      6_900_000, 300_000,
    ]);
  });

  it('names SLO, source, reason and the fix for an invalid query, and says a retry will not help', async () => {
    const e = await failure(source().read(request(ratio('SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM ml.impressions WHERE tss >= @start'), [300], 'ranking/relevance')));
    expect(e.code).toBe('bad_query');
    expect(e.reason).toBe('invalidQuery');
    expect(e.retryable).toBe(false);
    expect(e.slo).toBe('ranking/relevance');
    expect(e.message).toMatch(/^bq: SLO ranking\/relevance: good\/total query: BigQuery invalidQuery: .*tss.* fix the SQL/);
  });

  it('fails rather than overspends when the query would scan more than maximumBytesBilled', async () => {
    const e = await failure(source({ maximumBytesBilled: 1000 }).read(request(ratio(BUCKETED), [DAY])));
    expect(fake.requests.at(-1)!.body).toMatchObject({ maximumBytesBilled: '1000' });
    expect(e.code).toBe('quota');
    expect(e.reason).toBe('bytesBilledLimitExceeded');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/maximumBytesBilled/);
    expect(fake.queries().at(-1)!.rows).toBeUndefined(); // nothing was executed
  });

  it('marks a 5xx as retryable and a wrong location as a configuration error', async () => {
    fake.failNext(503, 'backendError', 'Backend error');
    const e = await failure(source().read(request(ratio(BUCKETED), [300])));
    expect({ code: e.code, reason: e.reason, retryable: e.retryable }).toEqual({ code: 'http_error', reason: 'backendError', retryable: true });

    const us = source({ location: 'US' }); // the datasets are in EU
    const wrong = await failure(us.read(request(ratio(BUCKETED), [300])));
    expect(wrong.reason).toBe('notFound');
    expect(wrong.retryable).toBe(false);
    expect(wrong.message).toMatch(/location US.*location matches the dataset location/);
  });

  it('gives up after the timeout when the job does not complete', async () => {
    fake.pollsBeforeComplete = 1_000_000;
    const e = await failure(source({ timeoutSeconds: 0.5 }).read(request(ratio(BUCKETED), [300])));
    expect(e.code).toBe('timeout');
    expect(e.retryable).toBe(true);
  });

  it('stops waiting when the read is aborted and says so, naming the job timeout that bounds the job', async () => {
    fake.pollsBeforeComplete = 1_000_000;
    const controller = new AbortController();
    const read = source({ timeoutSeconds: 600 }).read({ ...request(ratio(BUCKETED), [300], 'ranking/relevance'), signal: controller.signal });
    await expect.poll(() => fake.requests.length, { timeout: 30_000 }).toBeGreaterThan(0);
    controller.abort(new Error('evaluation cycle exceeded BURNWATCH_CYCLE_TIMEOUT (1s) and was aborted'));
    const e = await failure(read);
    expect({ code: e.code, reason: e.reason, retryable: e.retryable }).toEqual({ code: 'timeout', reason: 'aborted', retryable: true });
    expect(e.message).toMatch(/SLO ranking\/relevance: good\/total query: read aborted \(evaluation cycle exceeded .*\): .*job timeout \(600s\)/);
    for (const job of fake.jobs) job.pendingPolls = 0; // the abandoned client's polls end
  });

  it('says which column is missing when rows do not follow the contract', async () => {
    const sql = `SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(ts), @bucket_seconds) * @bucket_seconds) AS ts, COUNT(*) AS n
                 FROM ml.impressions WHERE ts >= @start AND ts < @end GROUP BY 1`;
    const e = await failure(source().read(request(ratio(sql), [300], 'ranking/ctr')));
    expect(e.message).toMatch(/SLO ranking\/ctr: good\/total query: missing column "good" \(got ts, n\)/);
  });

  it('pings with a free dry run', async () => {
    await source().ping();
    expect(fake.jobs).toMatchObject([{ dryRun: true, query: 'SELECT 1', location: 'EU' }]);
    fake.failNext(503, 'backendError');
    await expect(source().ping()).rejects.toMatchObject({ code: 'http_error', retryable: true });
  });

  it('estimates bytes with a dry run, proportional to the range scanned', async () => {
    const src = source();
    const params = (seconds: number) => ({ start: new Date(END.getTime() - seconds * 1000), end: END, window_seconds: seconds, bucket_seconds: 60 });
    const hour = await src.runner.estimateBytes(BUCKETED, params(3600));
    const day = await src.runner.estimateBytes(BUCKETED, params(DAY));
    expect(hour).toBeGreaterThan(0);
    expect(day / hour).toBeCloseTo(24, 0);
    expect(fake.jobs.every((j) => j.dryRun)).toBe(true);
    expect(fake.requests.every((r) => r.path.endsWith('/jobs'))).toBe(true);
  });

  it('turns the update history into freshness slices', async () => {
    // Embeddings rebuilt every 6 h, except one build that came 10 h late.
    const builds = [-24, -18, -12, -2].map((h) => new Date(END.getTime() + h * 3_600_000)); // the -6 h build came at -2 h
    await fake.db.query('INSERT INTO ml.embedding_builds SELECT unnest($1::timestamptz[])', [builds]);
    const indicator: Indicator = {
      kind: 'freshness',
      maxAgeSeconds: 7 * 3600,
      query: { source: 'bq', language: 'sql', text: 'SELECT MAX(built_at) AS last_update FROM ml.embedding_builds WHERE built_at >= @start AND built_at < @end' },
    };
    const reading = await source().read(request(indicator, [6 * 3600, DAY]));
    // Stale from 7 h after the -12 h build (at -5 h) until the -2 h build: 3 h = 180 slices.
    expect(reading.get(DAY)).toEqual({ good: 1440 - 180, bad: 180, total: 1440 });
    expect(reading.get(6 * 3600)).toEqual({ good: 360 - 180, bad: 180, total: 360 });
    // The walk asks once per build, back to the one before the window, then stops.
    expect(fake.queries().length).toBeLessThanOrEqual(builds.length + 1);
  });

  it('fills a long freshness window over several reads, reporting only the windows it covers meanwhile', async () => {
    // Hourly builds over 3 days, except two missed hours (-30 h, -29 h); maxAge 90 min.
    await fake.db.exec('CREATE TABLE ml.hourly_builds (built_at timestamptz NOT NULL)');
    const hours = Array.from({ length: 72 }, (_, i) => -72 + i).filter((h) => h !== -30 && h !== -29);
    await fake.db.query('INSERT INTO ml.hourly_builds SELECT unnest($1::timestamptz[])', [hours.map((h) => new Date(END.getTime() + h * 3_600_000))]);
    const indicator: Indicator = {
      kind: 'freshness',
      maxAgeSeconds: 90 * 60,
      query: { source: 'bq', language: 'sql', text: 'SELECT MAX(built_at) AS last_update FROM ml.hourly_builds WHERE built_at < @end' },
    };
    const src = source();
    const slo = sqlSlo('embeddings/hourly', indicator, { source: 'bq' });
    const windows = [3600, 2 * DAY, 3 * DAY];
    const first = await src.read({ slo, windows, at: END, parts: ['bad', 'total'] });
    expect(fake.queries()).toHaveLength(50); // one query per build walked back, 50 per read
    expect(windows.filter((w) => first.has(w))).toEqual([3600, 2 * DAY]); // 3 days back is not known yet: the evaluator says unknown
    expect(first.get(2 * DAY)).toEqual({ bad: 90, total: 2880 });

    const second = await src.read({ slo, windows, at: new Date(END.getTime() + 60_000), parts: ['bad', 'total'] });
    expect(second.get(3 * DAY)).toEqual({ bad: 90, total: 4320 });
    expect(second.get(2 * DAY)).toEqual({ bad: 90, total: 2880 });
    expect(second.get(3600)).toEqual({ bad: 0, total: 60 });
  });

  it('turns (ts, value) rows into threshold slices at the timeslice', async () => {
    // Offline NDCG once an hour; below the 0.42 baseline for 3 of 24 hours.
    const rows = Array.from({ length: 24 }, (_, h) => ({ ts: new Date(END.getTime() - (24 - h) * 3_600_000), ndcg: [5, 6, 7].includes(h) ? 0.4 : 0.45 }));
    await fake.db.query('INSERT INTO ml.offline_eval SELECT * FROM unnest($1::timestamptz[], $2::float8[])', [rows.map((r) => r.ts), rows.map((r) => r.ndcg)]);
    const indicator: Indicator = {
      kind: 'threshold',
      op: 'gte',
      value: 0.42,
      query: { source: 'bq', language: 'sql', text: 'SELECT ts, ndcg AS value FROM ml.offline_eval WHERE ts >= @start AND ts < @end' },
    };
    const slo = sqlSlo('ranking/ndcg', indicator, { source: 'bq', timesliceSeconds: 3600 });
    const reading = await source().read({ slo, windows: [DAY, 28 * DAY], at: END, parts: ['bad', 'total'] });
    expect(reading.get(DAY)).toEqual({ bad: 3, total: 24 });
    expect(reading.get(28 * DAY)).toEqual({ bad: 3, total: 24 });
  });
});

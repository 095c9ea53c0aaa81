// Cost control: evaluating every minute over a day reads only the new intervals (plus
// the late-data overlap) from BigQuery, bytes per cycle stay proportional to the new
// data, and the answer always equals a full rescan, late rows included. Both ratio forms:
// rows per bucket, and one row per [@start, @end).
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Indicator } from '../../src/domain/slo.ts';
import { windowsOf } from '../../src/evaluator/index.ts';
import { createBigQuerySource } from '../../src/sources/bigquery/bigquery-source.ts';
import { type FakeBigQuery, startFakeBigQuery } from '../fakes/bigquery-api.ts';
import { openMemoryStore, sqlSlo } from '../helpers/sql-slo.ts';

const D0 = new Date('2026-11-20T00:00:00Z');
const MIN = 60_000;
const OVERLAP_SECONDS = 300;

const BUCKETED = `
  SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(ts), @bucket_seconds) * @bucket_seconds) AS ts,
         COUNTIF(relevant) AS good, COUNT(*) AS total
    FROM ml.impressions WHERE ts >= @start AND ts < @end GROUP BY 1`;
const ONE_ROW = 'SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM ml.impressions WHERE ts >= @start AND ts < @end';
const ratio = (text: string): Indicator => ({
  kind: 'ratio',
  good: { source: 'bq', language: 'sql', text },
  total: { source: 'bq', language: 'sql', text },
});

let fake: FakeBigQuery;
let store: Awaited<ReturnType<typeof openMemoryStore>>;

beforeAll(async () => {
  [fake, store] = await Promise.all([startFakeBigQuery(), openMemoryStore()]);
  await fake.db.exec(`
    CREATE SCHEMA ml;
    CREATE TABLE ml.impressions (ts timestamptz NOT NULL, relevant boolean NOT NULL);
    CREATE INDEX ON ml.impressions (ts);`);
  // Two days: the day before D0 (history) and the day of the cycles; 4 impressions a minute,
  // bad ones in bursts so that windows differ.
  const ts: Date[] = [];
  const relevant: boolean[] = [];
  for (let m = -1440; m < 1440; m++) {
    for (let i = 0; i < 4; i++) {
      ts.push(new Date(D0.getTime() + m * MIN + i * 15_000));
      relevant.push(!(Math.abs(m) % 90 < 6 && i < 2));
    }
  }
  await fake.db.query('INSERT INTO ml.impressions SELECT * FROM unnest($1::timestamptz[], $2::boolean[])', [ts, relevant]);
});
afterAll(async () => {
  await Promise.all([fake?.close(), store?.close()]);
});

const alignUp = (ms: number) => Math.ceil(ms / MIN) * MIN;
const alignDown = (ms: number) => Math.floor(ms / MIN) * MIN;

/** The truth: every window counted straight from the table, outside burnwatch (starts rounded up to the 1m timeslice). */
async function rescan(at: Date, windows: readonly number[]) {
  const reading = new Map<number, { good: number; total: number }>();
  for (const w of windows) {
    const { rows } = await fake.db.query<{ good: number; total: number }>(
      'SELECT count(*) FILTER (WHERE relevant)::int AS good, count(*)::int AS total FROM ml.impressions WHERE ts >= $1 AND ts < $2',
      [new Date(alignUp(at.getTime() - w * 1000)), at],
    );
    reading.set(w, rows[0]!);
  }
  return reading;
}

const span = (job: { params: Record<string, unknown> }) => ({
  start: (job.params['start'] as Date).getTime(),
  end: (job.params['end'] as Date).getTime(),
});

function makeSource() {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'fake', expiry_date: Date.now() + 86_400_000 });
  return createBigQuerySource(
    { type: 'bigquery', name: 'bq', projectId: 'test-project', apiEndpoint: fake.url, timeoutSeconds: 10, overlapSeconds: OVERLAP_SECONDS },
    { cache: store.db, authClient: auth },
  );
}

describe('incremental aggregation', () => {
  it('reads only new intervals every minute for a day and always equals a full rescan', async () => {
    const cached = makeSource();
    const slo = sqlSlo('ranking/relevance', ratio(BUCKETED), { source: 'bq' });
    const windows = windowsOf(slo);
    const perCycle: { start: number; end: number; bytes: number }[] = [];
    let previous: Date | undefined;

    for (let k = 1; k <= 1440; k++) {
      const at = new Date(D0.getTime() + k * MIN);
      if (k % 97 === 0) {
        // Late rows for two minutes ago: inside the overlap, so the next read picks them up.
        await fake.db.query('INSERT INTO ml.impressions VALUES ($1, false), ($1, true)', [new Date(at.getTime() - 2 * MIN + 1000)]);
      }
      const before = fake.queries().length;
      const reading = await cached.read({ slo, windows, at, parts: ['good', 'total'] });
      const jobs = fake.queries().slice(before);

      expect(jobs).toHaveLength(1); // one query per cycle
      const start = (jobs[0]!.params['start'] as Date).getTime();
      const end = (jobs[0]!.params['end'] as Date).getTime();
      expect(end).toBe(at.getTime());
      if (previous) expect(start).toBe(previous.getTime() - OVERLAP_SECONDS * 1000); // new minute + overlap
      perCycle.push({ start, end, bytes: jobs[0]!.bytesProcessed });
      previous = at;

      if (k % 120 === 0 || k % 97 === 1 || k === 1440) {
        expect(reading).toEqual(await rescan(at, windows));
      }
    }

    // Bytes per cycle follow the new data, not the 28-day window.
    const [first, ...rest] = perCycle;
    const worst = Math.max(...rest.map((c) => c.bytes));
    expect(first!.end - first!.start).toBeGreaterThanOrEqual(28 * 86_400_000);
    expect(worst).toBeGreaterThan(0);
    expect(worst * 100).toBeLessThan(first!.bytes);
    console.log(`incremental: first read ${first!.bytes} B, then at most ${worst} B per 1-minute cycle (${rest.length} cycles)`);
  }, 300_000);

  it('reads the one-row form incrementally too: new data, the overlap and a minute or two per moving window start', async () => {
    const source = makeSource();
    const slo = sqlSlo('ranking/relevance-one-row', ratio(ONE_ROW), { source: 'bq' });
    const windows = windowsOf(slo);
    const stored = windows.filter((w) => w > OVERLAP_SECONDS);
    const bytes: number[] = [];
    let jobsAtEnd = 0;
    let previous: Date | undefined;

    for (let k = 1; k <= 1440; k++) {
      // Cycles a minute apart plus 13.7 ms of drift each, off the minute like a real scheduler's
      // ticks (which are never closer than the SLO interval, else the read is skipped).
      const at = new Date(D0.getTime() + k * MIN + Math.floor(k * 13.7));
      const final = alignDown(at.getTime() - OVERLAP_SECONDS * 1000);
      if (k % 89 === 0) {
        // Late rows for three minutes ago, inside the overlap.
        await fake.db.query('INSERT INTO ml.impressions VALUES ($1, false), ($1, false), ($1, true)', [new Date(at.getTime() - 3 * MIN + 2000)]);
      }
      const before = fake.queries().length;
      const reading = await source.read({ slo, windows, at, parts: ['good', 'total'] });
      const jobs = fake.queries().slice(before).map((j) => ({ ...span(j), bytes: j.bytesProcessed }));
      bytes.push(jobs.reduce((sum, j) => sum + j.bytes, 0));

      // Every cycle answers exactly what a rescan of every window answers.
      expect(reading, `cycle ${k} at ${at.toISOString()}`).toEqual(await rescan(at, windows));
      // The overlap (from the minute it starts in) is read every cycle.
      expect(jobs.filter((j) => j.start === final && j.end === at.getTime())).toHaveLength(1);
      if (!previous) {
        // First read: the window once, cut at every window start, no row read twice (the 5m
        // window, no longer than the overlap, is read whole besides).
        const sorted = jobs
          .filter((j) => j.end !== at.getTime() || j.start === final)
          .map(({ start, end }) => [start, end])
          .sort((a, b) => a[0]! - b[0]!);
        expect(sorted[0]![0]).toBe(alignUp(at.getTime() - Math.max(...windows) * 1000));
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBe(sorted[i - 1]![1]);
        expect(sorted.at(-1)![1]).toBe(at.getTime());
        expect(sorted).toHaveLength(stored.length + 1);
        expect(jobs.length).toBeLessThanOrEqual(windows.length + 1);
      } else {
        // Then: what left the overlap, the overlap, what each window start moved over (≤ 2
        // minutes with the jitter) and the 5m window when the jitter puts its start past the overlap's.
        expect(jobs.length).toBeLessThanOrEqual(2 + windows.length);
        const others = jobs.filter((j) => j.end !== at.getTime());
        expect(others.every((j) => j.end - j.start <= 2 * MIN)).toBe(true);
        const previousFinal = alignDown(previous.getTime() - OVERLAP_SECONDS * 1000);
        if (final > previousFinal) expect(others.filter((j) => j.start === previousFinal && j.end === final)).toHaveLength(1);
      }
      previous = at;
      jobsAtEnd = jobs.length;
    }

    // After a day, only the starts of the windows longer than a day (3d, 28d) still move
    // through the first read and need a query each: the others land on stored boundaries.
    expect(jobsAtEnd).toBeLessThanOrEqual(3 + windows.filter((w) => w > 86_400).length);
    // The first read scans the day of history (the table holds no more); a cycle at most about
    // 20 minutes of rows: the overlap, the 5m window, the new minute and a minute or two per window start.
    const [first, ...rest] = bytes;
    const worst = Math.max(...rest);
    const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan((first! * 20) / 1440);
    console.log(`one-row incremental: first read ${first} B, then at most ${worst} B (mean ${mean.toFixed(0)} B) per 1-minute cycle (${rest.length} cycles)`);
  }, 600_000);

  it('reads expensive SQL at most once per SLO interval', async () => {
    const src = makeSource();
    const slo = sqlSlo('ranking/relevance-15m', ratio(BUCKETED), { source: 'bq', intervalSeconds: 900 });
    const windows = windowsOf(slo);
    const before = fake.queries().length;
    const readings = [];
    for (let k = 1; k <= 120; k++) {
      readings.push(await src.read({ slo, windows, at: new Date(D0.getTime() + k * MIN), parts: ['good', 'total'] }));
    }
    expect(fake.queries().length - before).toBe(1 + Math.floor((120 - 1) / 15));
    // Between reads the answer is the cached one as of the last read.
    expect(readings[1]).toEqual(readings[0]);
    expect(readings[15]).not.toEqual(readings[14]);

    // The one-row form too: read at the first minute, again 15 minutes later, not in between.
    const oneRow = sqlSlo('ranking/relevance-15m-one-row', ratio(ONE_ROW), { source: 'bq', intervalSeconds: 900 });
    const readAt: number[] = [];
    for (let k = 1; k <= 20; k++) {
      const start = fake.queries().length;
      await src.read({ slo: oneRow, windows, at: new Date(D0.getTime() + k * MIN), parts: ['good', 'total'] });
      if (fake.queries().length > start) readAt.push(k);
    }
    expect(readAt).toEqual([1, 16]);
  });
});

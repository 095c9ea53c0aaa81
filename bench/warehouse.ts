// Warehouse cost per cycle: a 28-day ratio SLO over BigQuery (the fake REST API on PGlite,
// which reports the bytes each query read), evaluated every minute. Compares the bucketed
// form (first read of the window, then only new intervals, one query) with the one-row form
// (first read of the window cut at the window starts, then new data, the overlap and the
// strips the window starts moved over, a query each). Prints one line per figure.
//   node bench/warehouse.ts [--rows-per-minute 4] [--cycles 60]
import { parseArgs } from 'node:util';
import { OAuth2Client } from 'google-auth-library';
import { windowsOf } from '../src/evaluator/compute-evaluation.ts';
import { createBigQuerySource } from '../src/sources/bigquery/bigquery-source.ts';
import { formatBytes } from '../src/sources/check-sources.ts';
import { startFakeBigQuery } from '../test/fakes/bigquery-api.ts';
import { openMemoryStore, sqlSlo } from '../test/helpers/sql-slo.ts';

process.env.METADATA_SERVER_DETECTION = 'none';
const { values } = parseArgs({ options: { 'rows-per-minute': { type: 'string', default: '4' }, cycles: { type: 'string', default: '60' } } });
const perMinute = Number(values['rows-per-minute']);
const cycles = Number(values.cycles);
const END = new Date('2026-11-21T00:00:00Z');

const fake = await startFakeBigQuery();
const store = await openMemoryStore();
await fake.db.exec(`
  CREATE SCHEMA logs;
  CREATE TABLE logs.impressions (served_at timestamptz NOT NULL, relevant boolean NOT NULL);
  CREATE INDEX ON logs.impressions (served_at);
  INSERT INTO logs.impressions
    SELECT t, random() > 0.01 FROM generate_series('${new Date(END.getTime() - 28 * 86_400_000).toISOString()}'::timestamptz,
                                                   '${new Date(END.getTime() + 3 * 3_600_000).toISOString()}'::timestamptz,
                                                   interval '${60 / perMinute} seconds') t;`);

const auth = new OAuth2Client();
auth.setCredentials({ access_token: 'bench', expiry_date: Date.now() + 86_400_000 });
const source = createBigQuerySource(
  { type: 'bigquery', name: 'warehouse', projectId: 'test-project', apiEndpoint: fake.url, timeoutSeconds: 60 },
  { cache: store.db, authClient: auth },
);
const ratio = (text: string) => ({ kind: 'ratio' as const, good: { source: 'warehouse', language: 'sql' as const, text }, total: { source: 'warehouse', language: 'sql' as const, text } });
const bucketed = sqlSlo('bench/bucketed', ratio(`
  SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(served_at), @bucket_seconds) * @bucket_seconds) AS ts, COUNTIF(relevant) AS good, COUNT(*) AS total
  FROM logs.impressions WHERE served_at >= @start AND served_at < @end GROUP BY 1`), { source: 'warehouse' });
const oneRow = sqlSlo('bench/one-row', ratio('SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM logs.impressions WHERE served_at >= @start AND served_at < @end'), { source: 'warehouse' });

async function cycle(slo: typeof bucketed, minute: number) {
  const before = fake.queries().length;
  const started = performance.now();
  await source.read({ slo, windows: windowsOf(slo), at: new Date(END.getTime() + minute * 60_000), parts: ['good', 'total'] });
  const jobs = fake.queries().slice(before);
  return { ms: performance.now() - started, bytes: jobs.reduce((sum, j) => sum + j.bytesProcessed, 0), queries: jobs.length };
}

const rows = (await fake.db.query<{ n: number }>('SELECT count(*)::int AS n FROM logs.impressions')).rows[0]!.n;
console.log(`table: ${rows} rows (${perMinute} a minute over 28 days); windows ${windowsOf(bucketed).length}; ${cycles} one-minute cycles`);
for (const [name, slo] of [['bucketed', bucketed], ['one-row', oneRow]] as const) {
  const first = await cycle(slo, 0);
  const rest = [];
  for (let k = 1; k <= cycles; k++) rest.push(await cycle(slo, k));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `${name.padEnd(8)} first read: ${formatBytes(first.bytes)} in ${first.queries} queries, ${first.ms.toFixed(0)} ms; ` +
      `then per cycle: ${formatBytes(Math.round(mean(rest.map((r) => r.bytes))))} in ${mean(rest.map((r) => r.queries)).toFixed(1)} queries, ${mean(rest.map((r) => r.ms)).toFixed(1)} ms`,
  );
}
await source.close();
await Promise.all([fake.close(), store.close()]);

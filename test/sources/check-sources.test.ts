// `burnwatch validate --check-sources`: BigQuery queries dry-run against the fake (bytes
// per first read and per cycle), PostgreSQL queries planned with EXPLAIN on PGlite; a
// refused query fails validation at the SLO's file and line.
import fs from 'node:fs/promises';
import path from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runValidate, sourcesCheck } from '../../src/cli/commands/validate.ts';
import { type FakeBigQuery, startFakeBigQuery } from '../fakes/bigquery-api.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const NOW = new Date('2026-11-21T00:00:00Z');
let fake: FakeBigQuery;
let dir: string;

const slo = (name: string, source: string, indicator: string, extra = '') => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ${name}, service: recs }
spec:
  objective: 99
  window: 28d
  source: ${source}
${extra}  indicator:
${indicator
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

beforeAll(async () => {
  [fake, dir] = await Promise.all([startFakeBigQuery({ projectId: 'recs' }), makeTempDir('bw-check-sources-')]);
  await fake.db.exec(`
    CREATE SCHEMA logs;
    CREATE TABLE logs.impressions (served_at timestamptz NOT NULL, ok boolean NOT NULL);
    CREATE INDEX ON logs.impressions (served_at);
    INSERT INTO logs.impressions SELECT t, true FROM generate_series('2026-10-24'::timestamptz, '2026-11-21', interval '5 minutes') t;`);
  const files: Record<string, string> = {
    'sources.yaml': `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: warehouse }
spec:
  bigquery: { projectId: recs, apiEndpoint: "${fake.url}", location: US }
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: registry }
spec:
  postgres: { url: "pglite://${path.join(dir, 'registry')}" }
`,
    'bucketed.yaml': slo(
      'bucketed',
      'warehouse',
      `ratio:
  good: |
    SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(served_at), @bucket_seconds) * @bucket_seconds) AS ts, COUNTIF(ok) AS good, COUNT(*) AS total
    FROM logs.impressions WHERE served_at >= @start AND served_at < @end GROUP BY 1
  total: |
    SELECT TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(served_at), @bucket_seconds) * @bucket_seconds) AS ts, COUNTIF(ok) AS good, COUNT(*) AS total
    FROM logs.impressions WHERE served_at >= @start AND served_at < @end GROUP BY 1`,
      '  interval: 5m\n',
    ),
    'one-row.yaml': slo(
      'one-row',
      'warehouse',
      `ratio:
  good: SELECT COUNTIF(ok) AS good FROM logs.impressions WHERE served_at >= @start AND served_at < @end
  total: SELECT COUNT(*) AS total FROM logs.impressions WHERE served_at >= @start AND served_at < @end`,
    ),
    'broken.yaml': slo(
      'broken',
      'warehouse',
      `freshness:
  query: SELECT MAX(servedat) AS last_update FROM logs.impressions WHERE served_at < @end
  maxAge: 1h`,
    ),
    'registry.yaml': slo(
      'registry-typo',
      'registry',
      `freshness:
  query: SELECT max(created) AS last_update FROM model_versions WHERE created < @end
  maxAge: 1d`,
    ),
  };
  await Promise.all(Object.entries(files).map(([name, text]) => fs.writeFile(path.join(dir, name), text)));
});
afterAll(async () => {
  await fake?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('validate --check-sources', () => {
  it('prints the bytes each BigQuery query scans and fails on queries the sources refuse', async () => {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'fake', expiry_date: Date.now() + 3_600_000 });
    const printed: string[] = [];
    const check = sourcesCheck(NOW, (line) => printed.push(line), { bigquery: { authClient: auth } });
    const { code, output } = await runValidate([dir], { format: 'text' }, { cwd: dir, env: {} }, [check]);

    // Only dry runs: nothing was executed against the warehouse.
    expect(fake.jobs.length).toBeGreaterThan(0);
    expect(fake.jobs.every((j) => j.dryRun)).toBe(true);

    // Bucketed: one line with the first read (28 days) and a much smaller cycle (5m interval + 5m overlap).
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^bucketed\.yaml:\d+:1 recs\/bucketed good\/total query on warehouse: first read [\d.]+ KiB \(28d\), then about [\d.]+ B per cycle$/);

    // One-row: incremental too, but a warning: several small queries per cycle, each billed at least 10 MiB.
    expect(output).toMatch(
      /one-row\.yaml:\d+:1 spec\.indicator: warning: good query on warehouse: first read [\d.]+ KiB \(28d\), then about [\d.]+ B per cycle, but in up to 9 queries/,
    );
    // Refused: errors naming the file, the query and the reason.
    expect(output).toMatch(/broken\.yaml:\d+:1 spec\.indicator: freshness query on warehouse: BigQuery invalidQuery: column "servedat" does not exist/);
    expect(output).toMatch(/registry\.yaml:\d+:1 spec\.indicator: freshness query on registry: PostgreSQL error 42P01: relation "model_versions" does not exist/);
    expect(code).toBe(1);
  });
});

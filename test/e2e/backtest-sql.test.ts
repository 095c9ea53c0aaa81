// `burnwatch backtest` on an SLO over a SQL source (PGlite here): no range queries there, so each
// step is read through the service's own SQL source, then replayed like any other SLO.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktestCommand } from '../../src/cli/commands/backtest.ts';

const START = Date.parse('2026-11-01T00:00:00Z');
const OUTAGE = Date.parse('2026-11-02T12:00:00Z');

describe('burnwatch backtest on a SQL source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-backtest-sql-'));
    const db = await PGlite.create({ dataDir: path.join(dir, 'warehouse') });
    await db.exec('CREATE TABLE requests (ts timestamptz PRIMARY KEY, total integer, failed integer)');
    // Two days at 100 requests a minute; from 12:00 on day two, 30 minutes with half of them failing.
    await db.query(
      `INSERT INTO requests SELECT to_timestamp($1 + m * 60), 100, CASE WHEN $1 + m * 60 >= $2 AND $1 + m * 60 < $2 + 1800 THEN 50 ELSE 0 END
       FROM generate_series(0, 2 * 1440 - 1) AS m`,
      [START / 1000, OUTAGE / 1000],
    );
    await db.close();
    await mkdir(path.join(dir, 'slos'));
    await writeFile(
      path.join(dir, 'slos', 'checkout.yaml'),
      `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: warehouse }
spec:
  postgres: { url: "pglite://${path.join(dir, 'warehouse')}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: checkout, service: shop }
spec:
  objective: 99.9
  window: 7d
  source: warehouse
  indicator:
    ratio:
      bad: SELECT COALESCE(SUM(failed), 0) AS bad FROM requests WHERE ts >= @start AND ts < @end
      total: SELECT COALESCE(SUM(total), 0) AS total FROM requests WHERE ts >= @start AND ts < @end
`,
    );
  }, 120_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pages for the outage through the SQL source', async () => {
    const { code, stdout, stderr } = await runBacktestCommand(
      { slos: path.join(dir, 'slos'), from: '2026-11-02T11:00:00Z', to: '2026-11-02T14:00:00Z', step: '5m', format: 'json' },
      { cwd: dir, env: {}, now: new Date('2026-11-03T00:00:00Z') },
    );
    expect(stderr).not.toMatch(/skipped/);
    expect(code).toBe(0);
    const r = JSON.parse(stdout).result.policies[0].results[0];
    expect(r.id).toBe('shop/checkout');
    const page = r.firings.find((f: { tier: string }) => f.tier === 'page-1h-5m');
    // 50 % errors at 99.9 %: fires at the first step (12:05), stops 5 minutes after the outage.
    expect(page).toMatchObject({ start: '2026-11-02T12:05:00.000Z', end: '2026-11-02T12:35:00.000Z' });
    expect(r.unknownSeconds).toBe(0);
  });
});

// An evaluation that is aborted (BURNWATCH_CYCLE_TIMEOUT, shutdown) while a PostgreSQL query
// runs: the query is cancelled on the machine's PostgreSQL, not left running until
// statement_timeout; the SLO is unknown with the reason; the connection goes back to the pool.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Indicator, PostgresSourceSpec } from '../../src/domain/slo.ts';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { createPostgresSource } from '../../src/sources/postgres/postgres-source.ts';
import { SourceError } from '../../src/sources/source-error.ts';
import type { SqlSliSource } from '../../src/sources/sql/sql-sli-source.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-databases.ts';
import { openMemoryStore, sqlSlo } from '../helpers/sql-slo.ts';

const AT = new Date('2026-11-21T00:00:00Z');
const CYCLE_TIMEOUT = 'evaluation cycle exceeded BURNWATCH_CYCLE_TIMEOUT (1s) and was aborted';

describe('an aborted read on PostgreSQL', () => {
  let database: TestDatabase;
  let observer: pg.Client;
  let store: Awaited<ReturnType<typeof openMemoryStore>>;
  let source: SqlSliSource;

  beforeAll(async () => {
    database = await createPostgresDatabase('bw_pgabort');
    observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
    store = await openMemoryStore();
    // statement_timeout far away, so that only the cancel can stop the sleeping query.
    const spec: PostgresSourceSpec = { type: 'postgres', name: 'registry', url: database.url, timeoutSeconds: 3600 };
    source = createPostgresSource(spec, { cache: store.db });
  });
  afterAll(async () => {
    await source?.close();
    await observer?.end();
    await store?.close();
    await database?.drop();
  });

  /** A freshness SLO whose query sleeps for an hour; the marker finds it in pg_stat_activity. */
  function sleepySlo(marker: string) {
    const indicator: Indicator = {
      kind: 'freshness',
      maxAgeSeconds: 3600,
      query: { source: 'registry', language: 'sql', text: `SELECT now() AS last_update FROM pg_sleep(3600) /* ${marker} */ WHERE @end IS NOT NULL` },
    };
    return sqlSlo(`registry/${marker.replaceAll('_', '-')}`, indicator, { source: 'registry' });
  }

  async function running(marker: string): Promise<number[]> {
    const { rows } = await observer.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
      [marker],
    );
    return rows.map((r) => r.pid);
  }

  async function untilRunning(marker: string): Promise<number> {
    await expect.poll(() => running(marker), { timeout: 30_000, interval: 50 }).toHaveLength(1);
    return (await running(marker))[0]!;
  }

  it('cancels the query on the server when the cycle aborts, and reports the SLO unknown', async () => {
    const marker = `bw_abort_${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    const evaluated = evaluateAll([sleepySlo(marker)], new Map([['registry', source]]), AT, { signal: controller.signal });
    await untilRunning(marker);

    controller.abort(new Error(CYCLE_TIMEOUT));
    const [evaluation] = await evaluated;
    expect(evaluation!.status).toBe('unknown');
    // The evaluator stops waiting at once (a source may ignore the signal) and names the source;
    // the source's own message is checked on read() below.
    expect(evaluation!.error).toBe(`registry: SLO ${evaluation!.id}: no answer before the cycle's read deadline (${CYCLE_TIMEOUT})`);
    await expect.poll(() => running(marker), { timeout: 20_000, interval: 50 }).toEqual([]);
  });

  it('gives the connection back to the pool, fit for the next query', async () => {
    const pids = new Set<number>();
    // More aborted reads than the pool has connections (4): a connection kept busy would stall the fifth.
    for (let i = 0; i < 5; i++) {
      const marker = `bw_abort_${randomBytes(4).toString('hex')}`;
      const controller = new AbortController();
      const read = source.read({ slo: sleepySlo(marker), windows: [3600], at: AT, parts: ['good', 'total'], signal: controller.signal }).catch((e: unknown) => e);
      pids.add(await untilRunning(marker));
      controller.abort(new Error(CYCLE_TIMEOUT));
      const error = await read;
      expect(error).toBeInstanceOf(SourceError);
      expect(error).toMatchObject({ code: 'timeout', retryable: true, reason: 'aborted' });
      await expect.poll(() => running(marker), { timeout: 20_000, interval: 50 }).toEqual([]);
    }
    // Cancelled, not closed: the same server connection ran every one of them.
    expect(pids.size).toBe(1);

    await observer.query('CREATE TABLE IF NOT EXISTS model_versions (created_at timestamptz NOT NULL)');
    await observer.query("INSERT INTO model_versions VALUES ($1::timestamptz - interval '10 minutes')", [AT]);
    const indicator: Indicator = {
      kind: 'freshness',
      maxAgeSeconds: 3600,
      query: { source: 'registry', language: 'sql', text: 'SELECT max(created_at) AS last_update FROM model_versions WHERE created_at < @end' },
    };
    const reading = await source.read({ slo: sqlSlo('registry/models', indicator, { source: 'registry' }), windows: [300], at: AT, parts: ['good', 'total'] });
    expect(reading.get(300)).toEqual({ good: 5, total: 5 });
  });

  it('does not send a query whose read was aborted before it started', async () => {
    const marker = `bw_abort_${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    controller.abort(new Error(CYCLE_TIMEOUT));
    const error = await source.read({ slo: sleepySlo(marker), windows: [3600], at: AT, parts: ['good', 'total'], signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout', reason: 'aborted' });
    expect((error as Error).message).toContain('the query was not sent');
  });
});

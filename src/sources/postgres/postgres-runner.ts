// Runs warehouse SLI queries on PostgreSQL (an MLflow registry, a feature store's
// metadata) through node-postgres; `pglite://dir` runs them on embedded PGlite through
// the same driver (loaded only then: PGlite needs about a gigabyte), and `sqlite://file`
// on an SQLite file (sqlite-runner.ts). Named parameters become $n here (not user-facing).
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { redactUrl } from '../../store/open-store.ts';
import { createSqliteRunner } from '../sqlite/sqlite-runner.ts';
import { abortedError, SourceError } from '../source-error.ts';
import { toPositional, UnknownParameterError } from '../sql/named-params.ts';
import { POSTGRES_PARAM_TYPES, type Row, type SqlParams } from '../sql/sql-contract.ts';
import type { SqlRunner } from '../sql/sql-sli-source.ts';
import { abortableQuery, QueryAbortedError } from './abortable-query.ts';
import { readOnlyProblem } from '../sql/read-only-statement.ts';

export interface PostgresRunnerOptions {
  name: string;
  /** postgres://…, sqlite://<file> or pglite://<dir> (pglite://memory for an in-memory database). */
  url: string;
  timeoutSeconds: number;
}

export interface PostgresRunner extends SqlRunner {
  /** Plans the query without running it (validate --check-sources): SQL errors surface, nothing is read. */
  explain(sql: string, params: SqlParams): Promise<void>;
}

export function createPostgresRunner(options: PostgresRunnerOptions): PostgresRunner {
  const { name, url } = options;
  if (url.startsWith('sqlite://')) return createSqliteRunner({ name, url });
  const timeoutMs = Math.round(options.timeoutSeconds * 1000);
  const isPglite = url.startsWith('pglite://');
  const where = isPglite ? url : redactUrl(url);
  let pglite: Promise<PGlite> | undefined;
  let opened: Promise<pg.Pool | pg.Client> | undefined;

  // PGlite opens asynchronously; both kinds connect on first use, so building sources never blocks.
  function pool(): Promise<pg.Pool | pg.Client> {
    opened ??= (async () => {
      let p: pg.Pool | pg.Client;
      if (isPglite) {
        const dir = url.slice('pglite://'.length);
        pglite = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(dir === '' || dir === 'memory' ? {} : { dataDir: dir }));
        let lite: PGlite;
        try {
          lite = await pglite;
        } catch (error) {
          opened = undefined;
          throw new SourceError('unreachable', `cannot open PGlite at ${dir}: ${(error as Error).message}`, {
            source: name,
            retryable: false,
            cause: error,
          });
        }
        // One client, not a pool: a pool destroys a client after a failed query without
        // waiting for its messages to PGlite to drain, and closing PGlite then races them.
        const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
        p = new pg.Client(createPgConfig(lite) as unknown as pg.ClientConfig);
        await p.connect();
      } else {
        const remote = new pg.Pool({
          connectionString: url,
          max: 4,
          connectionTimeoutMillis: timeoutMs,
          // The server cancels a runaway statement; the client gives up a little later.
          statement_timeout: timeoutMs,
          query_timeout: timeoutMs + 1000,
          // Belt and braces with the READ ONLY transaction of every read (give the source a read-only role too).
          options: '-c default_transaction_read_only=on',
        });
        // An idle connection dropped by the server must not crash the process.
        remote.on('error', () => {});
        p = remote;
      }
      return p;
    })();
    return opened;
  }

  // The single PGlite client takes one query at a time (node-postgres deprecates queueing on a
  // busy client): queries wait for the one before. A pool queues by itself. PGlite runs in this
  // process and has no cancel: an aborted read stops only before its query starts.
  let tail: Promise<unknown> = Promise.resolve();
  async function query(text: string, values: unknown[], signal?: AbortSignal): Promise<pg.QueryResult<Row>> {
    const db = await pool();
    if (!isPglite) return abortableQuery<Row>(db as pg.Pool, text, values, signal ?? new AbortController().signal, CANCEL_GRACE_MS, true);
    signal?.throwIfAborted();
    const run = tail.then(async () => {
      await db.query('BEGIN TRANSACTION READ ONLY');
      try {
        return await db.query<Row>({ text, values, queryMode: 'extended' } as pg.QueryConfig);
      } finally {
        await db.query('ROLLBACK');
      }
    });
    tail = run.catch(() => {});
    return run;
  }

  function positional(sql: string): ReturnType<typeof toPositional> {
    try {
      return toPositional(sql, POSTGRES_PARAM_TYPES);
    } catch (error) {
      if (error instanceof UnknownParameterError) {
        throw new SourceError('bad_query', error.message, { source: name, retryable: false, reason: 'unknownParameter' });
      }
      throw error;
    }
  }

  return {
    async run(sql: string, params: SqlParams, signal?: AbortSignal): Promise<Row[]> {
      if (signal?.aborted) throw abortedError(name, signal, 'the query was not sent');
      const problem = readOnlyProblem(sql);
      if (problem) throw new SourceError('bad_query', problem, { source: name, retryable: false, reason: 'notARead' });
      const q = positional(sql);
      try {
        const result = await query(q.text, q.names.map((n) => params[n as keyof SqlParams]), signal);
        return result.rows;
      } catch (error) {
        if (error instanceof QueryAbortedError) throw abortedError(name, signal!, error.message);
        if (signal?.aborted && error === signal.reason) throw abortedError(name, signal, 'the query was not sent');
        throw classify(name, where, error);
      }
    },
    async explain(sql: string, params: SqlParams): Promise<void> {
      // EXPLAIN without ANALYZE plans and never executes, but `EXPLAIN ${'ANALYZE DELETE …'}` would: reads only.
      const problem = readOnlyProblem(sql);
      if (problem) throw new SourceError('bad_query', problem, { source: name, retryable: false, reason: 'notARead' });
      const q = positional(sql);
      try {
        await query(`EXPLAIN (FORMAT TEXT) ${q.text}`, q.names.map((n) => params[n as keyof SqlParams]));
      } catch (error) {
        throw classify(name, where, error);
      }
    },
    async ping(): Promise<void> {
      try {
        await query('SELECT 1', []);
      } catch (error) {
        throw classify(name, where, error);
      }
    },
    async close(): Promise<void> {
      if (!opened) return;
      await (await opened.catch(() => undefined))?.end();
      await (await pglite?.catch(() => undefined))?.close();
    },
  };
}

/** How long an aborted query may take to stop after the cancel request before its connection is closed. */
const CANCEL_GRACE_MS = 5000;

// SQLSTATE classes that a retry may cure: connection, transaction rollback, resources,
// operator intervention (includes statement timeout 57014), system errors.
const RETRYABLE_CLASSES = new Set(['08', '40', '53', '57', '58']);

function classify(source: string, where: string, error: unknown): SourceError {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '57014') {
      return new SourceError('timeout', `PostgreSQL cancelled the query (statement timeout): ${message}`, {
        source,
        retryable: true,
        reason: code,
        cause: error,
      });
    }
    if (code.startsWith('28')) {
      return new SourceError('auth', `PostgreSQL refused the login at ${where}: ${message}`, {
        source,
        retryable: false,
        reason: code,
        cause: error,
      });
    }
    const retryable = RETRYABLE_CLASSES.has(code.slice(0, 2));
    return new SourceError(retryable ? 'unreachable' : 'bad_query', `PostgreSQL error ${code}: ${message}`, {
      source,
      retryable,
      reason: code,
      cause: error,
    });
  }
  if (/timeout/i.test(message)) {
    return new SourceError('timeout', `PostgreSQL at ${where} did not answer in time: ${message}`, { source, retryable: true, cause: error });
  }
  return new SourceError('unreachable', `cannot reach PostgreSQL at ${where}: ${message}`, { source, retryable: true, cause: error });
}

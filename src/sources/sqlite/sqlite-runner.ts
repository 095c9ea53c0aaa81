// Runs warehouse SLI queries on an SQLite file (`sqlite:///path/to/mlflow.db`): MLflow's default
// backend store, a feature store's metadata, the demo's telemetry. The file is opened read-only
// (burnwatch never writes another tool's database) with node:sqlite, built into Node.
// The SQL contract on SQLite (README "Warehouse SLIs"): @start and @end are Unix epoch
// milliseconds (MLflow's timestamps are), @window_seconds and @bucket_seconds are numbers; a
// `ts` or `last_update` column may be epoch milliseconds or ISO-8601 / `datetime()` text.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { toSqliteQuery } from '../../store/sqlite/sqlite-dialect.ts';
import { abortedError, SourceError } from '../source-error.ts';
import { toPositional, UnknownParameterError } from '../sql/named-params.ts';
import { POSTGRES_PARAM_TYPES, type Row, type SqlParams } from '../sql/sql-contract.ts';
import type { SqlRunner } from '../sql/sql-sli-source.ts';

export interface SqliteRunnerOptions {
  name: string;
  /** sqlite:///absolute/path.db or sqlite://relative/path.db */
  url: string;
}

export interface SqliteRunner extends SqlRunner {
  explain(sql: string, params: SqlParams): Promise<void>;
}

const TIME_COLUMNS = new Set(['ts', 'last_update']);

export function sqliteFileOf(url: string): string {
  return path.resolve(decodeURIComponent(url.slice('sqlite://'.length)));
}

function bind(params: SqlParams, names: readonly string[]): Array<number | bigint | string | null> {
  return names.map((n) => {
    const v = params[n as keyof SqlParams];
    // Integers bound as INTEGER (node:sqlite binds a JS number as REAL): `ts / (@bucket_seconds * 1000)` divides exactly.
    const x = v instanceof Date ? v.getTime() : v;
    return typeof x === 'number' && Number.isSafeInteger(x) ? BigInt(x) : (x ?? null);
  });
}

function shape(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    const numeric = typeof v === 'number' || typeof v === 'bigint';
    out[k] = TIME_COLUMNS.has(k.toLowerCase()) && numeric ? new Date(Number(v)) : typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

export function createSqliteRunner(options: SqliteRunnerOptions): SqliteRunner {
  const { name, url } = options;
  const file = sqliteFileOf(url);
  let db: DatabaseSync | undefined;
  const statements = new Map<string, { statement: StatementSync; names: string[] }>();

  function open(): DatabaseSync {
    if (db) return db;
    if (!fs.existsSync(file)) {
      throw new SourceError('unreachable', `the SQLite database ${file} (source ${name}) does not exist`, { source: name, retryable: true });
    }
    try {
      db = new DatabaseSync(file, { readOnly: true, timeout: 5_000 });
    } catch (error) {
      throw new SourceError('unreachable', `cannot open the SQLite database ${file}: ${(error as Error).message}`, {
        source: name,
        retryable: true,
        cause: error,
      });
    }
    return db;
  }

  function prepare(sql: string, prefix = ''): { statement: StatementSync; names: string[] } {
    const key = prefix + sql;
    const cached = statements.get(key);
    if (cached) return cached;
    let q: ReturnType<typeof toPositional>;
    try {
      q = toPositional(sql, POSTGRES_PARAM_TYPES);
    } catch (error) {
      if (error instanceof UnknownParameterError) {
        throw new SourceError('bad_query', error.message, { source: name, retryable: false, reason: 'unknownParameter' });
      }
      throw error;
    }
    const statement = open().prepare(prefix + toSqliteQuery(q.text));
    const prepared = { statement, names: q.names };
    if (statements.size > 200) statements.clear();
    statements.set(key, prepared);
    return prepared;
  }

  function classify(error: unknown): SourceError {
    if (error instanceof SourceError) return error;
    const e = error as { code?: string; errcode?: number; errstr?: string; message?: string };
    const message = e.message ?? String(error);
    // SQLITE_BUSY (5) / SQLITE_LOCKED (6): a writer holds the file; the next cycle may get through.
    const busy = e.errcode === 5 || e.errcode === 6;
    return new SourceError(busy ? 'unreachable' : 'bad_query', `SQLite error on ${file}: ${message}`, {
      source: name,
      retryable: busy,
      ...(e.errcode !== undefined ? { reason: String(e.errcode) } : {}),
      cause: error,
    });
  }

  return {
    async run(sql: string, params: SqlParams, signal?: AbortSignal): Promise<Row[]> {
      // node:sqlite runs a query to its end on this thread: an abort is honoured before it starts.
      if (signal?.aborted) throw abortedError(name, signal, 'the query was not sent');
      try {
        const p = prepare(sql);
        return (p.statement.all(...bind(params, p.names)) as Array<Record<string, unknown>>).map(shape);
      } catch (error) {
        throw classify(error);
      }
    },
    async explain(sql: string, params: SqlParams): Promise<void> {
      try {
        const p = prepare(sql, 'EXPLAIN QUERY PLAN ');
        p.statement.all(...bind(params, p.names));
      } catch (error) {
        throw classify(error);
      }
    },
    async ping(): Promise<void> {
      try {
        open().prepare('SELECT 1').get();
      } catch (error) {
        throw classify(error);
      }
    },
    async close(): Promise<void> {
      statements.clear();
      db?.close();
      db = undefined;
    },
  };
}

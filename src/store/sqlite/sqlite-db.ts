// The embedded store: one SQLite connection (node:sqlite, built into Node 24: no native build,
// no WebAssembly) behind the same `Db` shape as a pg.Pool. One connection means one writer;
// a transaction holds the connection until it is released, and queries from elsewhere wait for
// it (they would otherwise run inside it). Results are shaped like node-postgres's by the
// columns' declared types: timestamptz (stored as epoch milliseconds) → Date, jsonb → parsed JSON, boolean → boolean,
// bigint and identity keys → string (pg returns int8 as text).
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Db, DbClient, QueryResult } from '../db.ts';
import { toSqliteQuery } from './sqlite-dialect.ts';

export interface SqliteDbOptions {
  /** Wait this long for a lock held by another connection (e.g. the sqlite3 shell). */
  busyTimeoutMs?: number;
  readOnly?: boolean;
}

type Convert = (value: unknown) => unknown;

interface Prepared {
  statement: StatementSync;
  returnsRows: boolean;
  counts: boolean;
  fields: Array<{ name: string }>;
  converters: Array<[string, Convert]>;
}

const toDate: Convert = (v) => (v === null ? null : new Date(v as string | number));
const toJson: Convert = (v) => (typeof v === 'string' ? JSON.parse(v) : v);
const toBool: Convert = (v) => (v === null ? null : v !== 0 && v !== '0' && v !== 'false');
const toText: Convert = (v) => (v === null ? null : String(v));

function converterFor(declared: string | null, identity: boolean): Convert | undefined {
  if (declared === null) return undefined;
  // An identity key (INTEGER PRIMARY KEY after the DDL rewrite) is int8 in PostgreSQL.
  if (identity) return toText;
  const t = declared.toLowerCase();
  if (t.startsWith('timestamp') || t === 'date') return toDate;
  if (t === 'jsonb' || t === 'json') return toJson;
  if (t === 'boolean' || t === 'bool') return toBool;
  if (t === 'bigint' || t === 'int8') return toText;
  return undefined;
}

function bindable(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  // Timestamps are stored as Unix epoch milliseconds (INTEGER): compact, and compared as numbers.
  if (value instanceof Date) return BigInt(value.getTime());
  if (typeof value === 'boolean') return value ? 1n : 0n;
  // node:sqlite binds every JS number as REAL; an integer must stay INTEGER (LIMIT, integer
  // division, a text column that would otherwise store "5.0").
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  // SQLite would store NaN as NULL and a lookup by it would find nothing; PostgreSQL refuses it
  // for an integer column. Refuse it here too: a NaN reaching the store is a bug upstream.
  if (typeof value === 'number' && Number.isNaN(value)) throw new TypeError('NaN cannot be stored (SQLite parameter)');
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return JSON.stringify(value);
  return value;
}

/** A FIFO lock: a transaction holds it from connect() to release(). */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #locked = false;
  get locked(): boolean {
    return this.#locked;
  }
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = this.#tail.then(() => {
      this.#locked = true;
      return () => {
        this.#locked = false;
        release();
      };
    });
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

export class SqliteDb implements Db {
  readonly engine = 'sqlite' as const;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, Prepared>();
  readonly #mutex = new Mutex();
  /** Per table, its INTEGER PRIMARY KEY column (the identity), if any. */
  readonly #identity = new Map<string, string | null>();
  #waiting = 0;

  constructor(file: string, options: SqliteDbOptions = {}) {
    this.#db = new DatabaseSync(file, { readOnly: options.readOnly ?? false, timeout: options.busyTimeoutMs ?? 5_000 });
    if (!options.readOnly) {
      // WAL: readers never block the writer; FULL: a commit is on disk when it returns, like
      // PostgreSQL's default, so a notification recorded as sent stays recorded after a crash.
      if (file !== ':memory:') this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = FULL');
    }
    this.#db.exec('PRAGMA foreign_keys = ON');
  }

  /** Runs a script of statements as written (no rewriting): migrations, PRAGMAs. */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  #prepare(text: string): Prepared {
    let p = this.#statements.get(text);
    if (p) return p;
    const statement = this.#db.prepare(toSqliteQuery(text));
    const columns = statement.columns();
    const converters: Array<[string, Convert]> = [];
    for (const c of columns) {
      const convert = converterFor(c.type, c.table !== null && c.column !== null && this.#identityOf(c.table) === c.column);
      if (convert) converters.push([c.name, convert]);
    }
    p = {
      statement,
      returnsRows: columns.length > 0,
      counts: /^\s*(?:INSERT|UPDATE|DELETE|REPLACE|WITH)\b/i.test(text),
      fields: columns.map((c) => ({ name: c.name })),
      converters,
    };
    if (/^\s*(?:CREATE|ALTER|DROP)\b/i.test(text)) {
      // A schema change makes the declared types of cached `SELECT *` statements stale.
      this.#statements.clear();
      this.#identity.clear();
      return p;
    }
    // Statements built with a variable number of placeholders would grow this without end.
    if (this.#statements.size >= 500) this.#statements.clear();
    this.#statements.set(text, p);
    return p;
  }

  #identityOf(table: string): string | null {
    let column = this.#identity.get(table);
    if (column === undefined) {
      const info = this.#db.prepare('SELECT name, type, pk FROM pragma_table_info(?)').all(table) as Array<{ name: string; type: string; pk: number }>;
      const pks = info.filter((c) => c.pk > 0);
      column = pks.length === 1 && pks[0]!.type.toUpperCase() === 'INTEGER' ? pks[0]!.name : null;
      this.#identity.set(table, column);
    }
    return column;
  }

  #run<R>(text: string, values: unknown[] = []): QueryResult<R> {
    const trimmed = text.trim().replace(/;$/, '').toUpperCase();
    if (trimmed === 'BEGIN' || trimmed === 'BEGIN TRANSACTION') {
      // Take the write lock at once: a deferred transaction that reads, then writes, could
      // otherwise fail with SQLITE_BUSY halfway when another connection wrote meanwhile.
      this.#db.exec('BEGIN IMMEDIATE');
      return { rows: [], rowCount: null, fields: [] };
    }
    const p = this.#prepare(text);
    const params = values.map(bindable) as Array<null | number | bigint | string | Uint8Array>;
    if (p.returnsRows) {
      const raw = p.statement.all(...params) as Array<Record<string, unknown>>;
      const rows = raw.map((r) => {
        const row: Record<string, unknown> = { ...r };
        for (const [name, convert] of p.converters) if (row[name] !== undefined) row[name] = convert(row[name]);
        return row as R;
      });
      return { rows, rowCount: rows.length, fields: p.fields };
    }
    const result = p.statement.run(...params);
    return { rows: [], rowCount: p.counts ? Number(result.changes) : null, fields: [] };
  }

  async query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    if (!this.#mutex.locked && this.#waiting === 0) return this.#run<R>(text, values);
    // A transaction holds the connection: wait for it, then run alone.
    this.#waiting++;
    const release = await this.#mutex.acquire();
    this.#waiting--;
    try {
      return this.#run<R>(text, values);
    } finally {
      release();
    }
  }

  async connect(): Promise<DbClient> {
    this.#waiting++;
    const release = await this.#mutex.acquire();
    this.#waiting--;
    let released = false;
    return {
      query: async <R extends Record<string, unknown>>(text: string, values?: unknown[]) => {
        if (released) throw new Error('query on a released SQLite client');
        return this.#run<R>(text, values);
      },
      release: () => {
        if (released) return;
        released = true;
        // A transaction left open by a crashed caller must not leak into the next one.
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        release();
      },
    };
  }

  async end(): Promise<void> {
    if (!this.#db.isOpen) return;
    const release = await this.#mutex.acquire();
    try {
      this.#statements.clear();
      this.#db.close();
    } finally {
      release();
    }
  }
}

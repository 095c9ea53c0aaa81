// One query layer for both engines. The shape is node-postgres's (`query(text, values)` →
// `{ rows, rowCount }`, `$1` placeholders, `connect()` for a transaction), so a `pg.Pool` is a
// `Db` as it is, and the embedded SQLite adapter (src/store/sqlite/sqlite-db.ts) answers in the
// same shape. The SQL both engines accept is described in src/store/SQL.md.

export interface QueryResult<R> {
  rows: R[];
  rowCount: number | null;
  /** The result's columns (pg: always; SQLite: always), e.g. to see which columns a table has. */
  fields?: Array<{ name: string }>;
}

export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors pg's own default row type
  query<R extends Record<string, any> = any>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** A connection held for a transaction; give it back with `release()`. */
export interface DbClient extends Queryable {
  release(): void;
}

export interface Db extends Queryable {
  /** Absent on a plain pg.Pool: that is PostgreSQL. */
  readonly engine?: 'postgres' | 'sqlite';
  connect(): Promise<DbClient>;
  end(): Promise<void>;
}

export type Engine = 'postgres' | 'sqlite';

export const engineOf = (db: Db): Engine => db.engine ?? 'postgres';

export async function withTransaction<T>(db: Db, fn: (client: DbClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A timestamp from a result column. Declared timestamptz columns are `Date` on both engines;
 * an expression (`max(at)`, a `CASE`) has no declared type on SQLite and arrives as the stored
 * epoch milliseconds, so repositories pass such values through here.
 */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

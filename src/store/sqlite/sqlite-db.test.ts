// The SQLite adapter answers like node-postgres, and the dialect rewrites only what it must.
import { describe, expect, it } from 'vitest';
import { withTransaction } from '../db.ts';
import { SqliteDb } from './sqlite-db.ts';
import { toSqliteMigration, toSqliteQuery } from './sqlite-dialect.ts';

describe('the SQLite dialect', () => {
  it('numbers placeholders, drops casts and FOR UPDATE, and leaves literals and comments alone', () => {
    expect(toSqliteQuery("SELECT * FROM t WHERE ($1::text IS NULL OR a = $1) AND b = '$2::x' -- $3::int\nFOR UPDATE")).toBe(
      "SELECT * FROM t WHERE (?1 IS NULL OR a = ?1) AND b = '$2::x' -- $3::int",
    );
    expect(toSqliteQuery('SELECT count(*)::int AS n, (x)::double precision, $10::timestamptz[] FROM t')).toBe('SELECT count(*) AS n, (x), ?10 FROM t');
  });

  it('turns identity keys and multi-column ALTERs into what SQLite accepts', () => {
    expect(
      toSqliteMigration(`-- a comment; with a semicolon
CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s text CHECK (s IN ('a', 'b')));
ALTER TABLE t ADD COLUMN a text NOT NULL DEFAULT 'x, y', ADD COLUMN b text CHECK (b IN ('c', 'd'));`),
    ).toEqual([
      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, s text CHECK (s IN ('a', 'b')))",
      "ALTER TABLE t ADD COLUMN a text NOT NULL DEFAULT 'x, y'",
      "ALTER TABLE t ADD COLUMN b text CHECK (b IN ('c', 'd'))",
    ]);
  });
});

describe('the SQLite adapter', () => {
  async function table(): Promise<SqliteDb> {
    const db = new SqliteDb(':memory:');
    for (const s of toSqliteMigration(
      `CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL, doc jsonb NOT NULL DEFAULT '{}',
        ok boolean NOT NULL DEFAULT false, n integer, ref bigint, x double precision, label text)`,
    )) {
      await db.query(s);
    }
    return db;
  }

  it('shapes rows like pg: Date, parsed JSON, booleans, int8 as text; rowCount like pg', async () => {
    const db = await table();
    const at = new Date('2026-11-20T10:00:00.123Z');
    const inserted = await db.query('INSERT INTO t (at, doc, ok, n, ref, x, label) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *', [
      at,
      JSON.stringify({ a: [1, 2] }),
      true,
      5,
      7,
      0.5,
      42,
    ]);
    expect(inserted.rowCount).toBe(1);
    expect(inserted.rows[0]).toEqual({ id: '1', at, doc: { a: [1, 2] }, ok: true, n: 5, ref: '7', x: 0.5, label: '42' });
    expect((await db.query('UPDATE t SET ok = $1 WHERE at = $2', [false, at])).rowCount).toBe(1);
    expect((await db.query('UPDATE t SET ok = $1 WHERE at > $2', [false, at])).rowCount).toBe(0);
    expect((await db.query('SELECT ok FROM t LIMIT $1', [1])).rows).toEqual([{ ok: false }]);
    // An expression has no declared type: the stored epoch milliseconds come back.
    expect((await db.query('SELECT max(at) AS m FROM t')).rows[0]?.m).toBe(at.getTime());
    await db.end();
  });

  it('runs a transaction alone: a query from elsewhere waits for its commit, a failure rolls it back', async () => {
    const db = await table();
    const at = new Date('2026-11-20T10:00:00Z');
    let outside: Promise<unknown> | undefined;
    await withTransaction(db, async (client) => {
      await client.query('INSERT INTO t (at) VALUES ($1)', [at]);
      outside = db.query('SELECT count(*) AS n FROM t');
      await new Promise((resolve) => setImmediate(resolve));
      await client.query('INSERT INTO t (at) VALUES ($1)', [at]);
    });
    expect(((await outside) as { rows: Array<{ n: number }> }).rows[0]!.n).toBe(2);
    await expect(
      withTransaction(db, async (client) => {
        await client.query('INSERT INTO t (at) VALUES ($1)', [at]);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect((await db.query('SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(2);
    await db.end();
  });
});

// One-time import of the embedded PGlite state an earlier burnwatch kept in <dataDir>/pgdata
// into the SQLite store <dataDir>/burnwatch.db: every table the SQLite schema has (alert state,
// outbox, incidents and their timeline, audit log, actions, …), with their ids, in one
// transaction. PGlite is loaded only here (it needs about a gigabyte, once). Afterwards pgdata is
// renamed to pgdata.imported-<time>, so the next start opens SQLite and nothing is read twice.
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import { migrate } from './migrate.ts';
import { LEGACY_PGDATA, SQLITE_FILE } from './open-store.ts';
import { SqliteDb } from './sqlite/sqlite-db.ts';
import { StoreError } from './store-error.ts';

export interface ImportResult {
  /** Rows copied per table (tables with none are left out). */
  tables: Record<string, number>;
  /** Where the PGlite directory went. */
  movedTo: string;
}

/** The warehouse cache is not state: it is re-read from the warehouse, so it is not copied. */
const SKIP = new Set(['schema_migrations', 'warehouse_cache', 'warehouse_intervals', 'sqlite_sequence']);

export async function importPglite(dataDirArg: string, now: Date = new Date()): Promise<ImportResult> {
  const dataDir = path.resolve(dataDirArg);
  const pgdata = path.join(dataDir, LEGACY_PGDATA);
  const file = path.join(dataDir, SQLITE_FILE);
  if (!(await exists(pgdata))) throw new StoreError('legacy_state', `nothing to import: ${pgdata} does not exist`);
  if (await exists(file)) {
    throw new StoreError('legacy_state', `${file} exists already; the import writes a new one only (move it away to import ${pgdata} again)`);
  }
  const unlock = await lockDataDir(dataDir, () => {});
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  const lite = await PGlite.create({ dataDir: pgdata });
  const source = new pg.Pool(createPgConfig(lite) as unknown as pg.PoolConfig);
  const target = new SqliteDb(file);
  const tables: Record<string, number> = {};
  let ok = false;
  try {
    await migrate(target);
    const { rows: sqliteTables } = await target.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid",
    );
    const { rows: pgColumns } = await source.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'",
    );
    // Rows arrive in table order, not in the order of their foreign keys: check them at commit.
    target.exec('PRAGMA foreign_keys = OFF');
    await target.query('BEGIN');
    for (const { name } of sqliteTables) {
      if (SKIP.has(name)) continue;
      const there = new Set(pgColumns.filter((c) => c.table_name === name).map((c) => c.column_name));
      if (there.size === 0) continue;
      const { fields } = await target.query(`SELECT * FROM ${name} LIMIT 0`);
      const columns = (fields ?? []).map((f) => f.name).filter((c) => there.has(c));
      const { rows } = await source.query(`SELECT ${columns.join(', ')} FROM ${name}`);
      const insert = `INSERT INTO ${name} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
      for (const row of rows) await target.query(insert, columns.map((c) => row[c]));
      if (rows.length > 0) tables[name] = rows.length;
    }
    const broken = await target.query('PRAGMA foreign_key_check');
    if (broken.rows.length > 0) throw new Error(`the copied rows break ${broken.rows.length} foreign key(s): ${JSON.stringify(broken.rows.slice(0, 3))}`);
    await target.query('COMMIT');
    target.exec('PRAGMA foreign_keys = ON');
    ok = true;
  } catch (error) {
    await target.query('ROLLBACK').catch(() => {});
    throw new StoreError('migration_failed', `the import of ${pgdata} failed, nothing was changed: ${(error as Error).message}`, { cause: error });
  } finally {
    await target.end();
    await source.end();
    await lite.close();
    if (!ok) await Promise.all(['', '-wal', '-shm'].map((s) => fs.rm(file + s, { force: true })));
    await unlock();
  }
  const movedTo = `${pgdata}.imported-${now.toISOString().replace(/[:.]/g, '-')}`;
  await fs.rename(pgdata, movedTo);
  return { tables, movedTo };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

// Applies src/store/migrations/*.sql in file-name order, each once and in its own
// transaction, recorded in schema_migrations. One file serves both engines (written in the
// subset of src/store/SQL.md; SQLite gets the small DDL rewrite of sqlite-dialect.ts). A file
// named NNN_x.postgres.sql or NNN_x.sqlite.sql runs on that engine only, for what cannot be
// written once. On PostgreSQL an advisory lock makes replicas that start together wait for each
// other instead of racing; the embedded store has one process (the data-dir lock).
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, type DbClient, type Engine, engineOf } from './db.ts';
import { toSqliteMigration } from './sqlite/sqlite-dialect.ts';
import { StoreError } from './store-error.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 0x6275726e; // "burn"

/** The migration files for one engine, in order. */
export async function migrationFiles(engine: Engine, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const other = engine === 'postgres' ? '.sqlite.sql' : '.postgres.sql';
  return (await fs.readdir(dir)).filter((f) => f.endsWith('.sql') && !f.endsWith(other)).sort();
}

export async function migrate(db: Db, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const engine = engineOf(db);
  const files = await migrationFiles(engine, dir);
  const client = await db.connect();
  const applied: string[] = [];
  try {
    if (engine === 'postgres') await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL)');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await fs.readFile(path.join(dir, file), 'utf8');
      try {
        await client.query('BEGIN');
        await runScript(client, engine, sql);
        await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [file, new Date()]);
        await client.query('COMMIT');
        applied.push(file);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new StoreError('migration_failed', `migration ${file} failed on ${engine}: ${(error as Error).message}`, { cause: error });
      }
    }
  } finally {
    if (engine === 'postgres') await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    client.release();
  }
  return applied;
}

async function runScript(client: DbClient, engine: Engine, sql: string): Promise<void> {
  if (engine === 'postgres') {
    await client.query(sql);
    return;
  }
  for (const statement of toSqliteMigration(sql)) await client.query(statement);
}

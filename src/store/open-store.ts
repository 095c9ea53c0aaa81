// Opens the state store: PostgreSQL when DATABASE_URL is set (production, several replicas),
// otherwise the embedded SQLite database <dataDir>/burnwatch.db, locked against a second
// process. Both answer through the one `Db` shape (src/store/db.ts), then are migrated.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { SqliteDb } from './sqlite/sqlite-db.ts';
import { StoreError } from './store-error.ts';

export interface Store {
  db: Db;
  kind: 'postgres' | 'sqlite';
  /** Where it lives, for logs and /readyz; never contains a password. */
  location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Called if the data-dir lock is lost (its directory removed or taken over). */
  onLockCompromised?: (error: Error) => void;
}

export const SQLITE_FILE = 'burnwatch.db';
/** Where burnwatch ≤ 0.1 kept its embedded PGlite database. */
export const LEGACY_PGDATA = 'pgdata';

/** postgres://user:secret@host/db → postgres://user:***@host/db */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openSqlite(options);
  try {
    await migrate(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db: Db = Object.assign(pool, { engine: 'postgres' as const });
  const location = redactUrl(url);
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreError('unreachable', `cannot reach PostgreSQL at ${location}: ${(error as Error).message}`, { cause: error });
  }
  return {
    db,
    kind: 'postgres',
    location,
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}

/** The command that imports a PGlite state left by an earlier burnwatch. */
export function importCommand(dataDir: string): string {
  const rel = path.relative(process.cwd(), dataDir) || '.';
  return `npx burnwatch store import-pglite --data-dir ${rel}`;
}

async function openSqlite(options: StoreOptions): Promise<Store> {
  const dataDir = path.resolve(options.dataDir);
  const file = path.join(dataDir, SQLITE_FILE);
  if (!fs.existsSync(file) && fs.existsSync(path.join(dataDir, LEGACY_PGDATA))) {
    // Starting afresh beside it would silently forget firing alerts, the outbox and incidents.
    throw new StoreError(
      'legacy_state',
      `${path.join(dataDir, LEGACY_PGDATA)} holds the state of an earlier burnwatch (embedded PGlite); the embedded store is now SQLite (${file}). ` +
        `Import it once with: ${importCommand(dataDir)} — or move ${LEGACY_PGDATA} away to start with an empty state.`,
    );
  }
  const unlock = await lockDataDir(dataDir, options.onLockCompromised ?? (() => {}));
  let db: SqliteDb;
  try {
    db = new SqliteDb(file);
  } catch (error) {
    await unlock();
    throw new StoreError('unreachable', `cannot open the embedded database ${file}: ${(error as Error).message}`, { cause: error });
  }
  return {
    db,
    kind: 'sqlite',
    location: file,
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: async () => {
      await db.end();
      await unlock();
    },
  };
}

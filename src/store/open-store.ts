// Opens the state store: PostgreSQL when DATABASE_URL is set, otherwise embedded
// PGlite under <dataDir>/pgdata, locked against a second process. Both are driven
// through pg.Pool, then migrated.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { StoreError } from './store-error.ts';

export interface Store {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Where it lives, for logs and /readyz; never contains a password. */
  location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Called if the PGlite lock is lost (its directory removed or taken over). */
  onLockCompromised?: (error: Error) => void;
}

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
  const store = options.databaseUrl ? await openPostgres(options.databaseUrl) : await openPglite(options);
  try {
    await migrate(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

async function openPostgres(url: string): Promise<Store> {
  const db = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  db.on('error', () => {});
  const location = redactUrl(url);
  try {
    await db.query('SELECT 1');
  } catch (error) {
    await db.end().catch(() => {});
    throw new StoreError('unreachable', `cannot reach PostgreSQL at ${location}: ${(error as Error).message}`, { cause: error });
  }
  return {
    db,
    kind: 'postgres',
    location,
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: () => db.end(),
  };
}

async function openPglite(options: StoreOptions): Promise<Store> {
  const dataDir = path.resolve(options.dataDir);
  const unlock = await lockDataDir(dataDir, options.onLockCompromised ?? (() => {}));
  let pglite: PGlite | undefined;
  try {
    pglite = await PGlite.create({ dataDir: path.join(dataDir, 'pgdata') });
  } catch (error) {
    await unlock();
    throw new StoreError('unreachable', `cannot open the embedded database in ${dataDir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const db = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
  const instance = pglite;
  return {
    db,
    kind: 'pglite',
    location: path.join(dataDir, 'pgdata'),
    ping: async () => {
      await db.query('SELECT 1');
    },
    close: async () => {
      await db.end();
      await instance.close();
      await unlock();
    },
  };
}

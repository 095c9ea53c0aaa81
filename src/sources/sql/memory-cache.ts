// Without burnwatch's store (a one-shot `check`), the interval cache lives in an in-memory
// SQLite database for the life of the source: the store's own code path and migrations, a few
// MB instead of the gigabyte an in-memory PGlite took, and nothing kept.
import type { Db } from '../../store/db.ts';
import { migrate } from '../../store/migrate.ts';
import { SqliteDb } from '../../store/sqlite/sqlite-db.ts';

export interface MemoryCache {
  db: Db;
  close(): Promise<void>;
}

export async function openMemoryCache(): Promise<MemoryCache> {
  const db = new SqliteDb(':memory:');
  await migrate(db);
  return { db, close: () => db.end() };
}

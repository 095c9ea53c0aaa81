// Without burnwatch's store (a one-shot `check`), the interval cache lives in an
// in-memory PGlite for the life of the source: same code path, nothing kept.
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import type { Db } from '../../store/db.ts';
import { migrate } from '../../store/migrate.ts';

export interface MemoryCache {
  db: Db;
  close(): Promise<void>;
}

export async function openMemoryCache(): Promise<MemoryCache> {
  const pglite = await PGlite.create();
  const db = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
  await migrate(db);
  return {
    db,
    close: async () => {
      await db.end();
      await pglite.close();
    },
  };
}

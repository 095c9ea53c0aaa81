// One database interface for PostgreSQL and embedded PGlite: both are driven
// through node-postgres (`pg.Pool`), so production and tests share one code path.
import type pg from 'pg';

export type Db = pg.Pool;

export async function withTransaction<T>(db: Db, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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

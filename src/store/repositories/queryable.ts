// What a repository needs: a pool, or a client inside a transaction (so that a
// caller can write alert state and its notifications atomically).
import type pg from 'pg';

export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors pg's own default row type
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

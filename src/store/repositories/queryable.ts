// What a repository needs: a database, or a client inside a transaction (so that a
// caller can write alert state and its notifications atomically). The shape is
// node-postgres's, and the SQLite adapter answers in the same shape (src/store/db.ts).
export type { QueryResult, Queryable } from '../db.ts';

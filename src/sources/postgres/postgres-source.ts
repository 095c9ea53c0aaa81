// The PostgreSQL SLI source: the SQL contract and interval cache over a pg runner.
import type { PostgresSourceSpec } from '../../domain/slo.ts';
import type { Db } from '../../store/db.ts';
import { SqlSliSource } from '../sql/sql-sli-source.ts';
import { createPostgresRunner } from './postgres-runner.ts';

export interface PostgresSourceDeps {
  /** burnwatch's store, for the per-interval aggregates (default: in memory). */
  cache?: Db | undefined;
  overlapSeconds?: number;
}

export function createPostgresSource(spec: PostgresSourceSpec, deps: PostgresSourceDeps = {}): SqlSliSource {
  const runner = createPostgresRunner({ name: spec.name, url: spec.url, timeoutSeconds: spec.timeoutSeconds });
  return new SqlSliSource({
    name: spec.name,
    type: 'postgres',
    runner,
    cache: deps.cache,
    overlapSeconds: deps.overlapSeconds ?? spec.overlapSeconds,
  });
}

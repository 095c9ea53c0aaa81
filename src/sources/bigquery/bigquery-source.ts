// The BigQuery SLI source: the SQL contract and interval cache over the BigQuery runner.
import type { BigQuerySourceSpec } from '../../domain/slo.ts';
import type { Db } from '../../store/db.ts';
import { SqlSliSource } from '../sql/sql-sli-source.ts';
import { type BigQueryRunner, type BigQueryRunnerOptions, createBigQueryRunner } from './bigquery-runner.ts';

export interface BigQuerySourceDeps extends BigQueryRunnerOptions {
  /** burnwatch's store, for the per-interval aggregates (default: in memory). */
  cache?: Db | undefined;
  overlapSeconds?: number;
}

export class BigQuerySliSource extends SqlSliSource {
  readonly runner: BigQueryRunner;
  constructor(spec: BigQuerySourceSpec, deps: BigQuerySourceDeps = {}) {
    const runner = createBigQueryRunner(spec, deps);
    super({ name: spec.name, type: 'bigquery', runner, cache: deps.cache, overlapSeconds: deps.overlapSeconds ?? spec.overlapSeconds });
    this.runner = runner;
  }
}

export function createBigQuerySource(spec: BigQuerySourceSpec, deps: BigQuerySourceDeps = {}): BigQuerySliSource {
  return new BigQuerySliSource(spec, deps);
}

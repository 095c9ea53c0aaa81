// Builds the SliSources named in the config. One factory per source type: adding a source type is
// one line here plus its folder under src/sources/.
import type { DataSourceSpec } from '../domain/slo.ts';
import type { Db } from '../store/db.ts';
import { createAirflowSource } from './airflow/airflow-source.ts';
import { createBigQuerySource } from './bigquery/bigquery-source.ts';
import type { JobBytesListener } from './bigquery/job-bytes.ts';
import { notConfiguredSource } from './not-configured.ts';
import { createPostgresSource } from './postgres/postgres-source.ts';
import { PrometheusSource } from './prometheus/prometheus-source.ts';
import { RecordedPrometheusSource } from './prometheus/recorded-source.ts';
import type { SliSource } from './sli-source.ts';

/** What some sources need besides their spec. */
export interface SourceDeps {
  /** burnwatch's store: the warehouse sources keep their per-interval aggregates there (else in memory). */
  store?: Db;
  /** Told the bytes every BigQuery query job processed and billed (burnwatch's own metrics). */
  onJobBytes?: JobBytesListener;
}

export type SourceFactory<S extends DataSourceSpec = DataSourceSpec> = (spec: S, deps?: SourceDeps) => SliSource;

type Factories = { [T in DataSourceSpec['type']]?: SourceFactory<Extract<DataSourceSpec, { type: T }>> };

// A source whose file names an unset variable is never contacted, whatever its type (notConfigured).
const configured =
  <S extends DataSourceSpec>(factory: SourceFactory<S>): SourceFactory<S> =>
  (spec, deps) =>
    spec.notConfigured ? notConfiguredSource(spec) : factory(spec, deps);

export const SOURCE_FACTORIES: Factories = {
  prometheus: configured((spec) => (spec.mode === 'recorded' ? RecordedPrometheusSource.fromSpec(spec) : PrometheusSource.fromSpec(spec))),
  bigquery: configured((spec, deps) => createBigQuerySource(spec, { cache: deps?.store, onJobBytes: deps?.onJobBytes })),
  postgres: configured((spec, deps) => createPostgresSource(spec, { cache: deps?.store })),
  airflow: configured((spec) => createAirflowSource(spec)),
};

export class UnsupportedSourceError extends Error {
  readonly code = 'unsupported_source';
  constructor(spec: DataSourceSpec, supported: readonly string[]) {
    super(`data source "${spec.name}": type "${spec.type}" is not supported (supported: ${supported.join(', ') || 'none'})`);
    this.name = 'UnsupportedSourceError';
  }
}

/** SliSources by name, in the order given. */
export function buildSources(
  specs: readonly DataSourceSpec[],
  factories: Factories = SOURCE_FACTORIES,
  deps: SourceDeps = {},
): Map<string, SliSource> {
  const out = new Map<string, SliSource>();
  for (const spec of specs) {
    const factory = factories[spec.type] as SourceFactory | undefined;
    if (!factory) throw new UnsupportedSourceError(spec, Object.keys(factories));
    out.set(spec.name, factory(spec, deps));
  }
  return out;
}

export async function closeSources(sources: ReadonlyMap<string, SliSource>): Promise<void> {
  await Promise.allSettled([...sources.values()].map((s) => s.close()));
}

// DataSource specs → SliSources, each instrumented (span, latency, error count, and the bytes
// its BigQuery jobs processed and billed).
// A source type without an adapter in this build still becomes a source: one that
// answers every read with a SourceError, so its SLOs are reported unknown with the
// reason instead of silently disappearing.
import type { DataSourceSpec } from '../domain/slo.ts';
import type { SourceMap } from '../evaluator/evaluate-all.ts';
import { failingSource } from '../sources/failing-source.ts';
import type { SliSource } from '../sources/sli-source.ts';
import { notConfiguredSource } from '../sources/not-configured.ts';
import { instrumentSource } from '../service/instrumented-source.ts';
import type { Metrics } from '../service/metrics.ts';

import type { SOURCE_FACTORIES, SourceDeps } from '../sources/registry.ts';

export type SourceFactories = typeof SOURCE_FACTORIES;

function unavailable(spec: DataSourceSpec, why: string): SliSource {
  return failingSource(spec, 'unreachable', why);
}

/** Adds the default `prometheus` source from PROMETHEUS_URL unless the specs declare one. */
export function withDefaultSources(specs: readonly DataSourceSpec[], prometheusUrl: string | undefined): DataSourceSpec[] {
  const out = [...specs];
  if (prometheusUrl && !out.some((s) => s.name === 'prometheus')) {
    out.push({ type: 'prometheus', name: 'prometheus', url: prometheusUrl, timeoutSeconds: 10, headers: {} });
  }
  return out;
}

export function buildSources(
  specs: readonly DataSourceSpec[],
  factories: SourceFactories,
  metrics: Metrics,
  deps: SourceDeps = {},
): SourceMap {
  const map = new Map<string, SliSource>();
  const withBytes: SourceDeps = {
    ...deps,
    onJobBytes: ({ source, processedBytes, billedBytes }) => {
      metrics.sourceProcessedBytes.inc({ source }, processedBytes);
      if (billedBytes !== undefined) metrics.sourceBilledBytes.inc({ source }, billedBytes);
    },
  };
  for (const spec of specs) {
    const factory = factories[spec.type] as ((s: DataSourceSpec, d: SourceDeps) => SliSource) | undefined;
    let source: SliSource;
    try {
      source = spec.notConfigured
        ? notConfiguredSource(spec)
        : factory
          ? factory(spec, withBytes)
          : unavailable(spec, `no ${spec.type} adapter in this build`);
    } catch (error) {
      source = unavailable(spec, `cannot be configured: ${(error as Error).message}`);
    }
    map.set(spec.name, instrumentSource(source, metrics));
  }
  return map;
}

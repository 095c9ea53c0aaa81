// The demo's sources: the service's own source registry, with burnwatch's store as the
// warehouse sources' interval cache (as in the service).
import type { DataSourceSpec } from '../domain/slo.ts';
import type { SourceMap } from '../evaluator/index.ts';
import { buildSources } from '../sources/registry.ts';
import type { Db } from '../store/db.ts';

export function buildDemoSources(specs: readonly DataSourceSpec[], store: Db): SourceMap {
  return buildSources(specs, undefined, { store });
}

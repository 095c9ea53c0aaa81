// A DataSource whose file names an environment variable that is not set (the examples' warehouse:
// `projectId: ${BURNWATCH_BQ_PROJECT}`) becomes this source: it never opens a connection, and
// every read says what to set, so its SLOs are unknown ("not configured") and the rest evaluate.
import type { DataSourceSpec } from '../domain/slo.ts';
import { failingSource } from './failing-source.ts';
import type { SliSource } from './sli-source.ts';

export function notConfiguredSource(spec: DataSourceSpec): SliSource {
  return failingSource(spec, 'not_configured', spec.notConfigured ?? 'not configured');
}

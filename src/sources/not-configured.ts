// A DataSource whose file names an environment variable that is not set (the examples' warehouse:
// `projectId: ${BURNWATCH_BQ_PROJECT}`) becomes this source: it never opens a connection, and
// every read says what to set, so its SLOs are unknown ("not configured") and the rest evaluate.
import type { DataSourceSpec } from '../domain/slo.ts';
import type { SliSource } from './sli-source.ts';
import { SourceError } from './source-error.ts';

export function notConfiguredSource(spec: DataSourceSpec): SliSource {
  const fail = () => new SourceError('not_configured', spec.notConfigured ?? 'not configured', { source: spec.name, retryable: false });
  return {
    name: spec.name,
    type: spec.type,
    read: async () => {
      throw fail();
    },
    ping: async () => {
      throw fail();
    },
    close: async () => {},
  };
}

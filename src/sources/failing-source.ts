// A source that never opens a connection: every read and ping fails with the same error, so its
// SLOs are unknown with that reason while the rest evaluate (not configured, or not buildable).
import type { DataSourceSpec } from '../domain/slo.ts';
import type { SliSource } from './sli-source.ts';
import { SourceError } from './source-error.ts';

export function failingSource(spec: DataSourceSpec, code: ConstructorParameters<typeof SourceError>[0], why: string): SliSource {
  const fail = () => new SourceError(code, why, { source: spec.name, retryable: false });
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

import { describe, expect, it } from 'vitest';
import type { DataSourceSpec } from '../domain/slo.ts';
import { PrometheusSource } from './prometheus/prometheus-source.ts';
import { buildSources, UnsupportedSourceError } from './registry.ts';

const prom: DataSourceSpec = { type: 'prometheus', name: 'metrics', url: 'http://127.0.0.1:9090', timeoutSeconds: 5, headers: {} };

describe('source registry', () => {
  it('builds one source per spec, by name, with the factory of its type', () => {
    const sources = buildSources([prom, { ...prom, name: 'thanos' }]);
    expect([...sources.keys()]).toEqual(['metrics', 'thanos']);
    expect(sources.get('metrics')).toBeInstanceOf(PrometheusSource);
    expect(sources.get('thanos')!.name).toBe('thanos');
  });

  it('says which types it supports when a type has no factory', () => {
    const pg: DataSourceSpec = { type: 'postgres', name: 'registry', url: 'postgres://x', timeoutSeconds: 5 };
    expect(() => buildSources([pg], { prometheus: () => buildSources([prom]).get('metrics')! })).toThrow(UnsupportedSourceError);
    expect(() => buildSources([pg], { prometheus: () => buildSources([prom]).get('metrics')! })).toThrow(
      /data source "registry": type "postgres" is not supported \(supported: prometheus\)/,
    );
  });
});

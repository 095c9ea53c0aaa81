// One plain message at start-up saying what to configure, instead of a wall of per-SLO errors:
// the DataSources whose variables are not set (the examples' `${BURNWATCH_BQ_PROJECT}`) and the
// ones that did not answer, each with the SLOs it holds back. Pure: the caller logs it.
import type { DataSourceSpec, Slo } from '../domain/slo.ts';

export interface SourceProbe {
  name: string;
  reachable: boolean;
  error?: string;
}

export interface ConfigurationHint {
  message: string;
  sources: Array<{ source: string; slos: string[]; reason: string }>;
}

/** Every DataSource an SLO reads: its default source and the source of each query. */
export function sourcesRead(slo: Slo): Set<string> {
  const out = new Set<string>([slo.source]);
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.source === 'string') out.add(record.source);
    for (const item of Object.values(record)) visit(item);
  };
  visit(slo.indicator);
  return out;
}

export function configurationHint(slos: readonly Slo[], specs: readonly DataSourceSpec[], probed: readonly SourceProbe[]): ConfigurationHint | undefined {
  const reached = new Map(probed.map((p) => [p.name, p]));
  const read = slos.map((s) => ({ id: s.id, sources: sourcesRead(s) }));
  const held: ConfigurationHint['sources'] = [];
  const parts: string[] = [];
  for (const spec of specs) {
    const slosOf = read.filter((s) => s.sources.has(spec.name)).map((s) => s.id);
    if (slosOf.length === 0) continue;
    const count = `${slosOf.length} SLO${slosOf.length === 1 ? '' : 's'}`;
    if (spec.notConfigured) {
      const names = spec.notConfigured.replace(/^not configured: /, '').replace(/ (is|are) not set$/, '');
      parts.push(`set ${names} for DataSource ${spec.name} (${spec.type}, ${count})`);
      held.push({ source: spec.name, slos: slosOf, reason: spec.notConfigured });
      continue;
    }
    const probe = reached.get(spec.name);
    if (probe && !probe.reachable) {
      const what = spec.type === 'prometheus' && spec.name === 'prometheus' ? 'set PROMETHEUS_URL to your Prometheus' : `check the url of DataSource ${spec.name}`;
      parts.push(`${what} (${spec.name} does not answer, ${count})`);
      held.push({ source: spec.name, slos: slosOf, reason: probe.error ?? 'does not answer' });
    }
  }
  if (parts.length === 0) return undefined;
  const total = new Set(held.flatMap((h) => h.slos)).size;
  return {
    message: `burnwatch runs, but ${total} of ${slos.length} SLOs cannot be evaluated yet and show as unknown: ${parts.join('; ')}. See docs/getting-started.md.`,
    sources: held,
  };
}

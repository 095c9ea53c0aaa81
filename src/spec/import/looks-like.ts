// For a document burnwatch does not read: which format it looks like, so the message can say what
// to do ("this is a Prometheus rule file…") instead of only "unknown apiVersion".
import { OPENSLO_API_VERSIONS } from './openslo-dialects.ts';

export function looksLike(doc: Record<string, unknown>): string | undefined {
  const api = typeof doc.apiVersion === 'string' ? doc.apiVersion : undefined;
  const kind = typeof doc.kind === 'string' ? doc.kind : undefined;
  if (Array.isArray(doc.groups) && doc.groups.some((g) => g !== null && typeof g === 'object' && 'rules' in g))
    return 'this is a Prometheus rule file, not an SLO: burnwatch writes these (burnwatch generate prometheus); give it the SLO files instead';
  if (kind === 'PrometheusRule') return 'this is a prometheus-operator PrometheusRule, not an SLO: burnwatch writes these (burnwatch generate prometheus --operator)';
  if (api === 'sloth.slok.dev/v1' && kind === 'AlertWindows')
    return 'this is a Sloth AlertWindows file (alert windows for one SLO period): give it to generate / backtest with --windows, not as an SLO file';
  if (api?.startsWith('n9/')) return `this is a Nobl9 ${kind ?? 'document'} (${api}); burnwatch reads OpenSLO (${OPENSLO_API_VERSIONS.join(', ')}): export it as OpenSLO first`;
  if (api?.toLowerCase().includes('openslo')) return `this is an OpenSLO ${kind ?? 'document'} of version ${api}; burnwatch reads ${OPENSLO_API_VERSIONS.join(', ')}`;
  if (api?.startsWith('pyrra.dev/')) return `this is a Pyrra ${kind ?? 'document'} of version ${api}; burnwatch reads pyrra.dev/v1alpha1 ServiceLevelObjective`;
  if (api?.startsWith('sloth.slok.dev/')) return `this is a Sloth ${kind ?? 'document'} (${api}); burnwatch reads sloth.slok.dev/v1 PrometheusServiceLevel and AlertWindows`;
  if (api?.startsWith('sre.google.com/')) return `this is a Google slo-generator ${kind ?? 'document'} (${api}); burnwatch reads burnwatch/v1, Sloth, OpenSLO and Pyrra`;
  if (kind === 'ServiceLevelObjective') return 'this looks like a Pyrra ServiceLevelObjective: it needs apiVersion: pyrra.dev/v1alpha1';
  if (api === undefined && typeof doc.service === 'string' && Array.isArray(doc.slos))
    return 'this looks like a Sloth file: it needs version: prometheus/v1 at the top';
  if (api === undefined && typeof doc.version === 'string' && Array.isArray(doc.slos))
    return `this looks like a Sloth file of version ${JSON.stringify(doc.version)}; burnwatch reads Sloth's version: prometheus/v1`;
  return undefined;
}

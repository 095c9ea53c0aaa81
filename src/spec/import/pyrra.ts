// Pyrra `ServiceLevelObjective` (pyrra.dev/v1alpha1) as a burnwatch/v1 SLO. Pyrra writes
// selectors, not queries: a ratio is sum(rate(errors[w])) / sum(rate(total[w])), a latency SLI is
// (total − success) / total over histogram counters, and a bool gauge counts each sample as one
// event (0 = bad). Those are written out as burnwatch ratios over $window.
import { z } from 'zod';
import type { Path } from '../problem.ts';
import type { ImportedDoc, ImportNote, ImportResult, PathMap } from './imported.ts';
import { parseForeign } from './imported.ts';

export const PYRRA_API_VERSION = 'pyrra.dev/v1alpha1';

const Metric = z.strictObject({ metric: z.string().min(1) });
const Grouping = z.array(z.string()).nullable().optional();
const Indicator = z.strictObject({
  ratio: z.strictObject({ errors: Metric, total: Metric, grouping: Grouping }).optional(),
  latency: z.strictObject({ success: Metric, total: Metric, grouping: Grouping }).optional(),
  latencyNative: z.strictObject({ latency: z.string(), total: Metric, grouping: Grouping }).optional(),
  bool_gauge: z.strictObject({ metric: z.string().min(1), grouping: Grouping }).optional(),
  boolGauge: z.strictObject({ metric: z.string().min(1), grouping: Grouping }).optional(),
});
const Doc = z.strictObject({
  apiVersion: z.literal(PYRRA_API_VERSION),
  kind: z.literal('ServiceLevelObjective'),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.unknown()).optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  }),
  spec: z.strictObject({
    description: z.string().optional(),
    target: z.union([z.string(), z.number()]),
    window: z.string(),
    indicator: Indicator,
    alerting: z
      .strictObject({
        disabled: z.boolean().optional(),
        name: z.string().optional(),
        burnrates: z.boolean().optional(),
        absent: z.boolean().optional(),
        burnRateType: z.string().optional(),
      })
      .optional(),
  }),
});

export function isPyrra(doc: Record<string, unknown>): boolean {
  return doc.apiVersion === PYRRA_API_VERSION && doc.kind === 'ServiceLevelObjective';
}

/** Pyrra's labels that say where an SLO belongs, rather than being labels of it. */
const SERVICE_LABELS = ['pyrra.dev/service', 'service', 'app.kubernetes.io/name'];
const OWNER_LABELS = ['pyrra.dev/team', 'team', 'owner'];

export function importPyrra(doc: Record<string, unknown>): ImportResult {
  const notes: ImportNote[] = [];
  const parsed = parseForeign(Doc, doc, notes, 'Pyrra');
  if (!parsed) return { format: 'pyrra', docs: [], notes };
  const warn = (path: Path, message: string) => notes.push({ severity: 'warning', code: 'import', path, message, key: true });
  const error = (path: Path, message: string) => notes.push({ severity: 'error', code: 'import', path, message });
  const { metadata, spec } = parsed;
  const from: PathMap = [
    [[], []],
    [['metadata'], ['metadata']],
    [['metadata', 'name'], ['metadata', 'name']],
    [['spec'], ['spec']],
    [['spec', 'objective'], ['spec', 'target']],
    [['spec', 'window'], ['spec', 'window']],
    [['spec', 'description'], ['spec', 'description']],
    [['spec', 'indicator'], ['spec', 'indicator']],
    [['spec', 'alerting'], ['spec', 'alerting']],
  ];

  const objective = typeof spec.target === 'number' ? spec.target : Number(spec.target);
  if (!Number.isFinite(objective)) {
    error(['spec', 'target'], `must be a percentage such as "99.5", got ${JSON.stringify(spec.target)}`);
    return { format: 'pyrra', docs: [], notes };
  }

  const ind = spec.indicator;
  const kinds = Object.entries(ind).filter(([, v]) => v !== undefined);
  if (kinds.length !== 1) {
    error(['spec', 'indicator'], 'needs exactly one of ratio, latency, latencyNative or bool_gauge');
    return { format: 'pyrra', docs: [], notes };
  }
  const [kind] = kinds[0]!;
  const iAt: Path = ['spec', 'indicator', kind];
  let ratio: Record<string, string>;
  let grouping: string[] | null | undefined;
  if (ind.ratio) {
    ratio = { bad: `sum(rate(${ind.ratio.errors.metric}[$window]))`, total: `sum(rate(${ind.ratio.total.metric}[$window]))` };
    from.push([['spec', 'indicator', 'ratio', 'bad'], [...iAt, 'errors', 'metric']], [['spec', 'indicator', 'ratio', 'total'], [...iAt, 'total', 'metric']]);
    grouping = ind.ratio.grouping;
  } else if (ind.latency) {
    const total = `sum(rate(${ind.latency.total.metric}[$window]))`;
    ratio = { good: `sum(rate(${ind.latency.success.metric}[$window]))`, total };
    from.push([['spec', 'indicator', 'ratio', 'good'], [...iAt, 'success', 'metric']], [['spec', 'indicator', 'ratio', 'total'], [...iAt, 'total', 'metric']]);
    grouping = ind.latency.grouping;
  } else if (ind.latencyNative) {
    const m = ind.latencyNative.total.metric;
    const seconds = parseSeconds(ind.latencyNative.latency);
    if (seconds === undefined) {
      error([...iAt, 'latency'], `must be a duration such as 100ms or 1s, got ${JSON.stringify(ind.latencyNative.latency)}`);
      return { format: 'pyrra', docs: [], notes };
    }
    // Native histograms: the fraction of observations at or below the latency, times the count.
    ratio = {
      good: `sum(histogram_fraction(0, ${seconds}, rate(${m}[$window])) * histogram_count(rate(${m}[$window])))`,
      total: `sum(histogram_count(rate(${m}[$window])))`,
    };
    from.push([['spec', 'indicator', 'ratio'], [...iAt, 'total', 'metric']]);
    grouping = ind.latencyNative.grouping;
  } else {
    const gauge = (ind.bool_gauge ?? ind.boolGauge)!;
    // Every sample is one event; a sample of 0 is a bad one.
    ratio = {
      good: `sum(sum_over_time(${gauge.metric}[$window]))`,
      total: `sum(count_over_time(${gauge.metric}[$window]))`,
    };
    from.push([['spec', 'indicator', 'ratio'], [...iAt, 'metric']]);
    grouping = gauge.grouping;
  }
  // Pyrra's grouping is one SLO per value: burnwatch's groupBy, with sums that keep the labels.
  const groupBy = grouping && grouping.length > 0 ? grouping : undefined;
  if (groupBy) {
    const by = `sum by (${groupBy.join(', ')}) (`;
    for (const k of Object.keys(ratio)) ratio[k] = ratio[k]!.replace(/^sum\(/, by);
    from.push([['spec', 'groupBy'], [...iAt, 'grouping']]);
  }

  const labels: Record<string, string> = {};
  let service = metadata.namespace ?? metadata.name;
  let serviceAt: Path = metadata.namespace !== undefined ? ['metadata', 'namespace'] : ['metadata', 'name'];
  let owner: string | undefined;
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    const text = String(value);
    if (typeof value !== 'string')
      notes.push({ severity: 'warning', code: 'import', path: ['metadata', 'labels', key], message: `label value ${text} is a ${typeof value}: imported as the string "${text}" (quote it in YAML)` });
    if (SERVICE_LABELS.includes(key) && serviceAt[1] !== 'labels') {
      service = text;
      serviceAt = ['metadata', 'labels', key];
    } else if (OWNER_LABELS.includes(key) && owner === undefined) {
      owner = text;
      from.push([['metadata', 'owner'], ['metadata', 'labels', key]]);
    } else if (['prometheus', 'role'].includes(key)) {
      // prometheus-operator rule selection labels: they select Pyrra's generated rules, not the SLO.
      warn(['metadata', 'labels', key], `label ${key} selects Pyrra's generated PrometheusRule: dropped (burnwatch generate prometheus --operator writes its own)`);
    } else labels[key.replace(/[^A-Za-z0-9_]/g, '_')] = text;
  }
  from.push([['metadata', 'service'], serviceAt]);
  const alerting: Record<string, unknown> = {};
  const annotations = metadata.annotations ?? {};
  for (const [key, value] of Object.entries(annotations)) {
    if (key === 'pyrra.dev/runbook' || key === 'runbook_url') {
      alerting.runbook = String(value);
      from.push([['spec', 'alerting', 'runbook'], ['metadata', 'annotations', key]]);
    } else warn(['metadata', 'annotations', key], `annotation ${key} cannot be expressed in burnwatch and is dropped`);
  }
  const a = spec.alerting;
  if (a?.disabled) {
    alerting.tiers = [];
    from.push([['spec', 'alerting', 'tiers'], ['spec', 'alerting', 'disabled']]);
  } else {
    warn(['spec', 'window'], "Pyrra's own burn-rate windows are replaced by burnwatch's default tiers (page 2% in 1h, 5% in 6h; ticket 10% in 1d, 3d), scaled to the window: approximated");
  }
  if (a?.name !== undefined) {
    alerting.name = a.name;
    from.push([['spec', 'alerting', 'name'], ['spec', 'alerting', 'name']]);
  }
  if (a?.burnRateType !== undefined && a.burnRateType !== 'static')
    warn(['spec', 'alerting', 'burnRateType'], `burnRateType ${a.burnRateType} (thresholds that follow traffic) cannot be expressed: burnwatch's tiers are static burn rates (approximated)`);
  if (a?.burnrates === false) warn(['spec', 'alerting', 'burnrates'], 'burnrates: false cannot be expressed (burnwatch always computes burn rates) and is dropped');
  if (a?.absent === false) warn(['spec', 'alerting', 'absent'], 'absent: false cannot be expressed (burnwatch reports an SLO without data as unknown) and is dropped');
  // Pyrra, like Sloth, has no low-traffic guard.
  alerting.minEvents = 0;

  const safeName = (text: string) => text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const value = {
    apiVersion: 'burnwatch/v1',
    kind: 'SLO',
    metadata: { name: safeName(metadata.name), service: safeName(service), ...(owner && { owner }), ...(Object.keys(labels).length > 0 && { labels }) },
    spec: {
      ...(spec.description && { description: spec.description }),
      objective,
      window: spec.window,
      ...(groupBy && { groupBy }),
      indicator: { ratio },
      alerting,
    },
  };
  const docs: ImportedDoc[] = [{ value, from, origin: [] }];
  return { format: 'pyrra', docs, notes };
}

function parseSeconds(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
}

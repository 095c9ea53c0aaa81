// OpenSLO `openslo/v1` SLOs as burnwatch/v1 SLOs: ratioMetric (good/bad/total, or raw) and
// thresholdMetric; Occurrences and Timeslices budgeting; rolling windows. One burnwatch SLO per
// objective. What burnwatch cannot express is reported field by field.
import { z } from 'zod';
import { isDuration } from '../../domain/duration.ts';
import { parser } from '@prometheus-io/lezer-promql';
import type { Path } from '../problem.ts';
import type { ImportedDoc, ImportNote, ImportResult } from './imported.ts';
import { parseForeign } from './imported.ts';

const MetricSource = z.strictObject({
  metricSourceRef: z.string().optional(),
  type: z.string().optional(),
  spec: z.record(z.string(), z.unknown()),
});
const Metric = z.strictObject({ metricSource: MetricSource });
const RatioMetric = z.strictObject({
  counter: z.boolean().optional(),
  good: Metric.optional(),
  bad: Metric.optional(),
  total: Metric.optional(),
  rawType: z.enum(['success', 'failure']).optional(),
  raw: Metric.optional(),
});
const Indicator = z.strictObject({
  metadata: z.looseObject({ name: z.string().optional(), displayName: z.string().optional() }).optional(),
  spec: z.strictObject({
    description: z.string().optional(),
    ratioMetric: RatioMetric.optional(),
    thresholdMetric: Metric.optional(),
  }),
});
const Objective = z.strictObject({
  displayName: z.string().optional(),
  name: z.string().optional(),
  op: z.enum(['lte', 'gte', 'lt', 'gt']).optional(),
  value: z.number().optional(),
  target: z.number().gt(0).lt(1).optional(),
  targetPercent: z.number().gt(0).lt(100).optional(),
  timeSliceTarget: z.number().gt(0).max(1).optional(),
  timeSliceWindow: z.union([z.string(), z.number()]).optional(),
  indicator: Indicator.optional(),
  indicatorRef: z.string().optional(),
  compositeWeight: z.number().optional(),
});
const SloDoc = z.strictObject({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLO'),
  metadata: z.strictObject({
    name: z.string(),
    displayName: z.string().optional(),
    labels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    description: z.string().optional(),
    service: z.string(),
    indicator: Indicator.optional(),
    indicatorRef: z.string().optional(),
    timeWindow: z
      .array(z.strictObject({ duration: z.string(), isRolling: z.boolean().optional(), calendar: z.record(z.string(), z.unknown()).optional() }))
      .min(1)
      .optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
    objectives: z.array(Objective).min(1),
    alertPolicies: z.array(z.unknown()).optional(),
  }),
});
type OpenSloDoc = z.infer<typeof SloDoc>;
type MetricSource = z.infer<typeof MetricSource>;

export function isOpenSlo(doc: Record<string, unknown>): boolean {
  return doc.apiVersion === 'openslo/v1';
}

export function importOpenSlo(doc: Record<string, unknown>): ImportResult {
  const notes: ImportNote[] = [];
  if (doc.kind !== 'SLO') {
    notes.push({
      severity: 'warning',
      code: 'import',
      path: ['kind'],
      message: `OpenSLO ${String(doc.kind)} documents are not imported (only kind: SLO with an inline indicator); declare DataSources as burnwatch/v1 DataSource`,
    });
    return { format: 'openslo', docs: [], notes };
  }
  const parsed = parseForeign(SloDoc, doc, notes, 'OpenSLO');
  if (!parsed) return { format: 'openslo', docs: [], notes };
  const docs = parsed.spec.objectives.flatMap((_, j) => convertObjective(parsed, j, notes) ?? []);
  return { format: 'openslo', docs, notes };
}

interface QueryDoc {
  value: string | Record<string, string>;
  at: Path;
}

function convertObjective(slo: OpenSloDoc, j: number, notes: ImportNote[]): ImportedDoc | undefined {
  const error = (path: Path, message: string) => notes.push({ severity: 'error', code: 'import', path, message });
  const drop = (path: Path, what: string) =>
    notes.push({ severity: 'warning', code: 'import', path, key: true, message: `${what} cannot be expressed in burnwatch and is dropped` });
  const objective = slo.spec.objectives[j]!;
  const oAt: Path = ['spec', 'objectives', j];
  const several = slo.spec.objectives.length > 1;
  const from: ImportedDoc['from'] = [
    [[], []],
    [['metadata'], ['metadata']],
    [['metadata', 'service'], ['spec', 'service']],
    [['spec'], ['spec']],
    [['spec', 'objective'], oAt],
    [['spec', 'indicator'], ['spec', 'indicator']],
  ];
  // Notes about the SLO as a whole are given once, with the first objective.
  const once = j === 0;

  if (objective.indicator || objective.indicatorRef || slo.spec.indicatorRef) {
    error(objective.indicator || objective.indicatorRef ? oAt : ['spec', 'indicatorRef'], 'indicatorRef and per-objective indicators cannot be imported: write the SLI inline in spec.indicator');
    return undefined;
  }
  if (!slo.spec.indicator) {
    if (once) error(['spec'], 'needs spec.indicator (an inline SLI)');
    return undefined;
  }
  const method = slo.spec.budgetingMethod;
  if (method === 'RatioTimeslices') {
    if (once) error(['spec', 'budgetingMethod'], 'RatioTimeslices (the mean of per-slice ratios) cannot be expressed: use Occurrences or Timeslices');
    return undefined;
  }

  // Window: the first rolling window.
  let window = '30d';
  const tw = slo.spec.timeWindow?.[0];
  if (tw) {
    if (!isDuration(tw.duration)) {
      if (once) error(['spec', 'timeWindow', 0, 'duration'], `window ${JSON.stringify(tw.duration)} is not a Prometheus duration (months, quarters and years are not fixed lengths): write e.g. 28d or 90d`);
      return undefined;
    }
    window = tw.duration;
    from.push([['spec', 'window'], ['spec', 'timeWindow', 0, 'duration']]);
    if (once && (tw.isRolling === false || tw.calendar)) drop(['spec', 'timeWindow', 0, tw.calendar ? 'calendar' : 'isRolling'], 'a calendar-aligned window (imported as a rolling window of the same length)');
    if (once) for (let k = 1; k < (slo.spec.timeWindow?.length ?? 0); k++) drop(['spec', 'timeWindow', k], `timeWindow[${k}] (burnwatch has one window per SLO)`);
  } else if (once)
    notes.push({ severity: 'warning', code: 'import', path: ['spec'], key: true, message: 'no timeWindow: using burnwatch\'s default rolling 30d' });

  // Objective: target (0..1) or targetPercent.
  let percent: number;
  if (objective.targetPercent !== undefined) {
    percent = objective.targetPercent;
    from.push([['spec', 'objective'], [...oAt, 'targetPercent']]);
  } else if (objective.target !== undefined) {
    percent = Number.parseFloat((objective.target * 100).toPrecision(12));
    from.push([['spec', 'objective'], [...oAt, 'target']]);
  } else {
    error(oAt, 'needs target (0..1) or targetPercent');
    return undefined;
  }

  const sli = slo.spec.indicator.spec;
  const iAt: Path = ['spec', 'indicator', 'spec'];
  const spec: Record<string, unknown> = {};
  let indicator: Record<string, unknown>;
  if (sli.ratioMetric) {
    const r = sli.ratioMetric;
    const rAt = [...iAt, 'ratioMetric'];
    if (objective.op !== undefined || objective.value !== undefined) drop([...oAt, objective.op !== undefined ? 'op' : 'value'], 'op/value on a ratio objective');
    const counter = r.counter ?? false;
    const q = (name: 'good' | 'bad' | 'total' | 'raw'): QueryDoc | undefined => {
      const metric = r[name];
      return metric && query(metric.metricSource, [...rAt, name, 'metricSource'], counter && name !== 'raw', error, notes);
    };
    let parts: Record<string, QueryDoc | undefined>;
    if (r.raw) {
      const raw = q('raw');
      if (!raw) return undefined;
      const role = r.rawType === 'success' ? 'good' : 'bad';
      parts = { [role]: raw, total: { value: 'vector(1)', at: [...rAt, 'raw'] } };
      if (once)
        notes.push({ severity: 'warning', code: 'import', path: [...rAt, 'raw'], key: true, message: `a raw ${r.rawType ?? 'failure'} ratio has no event counts: imported as ${role} = the ratio, total = vector(1)` });
    } else {
      if (!r.total || (!r.good && !r.bad) || (r.good && r.bad)) {
        if (once) error(rAt, 'needs total and exactly one of good or bad (or raw)');
        return undefined;
      }
      parts = { ...(r.good && { good: q('good') }), ...(r.bad && { bad: q('bad') }), total: q('total') };
      if (Object.values(parts).some((p) => p === undefined)) return undefined;
    }
    if (method === 'Occurrences') {
      indicator = { ratio: Object.fromEntries(Object.entries(parts).map(([k, p]) => [k, p!.value])) };
      for (const [k, p] of Object.entries(parts)) from.push([['spec', 'indicator', 'ratio', k], p!.at]);
      if (objective.timeSliceTarget !== undefined) drop([...oAt, 'timeSliceTarget'], 'timeSliceTarget with Occurrences budgeting');
    } else {
      // Timeslices over a ratio: a slice is good when its own ratio meets timeSliceTarget.
      const slice = sliceWindow(objective, oAt, error);
      if (!slice) return undefined;
      const texts = Object.entries(parts).map(([k, p]) => [k, p!.value] as const);
      if (texts.some(([, v]) => typeof v !== 'string')) {
        if (once) error(rAt, 'Timeslices over a ratio can only be imported when every query is PromQL on the default prometheus source');
        return undefined;
      }
      const get = (k: string) => `(${String(texts.find(([key]) => key === k)![1]).replaceAll('$window', slice.window)})`;
      const good = parts.good !== undefined;
      const target = objective.timeSliceTarget;
      if (target === undefined) {
        error(oAt, 'Timeslices over a ratio need timeSliceTarget');
        return undefined;
      }
      indicator = {
        threshold: good
          ? { query: `${get('good')} / ${get('total')}`, op: 'gte', value: target }
          : { query: `${get('bad')} / ${get('total')}`, op: 'lte', value: Number.parseFloat((1 - target).toPrecision(12)) },
      };
      spec.timeslice = slice.window;
      from.push([['spec', 'indicator', 'threshold'], rAt], [['spec', 'timeslice'], slice.at]);
    }
  } else if (sli.thresholdMetric) {
    const tAt = [...iAt, 'thresholdMetric', 'metricSource'];
    const metric = query(sli.thresholdMetric.metricSource, tAt, false, error, notes, false);
    if (!metric) return undefined;
    if (objective.op === undefined || objective.value === undefined) {
      error(oAt, 'a thresholdMetric objective needs op and value');
      return undefined;
    }
    indicator = { threshold: { query: metric.value, op: objective.op, value: objective.value } };
    from.push([['spec', 'indicator', 'threshold', 'query'], metric.at], [['spec', 'indicator', 'threshold', 'op'], [...oAt, 'op']], [['spec', 'indicator', 'threshold', 'value'], [...oAt, 'value']]);
    if (method === 'Timeslices') {
      const slice = sliceWindow(objective, oAt, error);
      if (!slice) return undefined;
      spec.timeslice = slice.window;
      from.push([['spec', 'timeslice'], slice.at]);
      if (objective.timeSliceTarget !== undefined) drop([...oAt, 'timeSliceTarget'], 'timeSliceTarget on a threshold metric (a slice is good when its value meets op/value)');
    } else {
      spec.timeslice = '1m';
      notes.push({
        severity: 'warning',
        code: 'import',
        path: ['spec', 'budgetingMethod'],
        key: true,
        message: 'Occurrences over a threshold metric are imported as 1m time slices (each minute\'s value is one event)',
      });
    }
  } else {
    if (once) error(iAt, 'needs ratioMetric or thresholdMetric');
    return undefined;
  }

  // Metadata.
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(slo.metadata.labels ?? {})) {
    labels[key] = Array.isArray(value) ? value.join(',') : value;
    if (Array.isArray(value) && once) notes.push({ severity: 'warning', code: 'import', path: ['metadata', 'labels', key], message: `a list label is imported as one comma-separated value "${labels[key]}"` });
  }
  if (once) {
    if (slo.metadata.annotations) drop(['metadata', 'annotations'], 'metadata.annotations');
    if (slo.spec.alertPolicies) drop(['spec', 'alertPolicies'], 'alertPolicies (burnwatch alerts with its multi-window burn-rate tiers)');
    if (slo.metadata.displayName !== undefined && slo.spec.description !== undefined) drop(['metadata', 'displayName'], 'metadata.displayName');
  }
  if (objective.compositeWeight !== undefined) drop([...oAt, 'compositeWeight'], 'compositeWeight');
  const description = slo.spec.description ?? slo.metadata.displayName;
  const suffix = several ? `-${slug(objective.name ?? objective.displayName ?? String(j + 1))}` : '';
  if (several) from.push([['metadata', 'name'], [...oAt, objective.name !== undefined ? 'name' : 'displayName']]);
  const value = {
    apiVersion: 'burnwatch/v1',
    kind: 'SLO',
    metadata: { name: `${slo.metadata.name}${suffix}`, service: slo.spec.service, ...(Object.keys(labels).length > 0 && { labels }) },
    spec: {
      ...(description !== undefined && { description: several && objective.displayName ? `${description} (${objective.displayName})` : description }),
      objective: percent,
      window,
      indicator,
      ...spec,
    },
  };
  return { value, from, origin: several ? oAt : [] };
}

function sliceWindow(objective: z.infer<typeof Objective>, oAt: Path, error: (path: Path, message: string) => void): { window: string; at: Path } | undefined {
  const raw = objective.timeSliceWindow;
  if (raw === undefined) return { window: '1m', at: oAt };
  const window = typeof raw === 'number' ? `${raw}s` : raw;
  if (!isDuration(window)) {
    error([...oAt, 'timeSliceWindow'], `must be a duration such as 1m, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return { window, at: [...oAt, 'timeSliceWindow'] };
}

const LANGUAGES: Record<string, 'promql' | 'sql'> = { prometheus: 'promql', bigquery: 'sql', postgres: 'sql', postgresql: 'sql' };

/** One OpenSLO metricSource as a burnwatch query. */
function query(
  source: MetricSource,
  at: Path,
  counter: boolean,
  error: (path: Path, message: string) => void,
  notes: ImportNote[],
  ratio = true,
): QueryDoc | undefined {
  const type = (source.type ?? 'Prometheus').toLowerCase();
  const language = LANGUAGES[type];
  if (!language) {
    error([...at, 'type'], `metric source type ${JSON.stringify(source.type)} is not supported: burnwatch reads Prometheus, BigQuery and PostgreSQL`);
    return undefined;
  }
  const textKey = ['query', 'promql', 'sql'].find((k) => typeof source.spec[k] === 'string');
  if (!textKey) {
    error([...at, 'spec'], 'needs spec.query (the query text)');
    return undefined;
  }
  for (const key of Object.keys(source.spec))
    if (key !== textKey)
      notes.push({ severity: 'warning', code: 'import', path: [...at, 'spec', key], key: true, message: `metricSource.spec.${key} is dropped: connection settings belong to a burnwatch/v1 DataSource` });
  let text = String(source.spec[textKey]);
  const name = source.metricSourceRef ?? (type === 'postgresql' ? 'postgres' : type);
  if (language === 'promql' && counter) text = counterToIncrease(text, [...at, 'spec', textKey], notes);
  else if (ratio && language === 'promql' && !text.includes('$window'))
    notes.push({
      severity: 'warning',
      code: 'import',
      path: [...at, 'spec', textKey],
      message: 'the query does not use $window: burnwatch evaluates it as the number of events in each window as written',
    });
  const textAt: Path = [...at, 'spec', textKey];
  if (name === 'prometheus' && language === 'promql') return { value: text, at: textAt };
  return { value: { source: name, [language]: text }, at: textAt };
}

/** OpenSLO's `counter: true` gives raw counters; burnwatch wants the events in `$window`. */
function counterToIncrease(text: string, at: Path, notes: ImportNote[]): string {
  const tree = parser.parse(text);
  const top = tree.topNode.firstChild;
  if (top?.name === 'VectorSelector' && top.to === text.trimEnd().length) return `sum(increase(${text.trim()}[$window]))`;
  notes.push({
    severity: 'warning',
    code: 'import',
    path: at,
    message: 'counter query is not a plain selector: imported as sum(increase((query)[$window:1m])), which is approximate across counter resets; prefer sum(increase(metric[$window]))',
  });
  return `sum(increase((${text.trim()})[$window:1m]))`;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'objective';
}

// OpenSLO SLOs (openslo/v1alpha, openslo/v1, openslo.com/v2alpha) as burnwatch/v1 SLOs:
// ratioMetric (good/bad/total, or raw) and thresholdMetric, inline or referenced SLIs;
// Occurrences, Timeslices and RatioTimeslices budgeting; rolling windows; burn-rate AlertPolicies
// as tiers; DataSources as burnwatch DataSources. One burnwatch SLO per objective. What burnwatch
// cannot express is reported field by field.
import { z } from 'zod';
import { isDuration, parseDuration } from '../../domain/duration.ts';
import { parser } from '@prometheus-io/lezer-promql';
import type { Path } from '../problem.ts';
import type { ImportedDoc, ImportNote, ImportResult, PathMap } from './imported.ts';
import { parseForeign, slothWindow } from './imported.ts';
import { alertPoliciesToTiers } from './openslo-alerts.ts';
import { indexOpenSlo, lookup, type OpenSloIndex, OPENSLO_API_VERSIONS, resolveVirtual, toV1 } from './openslo-dialects.ts';

export { OPENSLO_API_VERSIONS } from './openslo-dialects.ts';

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
    labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])).optional(),
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
/**
 * An OpenSLO DataSource's type and connection details: `spec.type` + `spec.connectionDetails`
 * (v1), or one key named after the type holding the details (v2alpha: `spec.prometheus: {url}`).
 */
function dataSourceShape(spec: unknown): { type: string; details: Record<string, unknown>; at: Path } | undefined {
  if (spec === null || typeof spec !== 'object') return undefined;
  const s = spec as Record<string, unknown>;
  if (typeof s.type === 'string') {
    const details = s.connectionDetails;
    return { type: s.type, details: details !== null && typeof details === 'object' ? (details as Record<string, unknown>) : {}, at: ['spec', 'connectionDetails'] };
  }
  const keys = Object.keys(s).filter((k) => k !== 'description' && s[k] !== null && typeof s[k] === 'object' && !Array.isArray(s[k]));
  if (keys.length !== 1) return undefined;
  return { type: keys[0]!, details: s[keys[0]!] as Record<string, unknown>, at: ['spec', keys[0]!] };
}
type OpenSloDoc = z.infer<typeof SloDoc>;
type MetricSource = z.infer<typeof MetricSource>;

export function isOpenSlo(doc: Record<string, unknown>): boolean {
  return typeof doc.apiVersion === 'string' && OPENSLO_API_VERSIONS.includes(doc.apiVersion);
}

/** Kinds read only through the SLOs that refer to them. */
const REFERENCED_KINDS = new Set(['SLI', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget', 'Service']);

/** Every OpenSLO document of the files given, imported together: SLOs refer to the others by name. */
export function importOpenSloSet(records: readonly Record<string, unknown>[]): Array<ImportResult & { doc: number }> {
  const index = indexOpenSlo(records);
  const results: Array<ImportResult & { doc: number }> = [];
  records.forEach((record, self) => {
    const notes: ImportNote[] = [];
    const docs: ImportedDoc[] = [];
    if (record.kind === 'SLO') docs.push(...importSlo(index, self, notes));
    else if (record.kind === 'DataSource') {
      const ds = importDataSource(record, notes);
      if (ds) docs.push(ds);
    } else if (!REFERENCED_KINDS.has(String(record.kind)))
      notes.push({
        severity: 'warning',
        code: 'import',
        path: record.kind === undefined ? [] : ['kind'],
        message: `OpenSLO kind ${JSON.stringify(record.kind)} is not one burnwatch reads (SLO, SLI, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget, Service): ignored`,
      });
    results.push({ format: 'openslo', docs, notes: notes.map((n) => ({ ...n, doc: n.doc ?? self })), doc: self });
  });
  return results;
}

const DATASOURCE_TYPES: Record<string, 'prometheus' | 'bigquery' | 'postgres'> = { prometheus: 'prometheus', bigquery: 'bigquery', postgres: 'postgres', postgresql: 'postgres' };

/** An OpenSLO DataSource as a burnwatch DataSource, when burnwatch can read its type. */
function importDataSource(record: Record<string, unknown>, notes: ImportNote[]): ImportedDoc | undefined {
  const name = (record.metadata as Record<string, unknown> | undefined)?.name;
  const shape = dataSourceShape(record.spec);
  if (typeof name !== 'string' || !shape) {
    notes.push({ severity: 'error', code: 'import', path: ['spec'], message: 'an OpenSLO DataSource needs metadata.name and spec.type with spec.connectionDetails (or one spec.<type> mapping)' });
    return undefined;
  }
  const type = DATASOURCE_TYPES[shape.type.toLowerCase()];
  const details = shape.details;
  if (!type) {
    notes.push({ severity: 'warning', code: 'import', path: shape.at[1] === 'connectionDetails' ? ['spec', 'type'] : shape.at, message: `DataSource ${JSON.stringify(name)} of type ${shape.type} is not imported: burnwatch reads Prometheus, BigQuery and PostgreSQL` });
    return undefined;
  }
  const from: PathMap = [[[], []], [['metadata', 'name'], ['metadata', 'name']], [['spec'], shape.at]];
  const pick = (...keys: string[]) => keys.find((k) => typeof details[k] === 'string');
  const body: Record<string, unknown> = {};
  const used = new Set<string>();
  const take = (target: string, ...keys: string[]) => {
    const key = pick(...keys);
    if (key === undefined) return;
    body[target] = details[key];
    used.add(key);
    from.push([['spec', type, target], [...shape.at, key]]);
  };
  if (type === 'prometheus') take('url', 'url', 'address', 'endpoint', 'baseUrl', 'host');
  else if (type === 'bigquery') {
    take('projectId', 'projectId', 'project', 'projectID');
    take('location', 'location', 'region');
  } else take('url', 'url', 'connectionString', 'dsn');
  for (const key of Object.keys(details))
    if (!used.has(key))
      notes.push({ severity: 'warning', code: 'import', path: [...shape.at, key], key: true, message: `${key} cannot be expressed in a burnwatch ${type} DataSource and is dropped` });
  const safe = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  if (safe !== name) from.push([['metadata', 'name'], ['metadata', 'name']]);
  return { kind: 'DataSource', value: { apiVersion: 'burnwatch/v1', kind: 'DataSource', metadata: { name: safe }, spec: { [type]: body } }, from, origin: [] };
}

function importSlo(index: OpenSloIndex, self: number, notes: ImportNote[]): ImportedDoc[] {
  const virtualNotes: ImportNote[] = [];
  const { record, map } = toV1(index, self, virtualNotes);
  const parsed = parseForeign(SloDoc, record, virtualNotes, 'OpenSLO');
  const docs: ImportedDoc[] = [];
  if (parsed) {
    const ctx = { index, notes: virtualNotes };
    const alerting = alertPoliciesToTiers(index, self, parsed.spec.alertPolicies, windowOf(parsed), virtualNotes);
    const owner = serviceOwner(index, parsed.spec.service);
    docs.push(...parsed.spec.objectives.flatMap((_, j) => convertObjective(parsed, j, ctx, alerting, owner) ?? []));
  }
  // Back from the rewritten v1 document to where each field was written.
  for (const note of virtualNotes) {
    if (note.doc !== undefined) {
      notes.push(note);
      continue;
    }
    const { doc, path } = resolveVirtual(map, note.path);
    notes.push({ ...note, path, doc });
  }
  for (const d of docs)
    d.from = d.from.map(([native, virtual, doc]) => {
      if (doc !== undefined) return [native, virtual, doc];
      const real = resolveVirtual(map, virtual);
      return [native, real.path, real.doc];
    });
  return docs;
}

function windowOf(slo: OpenSloDoc): number {
  const tw = slo.spec.timeWindow?.[0];
  return tw && isDuration(tw.duration) ? parseDuration(tw.duration) : 30 * 86_400;
}

/** An OpenSLO Service's owner, from a label or annotation burnwatch knows (owner, team). */
function serviceOwner(index: OpenSloIndex, service: string): { owner: string; at: Path; doc: number } | undefined {
  const doc = lookup(index, 'Service', service);
  if (doc === undefined) return undefined;
  const metadata = (index.records[doc]!.metadata ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const where of ['labels', 'annotations'] as const)
    for (const key of ['owner', 'team']) {
      const value = metadata[where]?.[key];
      const text = Array.isArray(value) ? value[0] : value;
      if (typeof text === 'string' && text.trim() !== '') return { owner: text, at: ['metadata', where, key], doc };
    }
  return undefined;
}

interface QueryDoc {
  value: string | Record<string, string>;
  at: Path;
}

interface ObjectiveContext {
  index: OpenSloIndex;
  notes: ImportNote[];
}

function convertObjective(
  slo: OpenSloDoc,
  j: number,
  { index, notes }: ObjectiveContext,
  alerting: ReturnType<typeof alertPoliciesToTiers>,
  owner: ReturnType<typeof serviceOwner>,
): ImportedDoc | undefined {
  const error = (path: Path, message: string) => notes.push({ severity: 'error', code: 'import', path, message });
  const drop = (path: Path, what: string) =>
    notes.push({ severity: 'warning', code: 'import', path, key: true, message: `${what} cannot be expressed in burnwatch and is dropped` });
  const objective = slo.spec.objectives[j]!;
  const oAt: Path = ['spec', 'objectives', j];
  const several = slo.spec.objectives.length > 1;
  // A composite SLO's objectives each have their own SLI; otherwise the SLO's.
  const indicatorDoc = objective.indicator ?? slo.spec.indicator;
  const indicatorAt: Path = objective.indicator ? [...oAt, 'indicator'] : ['spec', 'indicator'];
  const from: PathMap = [
    [[], []],
    [['metadata'], ['metadata']],
    [['metadata', 'service'], ['spec', 'service']],
    [['spec'], ['spec']],
    [['spec', 'objective'], oAt],
    [['spec', 'indicator'], indicatorAt],
  ];
  // Notes about the SLO as a whole are given once, with the first objective.
  const once = j === 0;

  if (!indicatorDoc) {
    // A broken reference was already reported where it was written.
    if (once && objective.indicatorRef === undefined && slo.spec.indicatorRef === undefined && !notes.some((n) => n.code === 'reference'))
      error(['spec'], 'needs an SLI: spec.indicator (inline) or spec.indicatorRef (an SLI document)');
    return undefined;
  }
  const method = slo.spec.budgetingMethod;

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

  const sli = indicatorDoc.spec;
  const iAt: Path = [...indicatorAt, 'spec'];
  const spec: Record<string, unknown> = {};
  let indicator: Record<string, unknown>;
  let minEventsOff = false;
  if (sli.ratioMetric) {
    const r = sli.ratioMetric;
    const rAt = [...iAt, 'ratioMetric'];
    if (objective.op !== undefined || objective.value !== undefined) drop([...oAt, objective.op !== undefined ? 'op' : 'value'], 'op/value on a ratio objective');
    const counter = r.counter ?? false;
    const q = (name: 'good' | 'bad' | 'total' | 'raw'): QueryDoc | undefined => {
      const metric = r[name];
      return metric && query(metric.metricSource, [...rAt, name, 'metricSource'], counter && name !== 'raw', error, notes, index);
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
    } else if (method === 'RatioTimeslices') {
      // The mean of per-slice ratios: Σ slice error ratios / number of slices with data, as a ratio of two subqueries.
      const slice = sliceWindow(objective, oAt, error);
      if (!slice) return undefined;
      const combined = onePromqlSource(parts);
      if (!combined) {
        if (once) error(rAt, 'RatioTimeslices can only be imported when every query is PromQL on one Prometheus DataSource');
        return undefined;
      }
      const get = (k: string) => `(${combined.texts[k]!.replaceAll('$window', slice.window)})`;
      const onSource = (text: string) => (combined.source ? { source: combined.source, promql: text } : text);
      const sliceError = parts.good !== undefined ? `1 - ${get('good')} / ${get('total')}` : `${get('bad')} / ${get('total')}`;
      const sub = `(${sliceError})[$window:${slice.window}]`;
      indicator = { ratio: { bad: onSource(`sum(sum_over_time(${sub}))`), total: onSource(`sum(count_over_time(${sub}))`) } };
      from.push([['spec', 'indicator', 'ratio'], rAt]);
      minEventsOff = true;
      notes.push({
        severity: 'warning',
        code: 'import',
        path: ['spec', 'budgetingMethod'],
        key: true,
        message: `RatioTimeslices is imported as the mean of ${slice.window} slice ratios sampled by subqueries (aligned to evaluation time, not to the window's start): approximated`,
      });
      if (objective.timeSliceTarget !== undefined) drop([...oAt, 'timeSliceTarget'], 'timeSliceTarget with RatioTimeslices budgeting');
    } else {
      // Timeslices over a ratio: a slice is good when its own ratio meets timeSliceTarget.
      const slice = sliceWindow(objective, oAt, error);
      if (!slice) return undefined;
      const combined = onePromqlSource(parts);
      if (!combined) {
        if (once) error(rAt, 'Timeslices over a ratio can only be imported when every query is PromQL on one Prometheus DataSource');
        return undefined;
      }
      const get = (k: string) => `(${combined.texts[k]!.replaceAll('$window', slice.window)})`;
      const onSource = (text: string) => (combined.source ? { source: combined.source, promql: text } : text);
      const good = parts.good !== undefined;
      const target = objective.timeSliceTarget;
      if (target === undefined) {
        error(oAt, 'Timeslices over a ratio need timeSliceTarget');
        return undefined;
      }
      indicator = {
        threshold: good
          ? { query: onSource(`${get('good')} / ${get('total')}`), op: 'gte', value: target }
          : { query: onSource(`${get('bad')} / ${get('total')}`), op: 'lte', value: Number.parseFloat((1 - target).toPrecision(12)) },
      };
      spec.timeslice = slice.window;
      from.push([['spec', 'indicator', 'threshold'], rAt], [['spec', 'timeslice'], slice.at]);
    }
  } else if (sli.thresholdMetric) {
    const tAt = [...iAt, 'thresholdMetric', 'metricSource'];
    const metric = query(sli.thresholdMetric.metricSource, tAt, false, error, notes, index, false);
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
    labels[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
    if (Array.isArray(value) && once) notes.push({ severity: 'warning', code: 'import', path: ['metadata', 'labels', key], message: `a list label is imported as one comma-separated value "${labels[key]}"` });
    else if (typeof value !== 'string' && once)
      notes.push({ severity: 'warning', code: 'import', path: ['metadata', 'labels', key], message: `label value ${String(value)} is a ${typeof value}: imported as the string "${String(value)}" (quote it in YAML)` });
  }
  if (once) {
    if (slo.metadata.annotations) drop(['metadata', 'annotations'], 'metadata.annotations');
    if (slo.metadata.displayName !== undefined && slo.spec.description !== undefined) drop(['metadata', 'displayName'], 'metadata.displayName');
  }
  if (objective.compositeWeight !== undefined) drop([...oAt, 'compositeWeight'], 'compositeWeight');
  const description = slo.spec.description ?? slo.metadata.displayName;
  const suffix = several ? `-${slug(objective.name ?? objective.displayName ?? String(j + 1))}` : '';
  if (several) from.push([['metadata', 'name'], [...oAt, objective.name !== undefined ? 'name' : 'displayName']]);
  const alertingDoc: Record<string, unknown> = { ...alerting?.alerting };
  if (minEventsOff) alertingDoc.minEvents = 0;
  for (const entry of alerting?.from ?? []) from.push(entry);
  if (owner) from.push([['metadata', 'owner'], owner.at, owner.doc]);
  const value = {
    apiVersion: 'burnwatch/v1',
    kind: 'SLO',
    metadata: {
      name: `${slo.metadata.name}${suffix}`,
      service: slo.spec.service,
      ...(owner && { owner: owner.owner }),
      ...(Object.keys(labels).length > 0 && { labels }),
    },
    spec: {
      ...(description !== undefined && { description: several && objective.displayName ? `${description} (${objective.displayName})` : description }),
      objective: percent,
      window,
      indicator,
      ...spec,
      ...(Object.keys(alertingDoc).length > 0 && { alerting: alertingDoc }),
    },
  };
  return { value, from, origin: several ? oAt : [] };
}

/** The parts' PromQL texts when they all run on one Prometheus DataSource (undefined source: the default). */
function onePromqlSource(parts: Record<string, QueryDoc | undefined>): { source?: string; texts: Record<string, string> } | undefined {
  const texts: Record<string, string> = {};
  const sources = new Set<string | undefined>();
  for (const [k, p] of Object.entries(parts)) {
    const v = p!.value;
    if (typeof v === 'string') {
      texts[k] = v;
      sources.add(undefined);
    } else if (typeof v.promql === 'string') {
      texts[k] = v.promql;
      sources.add(v.source);
    } else return undefined;
  }
  if (sources.size !== 1) return undefined;
  const [source] = [...sources];
  return source === undefined ? { texts } : { source, texts };
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
  index: OpenSloIndex,
  ratio = true,
): QueryDoc | undefined {
  // A metricSourceRef names an OpenSLO DataSource: its type says the language.
  const refDoc = lookup(index, 'DataSource', source.metricSourceRef);
  const refType = refDoc === undefined ? undefined : dataSourceShape(index.records[refDoc]!.spec)?.type;
  const type = (source.type ?? refType ?? 'Prometheus').toLowerCase();
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
  // Sloth's dialect writes the window as a Go template.
  let text = slothWindow(String(source.spec[textKey]));
  const name = source.metricSourceRef?.toLowerCase().replace(/[^a-z0-9._-]+/g, '-') ?? (type === 'postgresql' ? 'postgres' : type);
  if (language === 'promql' && counter && !text.includes('$window')) text = counterToIncrease(text, [...at, 'spec', textKey], notes);
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

// OpenSLO comes in three dialects: `openslo/v1alpha` (the one Sloth reads: per-objective
// `ratioMetrics`, `timeWindows` with unit/count), `openslo/v1` and `openslo.com/v2alpha` (the Go SDK's:
// `sli`/`sliRef`, metrics with `dataSourceRef`). Each SLO is rewritten as one v1 SLO with its
// referenced SLIs inlined, plus a map from every rewritten field back to where it was written
// (which document of the set, which path), so messages point at the user's own lines.
import type { Path } from '../problem.ts';
import type { ImportNote } from './imported.ts';

export const OPENSLO_V1ALPHA = 'openslo/v1alpha';
export const OPENSLO_V1 = 'openslo/v1';
export const OPENSLO_V2ALPHA = 'openslo.com/v2alpha';
export const OPENSLO_API_VERSIONS = [OPENSLO_V1ALPHA, OPENSLO_V1, OPENSLO_V2ALPHA];

type Rec = Record<string, unknown>;

/** Virtual path prefix → (document, path); the longest prefix wins and the rest of the path is kept. */
export type VirtualMap = Array<{ at: Path; doc: number; to: Path }>;

export function resolveVirtual(map: VirtualMap, path: Path): { doc: number; path: Path } {
  let best: VirtualMap[number] | undefined;
  for (const entry of map)
    if (entry.at.length <= path.length && entry.at.every((s, i) => s === path[i]) && (!best || entry.at.length > best.at.length)) best = entry;
  if (!best) return { doc: 0, path };
  return { doc: best.doc, path: [...best.to, ...path.slice(best.at.length)] };
}

export interface OpenSloIndex {
  records: readonly Rec[];
  /** kind → name → document index. */
  byName: Map<string, Map<string, number>>;
}

export function indexOpenSlo(records: readonly Rec[]): OpenSloIndex {
  const byName = new Map<string, Map<string, number>>();
  records.forEach((r, i) => {
    const name = (r.metadata as Rec | undefined)?.name;
    if (typeof r.kind !== 'string' || typeof name !== 'string') return;
    if (!byName.has(r.kind)) byName.set(r.kind, new Map());
    const names = byName.get(r.kind)!;
    if (!names.has(name)) names.set(name, i);
  });
  return { records, byName };
}

export function lookup(index: OpenSloIndex, kind: string, name: unknown): number | undefined {
  return typeof name === 'string' ? index.byName.get(kind)?.get(name) : undefined;
}

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

const UNITS: Record<string, string> = { second: 's', minute: 'm', hour: 'h', day: 'd', week: 'w', month: 'M', quarter: 'Q', year: 'y' };

/**
 * One SLO document (index `self`) as a v1 SLO with every SLI inlined. Problems with references
 * (an `indicatorRef` to no SLI) are notes; the rewritten record is still returned when usable.
 */
export function toV1(index: OpenSloIndex, self: number, notes: ImportNote[]): { record: Rec; map: VirtualMap } {
  const source = structuredClone(index.records[self]!);
  const version = source.apiVersion;
  const map: VirtualMap = [{ at: [], doc: self, to: [] }];
  const spec = isRec(source.spec) ? source.spec : {};
  source.apiVersion = OPENSLO_V1;
  source.spec = spec;

  if (version === OPENSLO_V1ALPHA) {
    // Sloth reads v1alpha SLOs without budgetingMethod as events (its only kind).
    if (spec.budgetingMethod === undefined) {
      spec.budgetingMethod = 'Occurrences';
      map.push({ at: ['spec', 'budgetingMethod'], doc: self, to: ['spec'] });
    }
    if (Array.isArray(spec.timeWindows)) {
      spec.timeWindow = spec.timeWindows.map((w: unknown, k) => {
        map.push({ at: ['spec', 'timeWindow', k], doc: self, to: ['spec', 'timeWindows', k] });
        if (!isRec(w)) return w;
        const { unit, count, ...rest } = w;
        const letter = typeof unit === 'string' ? UNITS[unit.toLowerCase()] : undefined;
        map.push({ at: ['spec', 'timeWindow', k, 'duration'], doc: self, to: ['spec', 'timeWindows', k, unit === undefined ? 'count' : 'unit'] });
        return { ...rest, duration: letter && typeof count === 'number' ? `${count}${letter}` : `${String(count)} ${String(unit)}` };
      });
      delete spec.timeWindows;
    }
    if (isRec(spec.indicator) && isRec(spec.indicator.thresholdMetric)) {
      const metric = v1alphaMetric(spec.indicator.thresholdMetric, ['spec', 'indicator', 'spec', 'thresholdMetric', 'metricSource'], ['spec', 'indicator', 'thresholdMetric'], self, map, notes);
      spec.indicator = { spec: { thresholdMetric: { metricSource: metric } } };
      map.push({ at: ['spec', 'indicator', 'spec'], doc: self, to: ['spec', 'indicator'] });
    }
    if (Array.isArray(spec.objectives))
      spec.objectives.forEach((o: unknown, j) => {
        if (!isRec(o) || !isRec(o.ratioMetrics)) return;
        const { incremental, ...parts } = o.ratioMetrics;
        const ratio: Rec = {};
        if (incremental !== undefined) ratio.counter = incremental;
        map.push({ at: ['spec', 'objectives', j, 'indicator', 'spec', 'ratioMetric'], doc: self, to: ['spec', 'objectives', j, 'ratioMetrics'] });
        map.push({ at: ['spec', 'objectives', j, 'indicator', 'spec', 'ratioMetric', 'counter'], doc: self, to: ['spec', 'objectives', j, 'ratioMetrics', 'incremental'] });
        for (const [key, m] of Object.entries(parts)) {
          const at = ['spec', 'objectives', j, 'indicator', 'spec', 'ratioMetric', key];
          ratio[key] = isRec(m) ? { metricSource: v1alphaMetric(m, [...at, 'metricSource'], ['spec', 'objectives', j, 'ratioMetrics', key], self, map, notes) } : m;
          map.push({ at, doc: self, to: ['spec', 'objectives', j, 'ratioMetrics', key] });
        }
        o.indicator = { spec: { ratioMetric: ratio } };
        delete o.ratioMetrics;
      });
    return { record: source, map };
  }

  const v2 = version === OPENSLO_V2ALPHA;
  // The Go SDK's v2alpha names the service by reference.
  if (v2 && spec.service === undefined && spec.serviceRef !== undefined) {
    spec.service = spec.serviceRef;
    delete spec.serviceRef;
    map.push({ at: ['spec', 'service'], doc: self, to: ['spec', 'serviceRef'] });
  }
  const refKey = v2 ? 'sliRef' : 'indicatorRef';
  // Spec-level and per-objective SLIs, inline or referenced.
  const holders: Array<{ node: Rec; at: Path }> = [{ node: spec, at: ['spec'] }];
  if (Array.isArray(spec.objectives))
    spec.objectives.forEach((o: unknown, j) => {
      if (isRec(o)) holders.push({ node: o, at: ['spec', 'objectives', j] });
    });
  for (const { node, at } of holders) {
    if (node[refKey] !== undefined) {
      const ref = node[refKey];
      const doc = lookup(index, 'SLI', ref);
      if (doc === undefined) {
        notes.push({ severity: 'error', code: 'reference', path: [...at, refKey], message: `no OpenSLO SLI named ${JSON.stringify(ref)} in the files given${namesOf(index, 'SLI')}` });
      } else {
        const sli = index.records[doc]!;
        node.indicator = { metadata: sli.metadata, spec: structuredClone(sli.spec) };
        map.push({ at: [...at, 'indicator'], doc, to: [] });
        if (v2) v2Metrics(node.indicator as Rec, [...at, 'indicator'], doc, [], map);
      }
      delete node[refKey];
    } else if (v2 && node.sli !== undefined) {
      node.indicator = node.sli;
      delete node.sli;
      map.push({ at: [...at, 'indicator'], doc: self, to: [...at, 'sli'] });
      if (isRec(node.indicator)) v2Metrics(node.indicator, [...at, 'indicator'], self, [...at, 'sli'], map);
    }
  }
  return { record: source, map };
}

function namesOf(index: OpenSloIndex, kind: string): string {
  const names = [...(index.byName.get(kind)?.keys() ?? [])];
  return names.length > 0 ? ` (there are: ${names.join(', ')})` : '';
}

/** v1alpha `{source, queryType, query, metadata}` → v1 metricSource `{type, spec: {query}}`. */
function v1alphaMetric(m: Rec, at: Path, to: Path, self: number, map: VirtualMap, notes: ImportNote[]): Rec {
  const { source, queryType, query, metadata, ...rest } = m;
  map.push({ at, doc: self, to });
  map.push({ at: [...at, 'type'], doc: self, to: [...to, 'source'] });
  map.push({ at: [...at, 'spec', 'query'], doc: self, to: [...to, 'query'] });
  if (queryType !== undefined && !['promql', 'sql', 'query'].includes(String(queryType).toLowerCase()))
    notes.push({ severity: 'warning', code: 'import', path: [...to, 'queryType'], key: true, message: `queryType ${JSON.stringify(queryType)} is read as the query text of its source; burnwatch runs PromQL and SQL` });
  if (metadata !== undefined)
    notes.push({ severity: 'warning', code: 'import', path: [...to, 'metadata'], key: true, message: 'metric metadata cannot be expressed in burnwatch and is dropped' });
  return { ...rest, ...(source !== undefined && { type: source }), spec: { ...(query !== undefined && { query }) } };
}

/** v2alpha metrics `{dataSourceRef, dataSourceSpec, spec}` → v1 `{metricSource: {metricSourceRef, type, spec}}`. */
function v2Metrics(indicator: Rec, at: Path, doc: number, to: Path, map: VirtualMap): void {
  const spec = indicator.spec;
  if (!isRec(spec)) return;
  const convert = (m: unknown, mAt: Path, mTo: Path): unknown => {
    if (!isRec(m)) return m;
    const { dataSourceRef, dataSourceSpec, spec: body, ...rest } = m;
    map.push({ at: [...mAt, 'metricSource'], doc, to: mTo });
    map.push({ at: [...mAt, 'metricSource', 'metricSourceRef'], doc, to: [...mTo, 'dataSourceRef'] });
    map.push({ at: [...mAt, 'metricSource', 'type'], doc, to: [...mTo, 'dataSourceSpec', 'type'] });
    const type = isRec(dataSourceSpec) ? dataSourceSpec.type : undefined;
    return { metricSource: { ...rest, ...(dataSourceRef !== undefined && { metricSourceRef: dataSourceRef }), ...(type !== undefined && { type }), spec: body ?? {} } };
  };
  if (spec.thresholdMetric !== undefined) spec.thresholdMetric = convert(spec.thresholdMetric, [...at, 'spec', 'thresholdMetric'], [...to, 'spec', 'thresholdMetric']);
  if (isRec(spec.ratioMetric))
    for (const key of ['good', 'bad', 'total', 'raw'])
      if (spec.ratioMetric[key] !== undefined)
        spec.ratioMetric[key] = convert(spec.ratioMetric[key], [...at, 'spec', 'ratioMetric', key], [...to, 'spec', 'ratioMetric', key]);
}

// Query sharing across SLOs. Fleets define many SLOs of one shape that differ only in one label
// (`model="a"` vs `model="b"`). Their queries for a window are merged into one: the label's
// matcher becomes a regex over all values and every aggregation keeps the label, so Prometheus
// answers every SLO with one series each instead of one request each.
//
// A query is merged only when that is provably the same computation per SLO: every selector
// carries the label with one value, no vector matching modifiers (on/ignoring/group_*), only
// aggregations that keep a grouping label, and no functions that make series without it.
// Everything else is asked alone, exactly as written.
//
// Queries of one shape differ only in their string literals, so a query is split into the text
// between literals and the literals themselves; the shape (the text with every literal emptied)
// is parsed once and its analysis reused for every query of that shape.
import { parser } from '@prometheus-io/lezer-promql';
import { fillWindow, WINDOW_SLOT } from './window-slot.ts';

const MERGEABLE_AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar']);
const UNSAFE_FUNCTIONS = new Set(['vector', 'scalar', 'absent', 'absent_over_time', 'label_join', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc']);
const UNSAFE_NODES = new Set(['On', 'Ignoring', 'GroupLeft', 'GroupRight']);
const LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const EMPTY = '""';
const STAND_IN = '1s';

/** A query as the text around its string literals: segments[0] lit[0] segments[1] … lit[n-1] segments[n]. */
interface Split {
  segments: string[];
  literals: string[];
  /** The text with every literal emptied: equal for queries of one shape. */
  shape: string;
}

function split(query: string): Split {
  const segments: string[] = [];
  const literals: string[] = [];
  let last = 0;
  for (const m of query.matchAll(LITERAL)) {
    segments.push(query.slice(last, m.index));
    literals.push(m[0]);
    last = m.index + m[0].length;
  }
  segments.push(query.slice(last));
  return { segments, literals, shape: segments.join(EMPTY) };
}

/** What the parser says about a shape, in literal ordinals and shape-text positions. */
interface Analysis {
  /** Labels matched with `=` exactly once in every selector, and the ordinals of their literals. */
  candidates: Map<string, number[]>;
  /** Aggregations without a grouping: insert ` by (L)` at this shape position; with `by (…)`: `L, ` at the list start. */
  groupings: Array<{ at: number; by: boolean; labels: string[] }>;
  /** Literal ordinals of label_replace destinations (the merge label must not be rewritten). */
  replaceTargets: number[];
}

const analyses = new Map<string, Analysis | null>();
/** A small number per shape, so that templates do not repeat the (long) shape text. */
const shapeIds = new Map<string, number>();

function analyse(shape: string): Analysis | null {
  const cached = analyses.get(shape);
  if (cached !== undefined) return cached;
  // Ordinal of each literal by its start in the shape text.
  const ordinals = new Map<number, number>();
  for (let i = 0, at = shape.indexOf(EMPTY); at >= 0; i++, at = shape.indexOf(EMPTY, at + EMPTY.length)) ordinals.set(at, i);
  // Literals never contain `""` in the shape, but the text between them could (inside a comment): be strict.
  let unsafe = shape.includes('#');
  const selectors: Array<Map<string, number[]>> = [];
  const groupings: Analysis['groupings'] = [];
  const replaceTargets: number[] = [];
  const without = new Set<string>();
  // The parser sees a duration where the window goes: same length, so positions still match.
  parser.parse(shape.replaceAll(WINDOW_SLOT, STAND_IN)).iterate({
    enter(node) {
      if (node.type.isError || UNSAFE_NODES.has(node.name)) unsafe = true;
      if (node.name === 'FunctionIdentifier') {
        const name = shape.slice(node.from, node.to);
        if (UNSAFE_FUNCTIONS.has(name)) unsafe = true;
        if (name === 'label_replace') {
          const dst = node.node.nextSibling?.getChildren('StringLiteral')[0];
          if (dst) replaceTargets.push(ordinals.get(dst.from) ?? -1);
        }
      }
      if (node.name === 'VectorSelector') {
        const matchers = new Map<string, number[]>();
        for (const m of node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
          const name = m.getChild('LabelName');
          const lit = m.getChild('StringLiteral');
          if (!name || !lit || !m.getChild('MatchOp')?.getChild('EqlSingle')) continue;
          const label = shape.slice(name.from, name.to);
          matchers.set(label, [...(matchers.get(label) ?? []), ordinals.get(lit.from) ?? -1]);
        }
        selectors.push(matchers);
      }
      if (node.name === 'AggregateExpr') {
        const op = node.node.getChild('AggregateOp');
        if (!op || !MERGEABLE_AGGREGATIONS.has(shape.slice(op.from, op.to))) unsafe = true;
        const modifier = node.node.getChild('AggregateModifier');
        const grouping = modifier?.getChild('GroupingLabels');
        const labels = (grouping?.getChildren('LabelName') ?? []).map((l) => shape.slice(l.from, l.to));
        if (modifier?.getChild('Without')) for (const l of labels) without.add(l);
        else if (modifier && grouping) groupings.push({ at: grouping.from + 1, by: true, labels });
        else groupings.push({ at: op?.to ?? node.from, by: false, labels: [] });
      }
    },
  });
  let result: Analysis | null = null;
  if (!unsafe && selectors.length > 0) {
    const candidates = new Map<string, number[]>();
    for (const label of selectors[0]!.keys()) {
      if (without.has(label) || !selectors.every((s) => s.get(label)?.length === 1)) continue;
      const at = selectors.map((s) => s.get(label)![0]!);
      if (at.every((o) => o >= 0)) candidates.set(label, at);
    }
    if (candidates.size > 0) result = { candidates, groupings, replaceTargets };
  }
  analyses.set(shape, result);
  return result;
}

function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  if (literal.startsWith("'")) return JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
  return JSON.parse(literal);
}

/** One way to merge a query: its label and value, and the key shared by the queries it merges with. */
interface Option {
  label: string;
  value: string;
  template: string;
}

function optionsOf(s: Split, analysis: Analysis): Option[] {
  const out: Option[] = [];
  for (const [label, ordinals] of analysis.candidates) {
    const values = ordinals.map((o) => unquote(s.literals[o]!));
    if (!values.every((v) => v === values[0])) continue;
    if (analysis.replaceTargets.some((o) => o < 0 || unquote(s.literals[o]!) === label)) continue;
    const mine = new Set(ordinals);
    const others = s.literals.map((l, i) => (mine.has(i) ? '' : l)).join('\u0000');
    const id = shapeIds.get(s.shape) ?? shapeIds.size;
    shapeIds.set(s.shape, id);
    out.push({ label, value: values[0]!, template: `${label}\u0001${id}\u0001${others}` });
  }
  return out;
}

const RE2_SPECIAL = /[\\.+*?()|[\]{}^$]/g;

/** The merged query: the first member's text with the label matched by regex and kept by every aggregation. */
function mergedQuery(s: Split, analysis: Analysis, label: string, values: readonly string[]): string {
  const alternation = JSON.stringify([...new Set(values)].map((v) => v.replace(RE2_SPECIAL, '\\$&')).join('|'));
  const ordinals = new Set(analysis.candidates.get(label)!);
  const segments = [...s.segments];
  // `=` before each of the label's literals becomes `=~` (the operator ends the segment before it).
  for (const o of ordinals) segments[o] = segments[o]!.replace(/=(\s*)$/, '=~$1');
  // Shape positions lie in segments: segment i starts at its offset in the shape text.
  const starts: number[] = [];
  let offset = 0;
  for (const seg of s.segments) {
    starts.push(offset);
    offset += seg.length + EMPTY.length;
  }
  const inserts = analysis.groupings
    .filter((g) => !g.labels.includes(label))
    .map((g) => {
      let i = starts.length - 1;
      while (starts[i]! > g.at) i--;
      return { segment: i, at: g.at - starts[i]!, text: g.by ? `${label}, ` : ` by (${label})` };
    })
    .sort((a, b) => b.segment - a.segment || b.at - a.at);
  for (const ins of inserts) {
    const seg = segments[ins.segment]!;
    // An `=~` edit only changes the segment's end, after any aggregation position in it.
    segments[ins.segment] = seg.slice(0, ins.at) + ins.text + seg.slice(ins.at);
  }
  let out = segments[0]!;
  for (let i = 0; i < s.literals.length; i++) out += (ordinals.has(i) ? alternation : s.literals[i]!) + segments[i + 1]!;
  return out;
}

/** A plan: which queries are asked, and which original query reads which label value of which answer. */
export interface QueryPlan {
  queries: string[];
  /** For each original query (by index): the planned query and, when merged, the label and value to pick. */
  routes: Array<{ query: number; label?: string; value?: string }>;
}

/** Groups queries that differ only in one label's value; at most `maxBatch` values per merged query. */
export function planQueries(queries: readonly string[], maxBatch = 500): QueryPlan {
  return planFamilies(queries.map((text) => ({ text })), maxBatch);
}

/**
 * Queries of one text over several windows: `text` with WINDOW_SLOT filled by each of `windows`
 * (durations) in turn. Without `windows`, `text` is one query, asked as written.
 */
export interface QueryFamily {
  text: string;
  windows?: readonly string[];
}

/**
 * planQueries over families: each family is split and analysed once, whatever its number of
 * windows, and merged with the families of the same shape window by window. Routes are in family
 * order, each family's windows in turn.
 */
export function planFamilies(families: readonly QueryFamily[], maxBatch = 500): QueryPlan {
  const expand = (f: QueryFamily): readonly (string | undefined)[] => f.windows ?? [undefined];
  const fill = (text: string, window: string | undefined) => (window === undefined ? text : fillWindow(text, window));
  // Splits are dropped as soon as a family's options are known (a 10 000-SLO cycle has 10 000
  // families); the few that lead a merged group are split again below.
  const options = families.map((f) => {
    if (!f.windows && f.text.includes(WINDOW_SLOT)) return [];
    const s = split(f.text);
    // A slot inside a literal would make the label values differ by window.
    if (s.literals.some((l) => l.includes(WINDOW_SLOT))) return [];
    const analysis = analyse(s.shape);
    return analysis ? optionsOf(s, analysis) : [];
  });
  const popularity = new Map<string, number>();
  options.forEach((list, i) => {
    for (const o of list) popularity.set(o.template, (popularity.get(o.template) ?? 0) + expand(families[i]!).length);
  });

  const plan: QueryPlan = { queries: [], routes: [] };
  // By template, then window: the members that read one merged query.
  const groups = new Map<string, Map<string | undefined, Array<{ route: number; family: number; option: Option }>>>();
  options.forEach((list, index) => {
    const family = families[index]!;
    const windows = expand(family);
    // The label that merges this family with the most others.
    const best = list.reduce<Option | undefined>((a, o) => (a && popularity.get(a.template)! >= popularity.get(o.template)! ? a : o), undefined);
    if (!best || popularity.get(best.template)! < 2) {
      for (const w of windows) plan.routes.push({ query: plan.queries.push(fill(family.text, w)) - 1 });
      return;
    }
    const byWindow = groups.get(best.template) ?? new Map();
    if (byWindow.size === 0) groups.set(best.template, byWindow);
    for (const w of windows) {
      const members = byWindow.get(w) ?? [];
      if (members.length === 0) byWindow.set(w, members);
      members.push({ route: plan.routes.push({ query: -1 }) - 1, family: index, option: best });
    }
  });
  for (const byWindow of groups.values()) {
    for (const [w, members] of byWindow) {
      for (let i = 0; i < members.length; i += maxBatch) {
        const chunk = members.slice(i, i + maxBatch);
        const first = chunk[0]!;
        const family = families[first.family]!;
        if (chunk.length === 1) {
          plan.routes[first.route] = { query: plan.queries.push(fill(family.text, w)) - 1 };
          continue;
        }
        const s = split(family.text);
        const merged = mergedQuery(s, analyse(s.shape)!, first.option.label, chunk.map((m) => m.option.value));
        const at = plan.queries.push(fill(merged, w)) - 1;
        for (const m of chunk) plan.routes[m.route] = { query: at, label: m.option.label, value: m.option.value };
      }
    }
  }
  return plan;
}

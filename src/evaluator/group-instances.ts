// A grouped SLO (`spec.groupBy: [model]`) is one definition evaluated once per value of the
// labels: each value is an SLO of its own (id, budget, alerts, notifications), whose queries are
// the definition's with `model="<value>"` added to every selector. Instances of one definition
// differ only in that literal, which is exactly what query sharing (batch-queries.ts) merges back
// into one query per window.
import { parser } from '@prometheus-io/lezer-promql';
import { formatDuration } from '../domain/duration.ts';
import type { Indicator, QueryRef, Slo } from '../domain/slo.ts';

/** `$window` stand-ins of the same length, so parse positions are positions in the text. */
const STAND_INS: Array<[RegExp, string]> = [
  [/\$\{window\}/g, '99999999s'],
  [/\$window\b/g, '999999s'],
];

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The PromQL with `label="value"` matchers added to every series selector. */
export function withMatchers(text: string, values: Readonly<Record<string, string>>): string {
  let parsed = text;
  for (const [pattern, stand] of STAND_INS) parsed = parsed.replace(pattern, stand);
  const matchers = Object.entries(values)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(', ');
  const edits: Array<{ at: number; insert: string }> = [];
  parser.parse(parsed).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return undefined;
      const list = node.node.getChild('LabelMatchers');
      if (list) {
        const inside = parsed.slice(list.from + 1, list.to - 1).trim();
        edits.push({ at: list.to - 1, insert: inside === '' || inside.endsWith(',') ? matchers : `, ${matchers}` });
      } else edits.push({ at: node.to, insert: `{${matchers}}` });
      return false;
    },
  });
  let out = text;
  for (const { at, insert } of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + insert + out.slice(at);
  return out;
}

/** `hstu-ranker/availability[model=a]`: unique, readable, and stable for the alert state. */
export function instanceId(templateId: string, values: Readonly<Record<string, string>>): string {
  return `${templateId}[${Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}]`;
}

function rewrite(ref: QueryRef, values: Readonly<Record<string, string>>): QueryRef {
  return { ...ref, text: withMatchers(ref.text, values) };
}

function rewriteIndicator(ind: Indicator, values: Readonly<Record<string, string>>): Indicator {
  switch (ind.kind) {
    case 'ratio':
      return {
        kind: 'ratio',
        ...(ind.good && { good: rewrite(ind.good, values) }),
        ...(ind.bad && { bad: rewrite(ind.bad, values) }),
        total: rewrite(ind.total, values),
      };
    case 'latency': {
      const own = ind.selector.trim().replace(/^\{|\}$/g, '').trim();
      const added = Object.entries(values)
        .map(([k, v]) => `${k}=${quote(v)}`)
        .join(', ');
      return { ...ind, selector: own ? `${own}, ${added}` : added };
    }
    case 'throughput':
      return { ...ind, query: rewrite(ind.query, values), ...(ind.activeWhen && { activeWhen: rewrite(ind.activeWhen, values) }) };
    default:
      return { ...ind, query: rewrite(ind.query, values) };
  }
}

/** The SLO of one value of a grouped definition. */
export function instanceOf(template: Slo, values: Readonly<Record<string, string>>): Slo {
  const { groupBy: _, ...rest } = template;
  return {
    ...rest,
    id: instanceId(template.id, values),
    labels: { ...template.labels, ...values },
    indicator: rewriteIndicator(template.indicator, values),
    group: { of: template.id, values: { ...values } },
  };
}

/**
 * The query whose series name the values: the labels of the definition's event count (or its
 * slice query) over its longest alert window, so a value that had traffic in that window is kept.
 */
export function discoveryQuery(template: Slo): string {
  const labels = template.groupBy?.labels ?? [];
  const longest = Math.max(template.timesliceSeconds, ...template.alerting.tiers.map((t) => t.longSeconds), 3600);
  const w = formatDuration(longest);
  const ind = template.indicator;
  const at = (text: string) => text.replace(/\$\{window\}|\$window\b/g, ind.kind === 'ratio' ? w : formatDuration(template.timesliceSeconds));
  let inner: string;
  switch (ind.kind) {
    case 'ratio':
      inner = at(ind.total.text);
      break;
    case 'latency': {
      const sel = ind.selector.trim().replace(/^\{|\}$/g, '').trim();
      inner = `increase(${ind.metric}_count${sel ? `{${sel}}` : ''}[${w}])`;
      break;
    }
    default:
      inner = ind.kind === 'throughput' && ind.activeWhen ? at(ind.activeWhen.text) : at(ind.query.text);
  }
  return `group by (${labels.join(', ')}) (${inner})`;
}

/**
 * The SLO an id names: a defined one, or the instance of a grouped definition
 * (`service/name[model=a]`), rebuilt from the definition, for code that holds the defined SLOs
 * and receives an alert's id (Slack, post-mortems).
 */
export function resolveSlo(slos: readonly Slo[], id: string): Slo | undefined {
  const exact = slos.find((s) => s.id === id);
  if (exact || !id.endsWith(']')) return exact;
  const open = id.indexOf('[');
  const template = slos.find((s) => s.groupBy && s.id === id.slice(0, open));
  if (!template?.groupBy) return undefined;
  const inner = id.slice(open + 1, -1);
  const labels = template.groupBy.labels;
  const values: Record<string, string> = {};
  let rest = inner;
  for (let i = 0; i < labels.length; i++) {
    const head = `${labels[i]}=`;
    if (!rest.startsWith(head)) return undefined;
    rest = rest.slice(head.length);
    const next = i + 1 < labels.length ? rest.indexOf(`,${labels[i + 1]}=`) : rest.length;
    if (next < 0) return undefined;
    values[labels[i]!] = rest.slice(0, next);
    rest = rest.slice(next + 1);
  }
  return instanceOf(template, values);
}

// Whether a PromQL query keeps labels apart: `sum by (model) (…)` at its top gives one series per
// model. burnwatch sums each SLI query into one number, so a grouped query is either an SLO per
// value (groupBy) or a mistake; either way it must not be summed silently.
import { parser } from '@prometheus-io/lezer-promql';

/**
 * The labels the outermost aggregations group `by`, e.g. ["handler"] for
 * `sum by (handler) (rate(x[5m])) / sum by (handler) (rate(y[5m]))`. Empty when the query
 * aggregates everything (or groups `without`, which this cannot name).
 */
export function outerGroupBy(text: string): string[] {
  const query = text.replaceAll('$window', '5m').replace(/\{\{\s*\.window\s*\}\}/g, '5m');
  const tree = parser.parse(query);
  const labels = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.name !== 'AggregateExpr') return undefined;
      const modifier = node.node.getChild('AggregateModifier');
      if (modifier?.getChild('By')) {
        const grouping = modifier.getChild('GroupingLabels');
        for (const label of grouping?.getChildren('LabelName') ?? []) labels.add(query.slice(label.from, label.to));
      }
      // Only the outermost aggregation decides what the query returns.
      return false;
    },
  });
  return [...labels];
}

/**
 * The outermost aggregations of a query and the labels each keeps (`by`), or undefined for one
 * that names the labels it drops (`without`, which keeps any label not named).
 */
export function outerAggregations(text: string): Array<{ op: string; by?: string[]; without?: string[] }> {
  const query = text.replaceAll('$window', '5m').replace(/\$\{window\}/g, '5m');
  const out: Array<{ op: string; by?: string[]; without?: string[] }> = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.name !== 'AggregateExpr') return undefined;
      const op = node.node.getChild('AggregateOp');
      const modifier = node.node.getChild('AggregateModifier');
      const names = (modifier?.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map((l) => query.slice(l.from, l.to));
      const entry: { op: string; by?: string[]; without?: string[] } = { op: op ? query.slice(op.from, op.to) : '' };
      if (modifier?.getChild('Without')) entry.without = names;
      else entry.by = names;
      out.push(entry);
      return false;
    },
  });
  return out;
}

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

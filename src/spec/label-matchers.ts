// A latency SLI's `selector` is pasted between the braces of generated queries
// (`metric_bucket{le="0.15", <selector>}`), so it must be label matchers and nothing else:
// `a="b"} or up{c="d"`, an `offset`, an `@` or a trailing `# comment` would change the
// query. Parsed with Prometheus' own lezer grammar, then checked node by node.
import { parser } from '@prometheus-io/lezer-promql';

const ALLOWED = new Set(['PromQL', 'VectorSelector', 'Identifier', 'LabelMatchers', 'UnquotedLabelMatcher', 'LabelName', 'MatchOp', 'EqlSingle', 'Neq', 'EqlRegex', 'NeqRegex', 'StringLiteral']);
const DESCRIBE: Record<string, string> = {
  BinaryExpr: 'an operator joining another query',
  OffsetExpr: 'an offset',
  Offset: 'an offset',
  StepInvariantExpr: 'an @ modifier',
  At: 'an @ modifier',
  LineComment: 'a # comment',
  MatrixSelector: 'a range',
  SubqueryExpr: 'a subquery',
  QuotedLabelMatcher: 'a quoted label name',
};

/** Why `selector` (the text inside {…}) is not only label matchers; undefined when it is. */
export function labelMatchersProblem(selector: string): string | undefined {
  const query = `x{${selector}}`;
  const tree = parser.parse(query);
  let problem: string | undefined;
  let top = 0;
  tree.iterate({
    enter: (node) => {
      if (problem) return false;
      if (node.type.name === 'VectorSelector') top += 1;
      if (node.type.isError) problem = `unexpected ${JSON.stringify(query.slice(node.from, node.from + 12) || 'end')} at column ${Math.max(1, node.from - 1)}`;
      else if (!ALLOWED.has(node.type.name)) problem = `${DESCRIBE[node.type.name] ?? node.type.name} at column ${Math.max(1, node.from - 1)}: only label matchers (name="value", name!~"regex") are allowed`;
      else if (node.type.name === 'VectorSelector' && top > 1) problem = 'a second selector: only label matchers are allowed';
      else if (node.type.name === 'Identifier' && node.from !== 0) problem = 'a metric name inside the selector: only label matchers are allowed';
      return undefined;
    },
  });
  if (problem) return problem;
  for (const m of selector.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~)\s*"((?:[^"\\]|\\.)*)"/g)) {
    try {
      new RegExp(JSON.parse(`"${m[3]}"`));
    } catch {
      return `the regular expression of ${m[1]} does not compile`;
    }
  }
  return undefined;
}

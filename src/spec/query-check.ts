// Offline checks of query text: PromQL through Prometheus' own lezer grammar, SQL parameters by name.
import { parser } from '@prometheus-io/lezer-promql';
import { didYouMean } from './suggest.ts';

/** The range every `$window` stands for while parsing; any valid duration would do. */
const WINDOW_FOR_PARSING = '5m';

/** Undefined when the query parses; else a message with the line:column inside the query. */
export function promqlError(text: string): string | undefined {
  const query = text.replaceAll('$window', WINDOW_FOR_PARSING);
  if (query.trim() === '') return 'the query is empty';
  const tree = parser.parse(query);
  let at: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (at !== undefined) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  if (at === undefined) return undefined;
  // Report positions in the text as written (before $window was replaced).
  const original = toOriginalOffset(text, at);
  const { line, column } = lineColumn(text, original);
  const rest = text.slice(original).trimStart();
  const what = rest === '' ? 'unexpected end of query' : `unexpected ${JSON.stringify(rest.slice(0, 12).split(/\s/)[0])}`;
  const fn = /([a-zA-Z_][a-zA-Z0-9_]*)\s*$/.exec(text.slice(0, original));
  const hint = rest.startsWith('(') && fn ? ` (is "${fn[1]}" a PromQL function?)` : '';
  return `PromQL syntax error at ${line}:${column} of the query: ${what}${hint}\n    ${excerpt(text, original)}`;
}

function toOriginalOffset(text: string, parsedOffset: number): number {
  const grow = '$window'.length - WINDOW_FOR_PARSING.length;
  let shift = 0;
  let from = 0;
  for (;;) {
    const i = text.indexOf('$window', from);
    if (i === -1 || i - shift >= parsedOffset) break;
    shift += grow;
    from = i + 1;
  }
  return Math.min(text.length, parsedOffset + shift);
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

function excerpt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  return `${line}\n    ${' '.repeat(offset - lineStart)}^`;
}

/** Named parameters burnwatch binds in every SQL query (see README, "SQL queries"). */
export const SQL_PARAMETERS = ['start', 'end', 'window_seconds', 'bucket_seconds'] as const;

/** Unknown `@name` parameters (BigQuery's `@@system` variables and quoted text are ignored). */
export function sqlErrors(text: string): string[] {
  const unquoted = text.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`[^`]*`|--[^\n]*/g, (m) => ' '.repeat(m.length));
  const errors: string[] = [];
  for (const match of unquoted.matchAll(/(?<![@\w])@([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = match[1]!;
    if (!(SQL_PARAMETERS as readonly string[]).includes(name))
      errors.push(
        `unknown SQL parameter @${name}${didYouMean(name, SQL_PARAMETERS)}: burnwatch binds ${SQL_PARAMETERS.map((p) => `@${p}`).join(', ')}`,
      );
  }
  return [...new Set(errors)];
}

// Whether an SLI's SQL is a read, by its first keyword (after comments and parentheses).
// It is the cheap first check; the databases have the last word: PostgreSQL runs every SLI
// statement in a READ ONLY transaction, BigQuery's dry run names the statement type.
const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);

export function firstKeyword(sql: string): string {
  let rest = sql;
  for (;;) {
    const before = rest;
    rest = rest.replace(/^\s+/, '').replace(/^--[^\n]*(\n|$)/, '').replace(/^\/\*[\s\S]*?\*\//, '').replace(/^\(/, '');
    if (rest === before) break;
  }
  return /^[A-Za-z_]+/.exec(rest)?.[0]?.toUpperCase() ?? '';
}

/** Undefined when `sql` reads; otherwise why it is refused. */
export function readOnlyProblem(sql: string): string | undefined {
  const keyword = firstKeyword(sql);
  if (READ_KEYWORDS.has(keyword)) return undefined;
  return `an SLI query must be a read (SELECT or WITH … SELECT), not ${keyword ? `a ${keyword} statement` : 'this statement'}`;
}

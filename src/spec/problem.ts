// A problem found in a spec: where it is (file:line:col and field path) and what to do about it.
// Errors make a document invalid; warnings are advice and never fail `validate`.

export type ProblemSeverity = 'error' | 'warning';

export type ProblemCode =
  | 'file' // a path that cannot be read
  | 'yaml' // YAML syntax
  | 'format' // not a document burnwatch understands (apiVersion/kind)
  | 'schema' // a field's value or type
  | 'unknown-field'
  | 'env' // ${VAR} expansion
  | 'reference' // a DataSource, runbook or template that does not exist
  | 'promql'
  | 'sql'
  | 'duplicate'
  | 'low-traffic'
  | 'cost' // a warehouse setting that makes every query fail or cost more than it must
  | 'source' // validate --check-sources: a query its DataSource refuses, or one that scans too much
  | 'import'; // something a Sloth / OpenSLO document says that burnwatch cannot express

export interface Problem {
  severity: ProblemSeverity;
  code: ProblemCode;
  file: string;
  line: number;
  column: number;
  /** Field path inside the document, `spec.alerting.tiers[0].long`; empty for the document itself. */
  path: string;
  message: string;
}

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** `slos/ranker.yaml:14:7 spec.objective: must be below 100, got 100` (warnings say so after the path). */
export function formatProblem(problem: Problem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  const field = problem.path === '' ? '' : ` ${problem.path}:`;
  const level = problem.severity === 'warning' ? ' warning:' : '';
  return `${where}${field}${level} ${problem.message}`;
}

export function byPosition(a: Problem, b: Problem): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

/** Quote a value the way it was written, for "got …" in messages (credentials in URLs masked). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.replace(/(\/\/[^/@\s:]*):[^/@\s]*@/g, '$1:***@'));
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

// The spec loader: files and directories of YAML → the domain model, with every problem located
// at file:line:col and a field path. One bad document never hides the others; valid SLOs load.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { DataSourceSpec, Slo } from '../domain/slo.ts';
import { maximumBytesBilledWarning } from './bigquery-billing.ts';
import { loadBudgetPolicies } from './budget-policies.ts';
import { type EnvIssue, expandEnv } from './env.ts';
import { type ImportResult, mapPath } from './import/imported.ts';
import { importOpenSlo, isOpenSlo } from './import/openslo.ts';
import { importSloth, isSloth } from './import/sloth.ts';
import { checkQueriesOf, implicitPrometheus, normalizeDataSource, normalizeSlo } from './normalize.ts';
import { type Locator, yamlLocator } from './positions.ts';
import { byPosition, formatPath, type Path, type Problem, type ProblemCode, type ProblemSeverity } from './problem.ts';
import { API_VERSION, DataSourceDoc, SloDoc } from './schema.ts';
import { didYouMean } from './suggest.ts';
import { describeIssues } from './zod-problems.ts';

export interface LoadOptions {
  /** Environment for `${VAR}` expansion and the default Prometheus URL (default: process.env). */
  env?: Record<string, string | undefined>;
  /** The repository root: relative spec paths, runbooks and templates resolve against it (default: process.cwd()). */
  cwd?: string;
  /** Expand `${VAR}` (default true; `convert` keeps them as written). */
  expandEnv?: boolean;
}

export interface LoadResult {
  slos: Slo[];
  sources: DataSourceSpec[];
  problems: Problem[];
  /** Error-budget policies (`kind: BudgetPolicy`). */
  policies?: BudgetPolicy[];
}

export interface SpecText {
  /** The name messages use (relative to cwd when inside it). */
  file: string;
  text: string;
}

export type DocumentFormat = 'burnwatch' | 'sloth' | 'openslo';

/** One burnwatch/v1 document, written natively or produced by an importer. */
export interface Candidate {
  kind: 'SLO' | 'DataSource' | 'BudgetPolicy';
  value: unknown;
  file: string;
  format: DocumentFormat;
  locate: Locator;
  /** How a field path is shown: imported documents show the field the source file wrote. */
  showPath: (path: Path) => string;
  line: number;
  /** Already reported as broken (e.g. an unset variable): declared, but not usable. */
  broken?: boolean;
  /** Import notes that belong to this document (for `convert`). */
  notes?: Problem[];
}

/** Load every SLO and DataSource under the given files and directories (recursively *.yaml / *.yml). */
export async function loadSpecs(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const { texts, problems } = await readSpecFiles(paths, cwd);
  const result = loadSpecTexts(texts, options);
  return { ...result, problems: [...problems, ...result.problems].sort(byPosition) };
}

/** The YAML files a set of paths names, in a stable order, with problems for paths that cannot be read. */
export async function readSpecFiles(paths: readonly string[], cwd: string): Promise<{ texts: SpecText[]; problems: Problem[] }> {
  const texts: SpecText[] = [];
  const problems: Problem[] = [];
  const display = (abs: string) => {
    const rel = path.relative(cwd, abs);
    return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
  };
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const out: string[] = [];
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) out.push(...(await walk(full)));
      else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
    }
    return out;
  };
  const seen = new Set<string>();
  for (const given of paths) {
    const abs = path.resolve(cwd, given);
    let files: string[];
    try {
      files = (await stat(abs)).isDirectory() ? await walk(abs) : [abs];
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
      problems.push({ severity: 'error', code: 'file', file: display(abs), line: 1, column: 1, path: '', message: reason });
      continue;
    }
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      try {
        texts.push({ file: display(file), text: await readFile(file, 'utf8') });
      } catch (error) {
        problems.push({ severity: 'error', code: 'file', file: display(file), line: 1, column: 1, path: '', message: (error as Error).message });
      }
    }
  }
  return { texts, problems };
}

/** The pure part of the loader: texts in, domain model and problems out. */
export function loadSpecTexts(texts: readonly SpecText[], options: LoadOptions & { fileExists?: (p: string) => boolean } = {}): LoadResult {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fileExists = options.fileExists ?? ((p: string) => existsSync(path.resolve(cwd, p)));
  const { candidates, problems } = readCandidates(texts, options);
  const report = (c: Candidate, severity: ProblemSeverity, code: ProblemCode, p: Path, message: string, key = false) => {
    const { line, column } = c.locate(p, { key });
    problems.push({ severity, code, file: c.file, line, column, path: c.showPath(p), message });
  };

  // DataSources first: SLOs refer to them by name, across files.
  const sources = new Map<string, DataSourceSpec>();
  const brokenSources = new Set<string>();
  const declaredAt = new Map<string, string>();
  for (const c of candidates.filter((c) => c.kind === 'DataSource')) {
    const parsed = c.broken ? undefined : parseStrict(DataSourceDoc, c, report);
    const name = (c.value as { metadata?: { name?: unknown } })?.metadata?.name;
    if (!parsed) {
      if (typeof name === 'string') brokenSources.add(name);
      continue;
    }
    const previous = declaredAt.get(parsed.metadata.name);
    if (previous) {
      report(c, 'error', 'duplicate', ['metadata', 'name'], `DataSource "${parsed.metadata.name}" is already declared at ${previous}`);
      continue;
    }
    const { line, column } = c.locate(['metadata', 'name']);
    declaredAt.set(parsed.metadata.name, `${c.file}:${line}:${column}`);
    const spec = normalizeDataSource(parsed);
    if (spec.type === 'bigquery') {
      const capped = maximumBytesBilledWarning(spec.maximumBytesBilled, parsed.spec.bigquery?.maximumBytesBilled);
      if (capped) report(c, 'warning', 'cost', capped.path, capped.message);
    }
    sources.set(parsed.metadata.name, spec);
  }
  if (!sources.has('prometheus') && !brokenSources.has('prometheus')) sources.set('prometheus', implicitPrometheus(env));

  const slos: Slo[] = [];
  const idAt = new Map<string, string>();
  for (const c of candidates.filter((c) => c.kind === 'SLO')) {
    if (c.broken) continue;
    const issuePaths: Path[] = [];
    const parsed = parseStrict(SloDoc, c, report, issuePaths);
    const context = {
      report: (severity: ProblemSeverity, code: ProblemCode, p: Path, message: string) => report(c, severity, code, p, message),
      sources,
      brokenSources,
      fileExists,
      origin: { file: c.file, line: c.line },
    };
    if (!parsed) {
      // Still check the queries that are well-formed: one round of `validate` shows every problem.
      checkQueriesOf(c.value, context, (p) => issuePaths.some((q) => overlaps(p, q)));
      continue;
    }
    const slo = normalizeSlo(parsed, context);
    const id = `${parsed.metadata.service}/${parsed.metadata.name}`;
    const previous = idAt.get(id);
    if (previous) {
      report(c, 'error', 'duplicate', ['metadata', 'name'], `SLO id "${id}" (service/name) is already used at ${previous}; ids must be unique`);
      continue;
    }
    const { line, column } = c.locate(['metadata', 'name']);
    idAt.set(id, `${c.file}:${line}:${column}`);
    if (slo) slos.push(slo);
  }
  const policies = loadBudgetPolicies(candidates.filter((c) => c.kind === 'BudgetPolicy' && !c.broken), slos, (c, p, message) => report(c, 'error', 'schema', p, message), (schema, c) => parseStrict(schema, c, report));
  return { slos, sources: [...sources.values()], problems: problems.sort(byPosition), policies };
}

function parseStrict<T extends z.ZodType>(
  schema: T,
  c: Candidate,
  report: (c: Candidate, severity: ProblemSeverity, code: ProblemCode, p: Path, message: string, key?: boolean) => void,
  issuePaths: Path[] = [],
): z.infer<T> | undefined {
  const result = schema.safeParse(c.value, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of describeIssues(result.error.issues, schema)) {
    report(c, 'error', issue.unknownField ? 'unknown-field' : 'schema', issue.path, issue.message, issue.key);
    issuePaths.push(issue.unknownField ? issue.path.slice(0, -1) : issue.path);
  }
  return undefined;
}

/** Whether one path is inside the other (either way). */
function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

const NATIVE_KINDS = ['SLO', 'DataSource', 'BudgetPolicy'] as const;
const KNOWN_API_VERSIONS = [API_VERSION, 'sloth.slok.dev/v1', 'openslo/v1'];

/** Parse YAML, expand the environment, recognise the format and run importers. */
export function readCandidates(texts: readonly SpecText[], options: LoadOptions = {}): { candidates: Candidate[]; problems: Problem[] } {
  const env = options.env ?? process.env;
  const candidates: Candidate[] = [];
  const problems: Problem[] = [];
  for (const { file, text } of texts) {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [];
    for (const doc of list) {
      const at = (offset: number) => lines.linePos(offset);
      for (const e of [...doc.errors, ...doc.warnings]) {
        const { line, col } = at(e.pos[0]);
        problems.push({
          severity: e.name === 'YAMLWarning' ? 'warning' : 'error',
          code: 'yaml',
          file,
          line,
          column: col,
          path: '',
          message: `YAML: ${e.message.split('\n')[0]}`,
        });
      }
      if (doc.errors.length > 0 || doc.contents === null) continue;
      const locate = yamlLocator(doc, lines);
      const problem = (severity: ProblemSeverity, code: ProblemCode, p: Path, message: string, key = false) => {
        const { line, column } = locate(p, { key });
        problems.push({ severity, code, file, line, column, path: formatPath(p), message });
      };
      let raw: unknown;
      try {
        raw = doc.toJS({ maxAliasCount: 1000 });
      } catch (error) {
        // e.g. an alias to an anchor of another document (anchors do not cross `---`).
        problem('error', 'yaml', [], `YAML: ${(error as Error).message}`);
        continue;
      }
      let value = raw;
      let broken = false;
      if (options.expandEnv !== false) {
        const issues: EnvIssue[] = [];
        value = expandEnv(raw, env, issues);
        for (const issue of issues) problem('error', 'env', issue.path, issue.message);
        broken = issues.length > 0;
      }
      const startLine = locate([]).line;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problem('error', 'format', [], 'expected a mapping with apiVersion and kind (or a Sloth file with version: prometheus/v1)');
        continue;
      }
      const record = value as Record<string, unknown>;
      let imported: ImportResult | undefined;
      if (isSloth(record)) imported = importSloth(record);
      else if (isOpenSlo(record)) imported = importOpenSlo(record);
      if (imported && broken) continue;
      if (imported) {
        const before = problems.length;
        for (const note of imported.notes) problem(note.severity, note.code, note.path, note.message, note.key);
        const notes = problems.slice(before);
        for (const d of imported.docs) {
          const sourceLocate: Locator = (p, o) => locate(mapPath(d.from, p), o);
          const showPath = (p: Path) => {
            const exact = d.from.find(([native]) => native.length === p.length && native.every((s, i) => s === p[i]));
            return exact ? formatPath(exact[1]) : `${formatPath(mapPath(d.from, p))} (burnwatch ${formatPath(p)})`;
          };
          candidates.push({ kind: 'SLO', value: d.value, file, format: imported.format, locate: sourceLocate, showPath, line: locate(d.origin).line, notes });
        }
        continue;
      }
      if (record.apiVersion !== API_VERSION) {
        const given = record.apiVersion;
        if (given === undefined) problem('error', 'format', [], `needs apiVersion: ${API_VERSION} (or a Sloth / OpenSLO document)`);
        else
          problem(
            'error',
            'format',
            ['apiVersion'],
            `unknown apiVersion ${JSON.stringify(given)}${typeof given === 'string' ? didYouMean(given, KNOWN_API_VERSIONS) : ''}; burnwatch reads ${KNOWN_API_VERSIONS.join(', ')} and Sloth's version: prometheus/v1`,
          );
        continue;
      }
      const kind = record.kind;
      if (kind !== 'SLO' && kind !== 'DataSource' && kind !== 'BudgetPolicy') {
        problem(
          'error',
          'format',
          kind === undefined ? [] : ['kind'],
          kind === undefined
            ? 'needs kind: SLO, DataSource or BudgetPolicy'
            : `unknown kind ${JSON.stringify(kind)}${typeof kind === 'string' ? didYouMean(kind, NATIVE_KINDS) : ''}; expected SLO, DataSource or BudgetPolicy`,
        );
        continue;
      }
      candidates.push({ kind, value, file, format: 'burnwatch', locate, showPath: formatPath, line: startLine, ...(broken && { broken }) });
    }
  }
  return { candidates, problems };
}

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
import { type EnvIssue, expandEnv, expandsEnvironment } from './env.ts';
import { fileReferenceProblem, realFiles } from './file-reference.ts';
import { nestingProblem, specSizeProblem } from './text-bounds.ts';
import { redact } from '../secrets/redact.ts';
import { type AlertWindowsTable, isAlertWindows } from './import/alert-windows.ts';
import { type ImportFormat, type ImportResult, mapPath, mapPathIn } from './import/imported.ts';
import { looksLike } from './import/looks-like.ts';
import { importOpenSloSet, isOpenSlo, OPENSLO_API_VERSIONS } from './import/openslo.ts';
import { importPyrra, isPyrra, PYRRA_API_VERSION } from './import/pyrra.ts';
import { loadBudgetPolicies } from './budget-policies.ts';
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
  /** Sloth AlertWindows tables (`--windows`): the default tiers of SLOs with that period. */
  windows?: readonly AlertWindowsTable[];
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

export type DocumentFormat = 'burnwatch' | ImportFormat;

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
  /** A native DataSource whose variables are not set: declared, never contacted (its SLOs are unknown with this reason). */
  notConfigured?: string;
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
        // Refused before it is read: a huge file would cost seconds and gigabytes to parse.
        const tooBig = specSizeProblem((await stat(file)).size);
        if (tooBig) {
          problems.push({ severity: 'error', code: 'file', file: display(file), line: 1, column: 1, path: '', message: tooBig });
          continue;
        }
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
    const { line, column, file } = c.locate(p, { key });
    // A value that came from the environment (a header, a URL's password) is never echoed.
    problems.push({ severity, code, file: file ?? c.file, line, column, path: c.showPath(p), message: redact(message) });
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
    if (c.notConfigured) spec.notConfigured = c.notConfigured;
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
      // A template given as a link is accepted (as before) but never read: the bot falls back to the default.
      fileProblem: (ref: string) =>
        fileReferenceProblem(ref, cwd, {
          allowLinks: true,
          files: options.fileExists ? { exists: (p) => fileExists(path.relative(cwd, p)), realpath: (p) => p } : realFiles,
        }),
      origin: { file: c.file, line: c.line },
      ...(options.windows && { windows: options.windows }),
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
const KNOWN_API_VERSIONS = [API_VERSION, 'sloth.slok.dev/v1', ...OPENSLO_API_VERSIONS, PYRRA_API_VERSION];

/** A document as written: where it is, for messages. */
interface Written {
  file: string;
  locate: Locator;
}

/**
 * The documents of one YAML document: itself, or the items of a top-level list (the OpenSLO SDK's
 * and CLI's form) or of a Kubernetes `kind: List`, each with the path it has inside the YAML document.
 */
function documentsOf(raw: unknown): Array<{ value: unknown; at: Path }> {
  if (Array.isArray(raw)) return raw.map((value, i) => ({ value, at: [i] }));
  const record = raw as Record<string, unknown> | null;
  if (record !== null && typeof record === 'object' && record.kind === 'List' && Array.isArray(record.items))
    return record.items.map((value, i) => ({ value, at: ['items', i] }));
  return [{ value: raw, at: [] }];
}

/** Whether `${VAR}` is expanded at `p` of a file's YAML (a document, a list item, a List's item). */
function expandsInDocument(raw: unknown, p: Path): boolean {
  for (const item of documentsOf(raw)) if (startsWith(p, item.at)) return expandsEnvironment(item.value, p.slice(item.at.length));
  return false;
}

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/** Parse YAML, expand the environment, recognise the format and run importers. */
export function readCandidates(texts: readonly SpecText[], options: LoadOptions = {}): { candidates: Candidate[]; problems: Problem[] } {
  const env = options.env ?? process.env;
  const candidates: Candidate[] = [];
  const problems: Problem[] = [];
  // OpenSLO documents are imported together: an SLO refers to SLIs, DataSources and AlertPolicies by name.
  const openslo: Array<Written & { record: Record<string, unknown>; broken: boolean }> = [];

  /** The candidates and notes of one import; `set` are the documents note and path indexes refer to. */
  const emit = (imported: ImportResult, self: Written, set: readonly Written[] = []) => {
    const place = (doc: number | undefined, p: Path, o?: { key?: boolean }) => {
      const written = doc === undefined ? self : (set[doc] ?? self);
      const position = written.locate(p, o);
      return { ...position, file: position.file ?? written.file };
    };
    const before = problems.length;
    for (const note of imported.notes) {
      const { line, column, file } = place(note.doc, note.path, { key: note.key ?? false });
      problems.push({ severity: note.severity, code: note.code, file, line, column, path: formatPath(note.path), message: redact(note.message) });
    }
    const notes = problems.slice(before);
    for (const d of imported.docs) {
      const sourceLocate: Locator = (p, o) => {
        const { path: sp, doc } = mapPathIn(d.from, p);
        return place(doc, sp, o);
      };
      const showPath = (p: Path) => {
        const exact = d.from.find(([native]) => native.length === p.length && native.every((s, i) => s === p[i]));
        return exact ? formatPath(exact[1]) : `${formatPath(mapPath(d.from, p))} (burnwatch ${formatPath(p)})`;
      };
      candidates.push({
        kind: d.kind ?? 'SLO',
        value: d.value,
        file: self.file,
        format: imported.format,
        locate: sourceLocate,
        showPath,
        line: sourceLocate([]).line,
        notes,
      });
    }
  };

  for (const { file, text } of texts) {
    const bound = specSizeProblem(Buffer.byteLength(text, 'utf8'));
    const deep = bound ? undefined : nestingProblem(text);
    if (bound || deep) {
      problems.push({ severity: 'error', code: 'file', file, line: deep?.line ?? 1, column: deep?.column ?? 1, path: '', message: (bound ?? deep?.message)! });
      continue;
    }
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
      const yamlLocate = yamlLocator(doc, lines);
      let raw: unknown;
      try {
        raw = doc.toJS({ maxAliasCount: 1000 });
      } catch (error) {
        // e.g. an alias to an anchor of another document (anchors do not cross `---`).
        const { line, column } = yamlLocate([]);
        problems.push({ severity: 'error', code: 'yaml', file, line, column, path: '', message: `YAML: ${(error as Error).message}` });
        continue;
      }
      let expanded = raw;
      const issues: EnvIssue[] = [];
      if (options.expandEnv !== false) expanded = expandEnv(raw, env, issues, [], (p) => expandsInDocument(raw, p));
      for (const item of documentsOf(expanded)) {
        const locate: Locator = item.at.length === 0 ? yamlLocate : (p, o) => yamlLocate([...item.at, ...p], o);
        const problem = (severity: ProblemSeverity, code: ProblemCode, p: Path, message: string, key = false) => {
          const { line, column } = locate(p, { key });
          problems.push({ severity, code, file, line, column, path: formatPath(p), message: redact(message) });
        };
        let own = issues.filter((issue) => startsWith(issue.path, item.at));
        const value = item.value;
        // A native DataSource whose only trouble is unset variables is "not configured", not broken:
        // its SLOs are unknown with the reason and everything else keeps evaluating (the examples in
        // slos/ name variables with no default, so a laptop never queries a real warehouse).
        const notConfigured = notConfiguredReason(value, own);
        if (notConfigured) {
          for (const issue of own) {
            const at = issue.path.slice(item.at.length);
            placeholder(value, at);
            problem('warning', 'env', at, `DataSource not configured: environment variable ${issue.unset} is not set (set it, or give a default: \${${issue.unset}:-value}); its SLOs are unknown until it is`);
          }
          own = [];
        }
        for (const issue of own) problem('error', 'env', issue.path.slice(item.at.length), issue.message);
        const broken = own.length > 0;
        const startLine = locate([]).line;
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          problem('error', 'format', [], 'expected a mapping with apiVersion and kind (or a Sloth file with version: prometheus/v1)');
          continue;
        }
        const record = value as Record<string, unknown>;
        if (isAlertWindows(record)) {
          problem('warning', 'format', ['kind'], 'a Sloth AlertWindows file is a tier table, not an SLO: ignored here; give it to generate / backtest with --windows');
          continue;
        }
        if (isOpenSlo(record)) {
          openslo.push({ file, locate, record, broken });
          continue;
        }
        let imported: ImportResult | undefined;
        if (isSloth(record)) imported = importSloth(record, options.windows);
        else if (isPyrra(record)) imported = importPyrra(record);
        if (imported && broken) continue;
        if (imported) {
          emit(imported, { file, locate });
          continue;
        }
        if (record.apiVersion !== API_VERSION) {
          const given = record.apiVersion;
          const looks = looksLike(record);
          if (looks) problem('error', 'format', given === undefined ? [] : ['apiVersion'], looks);
          else if (given === undefined) problem('error', 'format', [], `needs apiVersion: ${API_VERSION} (or a Sloth / OpenSLO / Pyrra document)`);
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
        candidates.push({ kind, value, file, format: 'burnwatch', locate, showPath: formatPath, line: startLine, ...(broken && { broken }), ...(notConfigured && { notConfigured }) });
      }
    }
  }

  if (openslo.length > 0) {
    const usable = openslo.filter((d) => !d.broken);
    for (const result of importOpenSloSet(usable.map((d) => d.record))) emit(result, usable[result.doc]!, usable);
  }
  return { candidates, problems };
}

/** "BURNWATCH_BQ_PROJECT is not set": a native DataSource whose only env issues are unset variables. */
function notConfiguredReason(value: unknown, issues: readonly EnvIssue[]): string | undefined {
  const record = value as Record<string, unknown> | null;
  if (record === null || typeof record !== 'object' || record.apiVersion !== API_VERSION || record.kind !== 'DataSource') return undefined;
  if (issues.length === 0 || issues.some((i) => i.unset === undefined)) return undefined;
  const names = [...new Set(issues.map((i) => i.unset!))];
  return `not configured: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not set`;
}

/**
 * Puts a value the schema accepts where an unset variable was, so the rest of the DataSource is
 * still validated. The source is never built from it (`notConfigured`), and `.invalid` never resolves.
 */
function placeholder(doc: unknown, p: Path): void {
  let node = doc as Record<string | number, unknown>;
  for (const key of p.slice(0, -1)) {
    const next = node?.[key];
    if (next === null || typeof next !== 'object') return;
    node = next as Record<string | number, unknown>;
  }
  const field = p.at(-1)!;
  const type = p[1];
  node[field] =
    field === 'url'
      ? type === 'postgres'
        ? 'postgres://not-configured.invalid/'
        : 'http://not-configured.invalid'
      : field === 'apiEndpoint'
        ? 'http://not-configured.invalid'
        : field === 'location'
          ? 'US'
          : 'not-configured';
}

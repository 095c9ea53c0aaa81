// What an importer (Sloth, OpenSLO) hands back: burnwatch/v1 documents as plain data, with a
// map from their fields to where the source document wrote them (so messages point there).
import type { z } from 'zod';
import type { Path, ProblemCode, ProblemSeverity } from '../problem.ts';
import { describeIssues } from '../zod-problems.ts';

/**
 * Native path prefix → source path (and, when the field was written in another document of the
 * set, that document's index: an OpenSLO SLI or AlertPolicy an SLO refers to).
 */
export type PathMap = Array<[Path, Path] | [Path, Path, number]>;

export interface ImportedDoc {
  /** A burnwatch/v1 document (SLO unless said), as if it had been written natively. */
  kind?: 'SLO' | 'DataSource';
  value: Record<string, unknown>;
  /** The longest matching prefix locates a native field. */
  from: PathMap;
  /** Where this document starts in the source document. */
  origin: Path;
}

export interface ImportNote {
  severity: ProblemSeverity;
  code: ProblemCode;
  path: Path;
  message: string;
  key?: boolean;
  /** The document of the set the path is in, when not the one being imported. */
  doc?: number;
}

export type ImportFormat = 'sloth' | 'openslo' | 'pyrra';

export interface ImportResult {
  format: ImportFormat;
  docs: ImportedDoc[];
  notes: ImportNote[];
}

/** Native path → source path through the longest mapped prefix (and the document it is in). */
export function mapPathIn(from: PathMap, native: Path): { path: Path; doc?: number } {
  let best: PathMap[number] | undefined;
  for (const entry of from) {
    const [prefix] = entry;
    if (prefix.length <= native.length && prefix.every((s, i) => s === native[i]) && (!best || prefix.length > best[0].length)) best = entry;
  }
  if (!best) return { path: [] };
  return { path: best[1], ...(best[2] !== undefined && { doc: best[2] }) };
}

/** Native path → source path through the longest mapped prefix. */
export function mapPath(from: PathMap, native: Path): Path {
  return mapPathIn(from, native).path;
}

/**
 * Parse a foreign document with a strict zod schema, but treat fields we do not know as
 * warnings ("ignored") rather than errors: a newer Sloth or OpenSLO field must not block a load.
 */
export function parseForeign<T extends z.ZodType>(schema: T, value: unknown, notes: ImportNote[], format: string): z.infer<T> | undefined {
  let input = value;
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = schema.safeParse(input, { reportInput: true });
    if (result.success) return result.data;
    const described = describeIssues(result.error.issues, schema);
    const unknown = described.filter((d) => d.unknownField);
    if (attempt === 0 && unknown.length > 0 && unknown.length === described.length) {
      for (const d of unknown)
        notes.push({ severity: 'warning', code: 'import', path: d.path, key: true, message: `${d.message.replace('unknown field', `field burnwatch does not know in ${format}`)}; ignored` });
      input = without(input, unknown.map((d) => d.path));
      continue;
    }
    for (const d of described)
      notes.push({ severity: 'error', code: d.unknownField ? 'unknown-field' : 'import', path: d.path, message: d.message, ...(d.key && { key: true }) });
    return undefined;
  }
  return undefined;
}

function without(value: unknown, paths: Path[]): unknown {
  const copy = structuredClone(value);
  for (const p of paths) {
    let node = copy as Record<string | number, unknown> | undefined;
    for (const segment of p.slice(0, -1)) node = node?.[segment] as Record<string | number, unknown> | undefined;
    if (node) delete node[p.at(-1)!];
  }
  return copy;
}

/** Sloth's `{{.window}}` (any spacing) is burnwatch's `$window`. */
export function slothWindow(query: string): string {
  return query.replace(/\{\{\s*\.window\s*\}\}/g, '$window');
}

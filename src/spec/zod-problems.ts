// Turn zod issues into messages a person can act on ("must be below 100, got 100",
// "unknown field "objectiv" (did you mean "objective"?)"), each with its field path.
import type { z } from 'zod';
import { type Path, show } from './problem.ts';
import { didYouMean } from './suggest.ts';

export interface FieldIssue {
  path: Path;
  message: string;
  /** Point at the key rather than the value (unknown fields). */
  key?: boolean;
  unknownField?: boolean;
  /** A check of the whole object (which keys it has), not of one value. */
  objectLevel?: boolean;
}

type Issue = z.core.$ZodIssue;
// biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definitions
type AnySchema = any;

export function describeIssues(issues: readonly Issue[], schema: z.ZodType, base: Path = []): FieldIssue[] {
  const all = issues.flatMap((issue) => describe(issue, schema, base));
  // "needs one of ratio, latency, …" says nothing new next to `unknown field "latncy" (did you mean "latency"?)`.
  const misspelt = new Set(all.filter((i) => i.unknownField).map((i) => JSON.stringify(i.path.slice(0, -1))));
  return all.filter((i) => !(i.objectLevel && misspelt.has(JSON.stringify(i.path))));
}

function describe(issue: Issue, schema: z.ZodType, base: Path): FieldIssue[] {
  const path = [...base, ...(issue.path as Path)];
  const input = (issue as { input?: unknown }).input;
  // Header values are often tokens: never echo them.
  const secret = path.includes('headers');
  const got = input === undefined || secret ? '' : `, got ${show(input)}`;
  // A missing field fails its union or custom check with no input: say it is missing.
  if (input === undefined && (issue.code === 'custom' || issue.code === 'invalid_union')) return [{ path, message: 'is required' }];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = keysAt(schema, path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        key: true,
        unknownField: true,
        message: `unknown field "${key}"${didYouMean(key, known)}${known.length > 0 ? `; allowed here: ${known.join(', ')}` : ''}`,
      }));
    }
    case 'invalid_type':
      if (input === undefined) return [{ path, message: 'is required' }];
      return [{ path, message: `must be ${expectedName(issue.expected)}${got}` }];
    case 'too_big':
      if (issue.origin === 'array') return [{ path, message: `must have at most ${issue.maximum} items` }];
      if (issue.origin === 'string') return [{ path, message: `must be at most ${issue.maximum} characters` }];
      return [{ path, message: `must be ${issue.inclusive ? 'at most' : 'below'} ${issue.maximum}${got}` }];
    case 'too_small':
      if (issue.origin === 'array') return [{ path, message: `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}` }];
      if (issue.origin === 'string') return [{ path, message: issue.message.startsWith('Too small') ? 'must not be empty' : issue.message }];
      return [{ path, message: `must be ${issue.inclusive ? 'at least' : 'above'} ${issue.minimum}${got}` }];
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      if (values.length === 1) return [{ path, message: `must be ${show(issue.values[0])}${got}${typeof input === 'string' ? didYouMean(input, values) : ''}` }];
      return [{ path, message: `must be one of ${values.join(', ')}${got}${typeof input === 'string' ? didYouMean(input, values) : ''}` }];
    }
    case 'invalid_union':
      return bestBranch(issue.errors, schema, path, input);
    case 'invalid_format':
      if (issue.message.startsWith('Invalid')) return [{ path, message: `must be a valid ${issue.format}${got}` }];
      return [{ path, message: `${issue.message}${got}` }];
    case 'custom':
      // Object-level checks ("needs one of …") describe the object; do not echo it back.
      if (input !== null && typeof input === 'object') return [{ path, message: issue.message, objectLevel: true }];
      return [{ path, message: `${issue.message}${got}` }];
    default:
      return [{ path, message: `${issue.message}${got}` }];
  }
}

/** Of a union's branches, report the one whose type matched the input (a string, or an object). */
function bestBranch(branches: Issue[][], schema: z.ZodType, path: Path, input: unknown): FieldIssue[] {
  const matching = branches.filter((errors) => !errors.some((e) => e.code === 'invalid_type' && e.path.length === 0));
  if (matching.length === 0) return [{ path, message: `must be a string or a mapping${input === undefined ? '' : `, got ${show(input)}`}` }];
  const best = matching.reduce((a, b) => (b.length < a.length ? b : a));
  return best.flatMap((issue) => describe(issue, schema, path));
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

/** Field names an object schema allows at a path (for "did you mean"). */
export function keysAt(schema: z.ZodType, path: Path): string[] {
  const keys = new Set<string>();
  const visit = (node: AnySchema, rest: Path): void => {
    const def = node?._zod?.def;
    if (!def) return;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        visit(def.innerType, rest);
        return;
      case 'pipe':
        visit(def.in, rest);
        return;
      case 'union':
        for (const option of def.options) visit(option, rest);
        return;
      case 'array':
        if (typeof rest[0] === 'number') visit(def.element, rest.slice(1));
        return;
      case 'object': {
        if (rest.length === 0) {
          for (const key of Object.keys(def.shape)) keys.add(key);
          return;
        }
        const [head, ...tail] = rest;
        const child = def.shape[String(head)];
        if (child) visit(child, tail);
        return;
      }
      default:
        return;
    }
  };
  visit(schema, path);
  return [...keys];
}

// docs/slo-reference.md, made from the JSON Schema that the zod schemas give (src/spec/json-schema.ts)
// and the loader's defaults (src/spec/normalize.ts): one row per field, so the reference cannot
// drift from what `burnwatch validate` accepts. `npm run docs:reference` writes it;
// test/spec/slo-reference.test.ts fails when it is not current.
import { DEFAULTS } from '../src/spec/normalize.ts';
import { expandsEnvironment } from '../src/spec/env.ts';
import { specJsonSchema } from '../src/spec/json-schema.ts';

type Schema = Record<string, unknown> & {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  additionalProperties?: Schema | boolean;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  description?: string;
};

const ENV_PATTERN = '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}';

/** Defaults the loader fills in (normalize.ts), by kind and field path. */
const DEFAULT_OF: Record<string, string> = {
  'SLO spec.window': DEFAULTS.window,
  'SLO spec.source': DEFAULTS.source,
  'SLO spec.timeslice': DEFAULTS.timeslice,
  'SLO spec.interval': DEFAULTS.interval,
  'SLO spec.maxGroups': String(DEFAULTS.maxGroups),
  'SLO spec.alerting.noDataAfter': String(DEFAULTS.noDataAfter),
  'DataSource spec.prometheus.timeout': DEFAULTS.timeout,
  'DataSource spec.bigquery.timeout': DEFAULTS.timeout,
  'DataSource spec.postgres.timeout': DEFAULTS.timeout,
  'DataSource spec.airflow.timeout': DEFAULTS.timeout,
};

interface Row {
  path: string;
  type: string;
  required: boolean;
  env: boolean;
  rules: string;
  default: string;
}

const isEnv = (s: Schema) => s.type === 'string' && s.pattern === ENV_PATTERN;
const code = (text: string) => `\`${text.replace(/\|/g, '\\|')}\``;

/** A scalar's type and rules in words; objects and arrays are walked instead. */
function describe(s: Schema): { type: string; rules: string[] } {
  if (s.const !== undefined) return { type: typeof s.const, rules: [`exactly ${code(JSON.stringify(s.const))}`] };
  if (s.enum) return { type: 'string', rules: [`one of ${s.enum.map((v) => code(String(v))).join(', ')}`] };
  if (s.anyOf) {
    const parts = s.anyOf.filter((o) => !isEnv(o)).map(describe);
    return { type: [...new Set(parts.map((p) => p.type))].join(' or '), rules: parts.flatMap((p) => p.rules) };
  }
  const rules: string[] = [];
  if (s.pattern) rules.push(`matches ${code(s.pattern)}`);
  if (s.format) rules.push(`a ${String(s.format)}`);
  for (const [key, words] of [
    ['minimum', '≥'],
    ['exclusiveMinimum', '>'],
    ['maximum', '≤'],
    ['exclusiveMaximum', '<'],
    ['minLength', 'length ≥'],
    ['maxLength', 'length ≤'],
    ['minItems', 'items ≥'],
    ['maxItems', 'items ≤'],
  ] as const)
    if (typeof s[key] === 'number' && Math.abs(s[key] as number) < Number.MAX_SAFE_INTEGER) rules.push(`${words} ${s[key]}`);
  return { type: s.type === 'integer' ? 'integer' : (s.type ?? 'any'), rules };
}

function walk(kind: string, s: Schema, path: string, required: boolean, rows: Row[]): void {
  const options = (s.anyOf ?? []).filter((o) => !isEnv(o));
  const env = (s.anyOf ?? []).some(isEnv);
  // A union of forms (a query: a string or {promql}/{sql}): the scalar forms in one row, each object form walked.
  const objects = options.filter((o) => o.type === 'object' || o.type === 'array');
  if (s.type === 'object' && s.properties) {
    if (path) rows.push({ path, type: 'object', required, env: false, rules: '', default: DEFAULT_OF[`${kind} ${path}`] ?? '' });
    for (const [key, child] of Object.entries(s.properties)) walk(kind, child, path ? `${path}.${key}` : key, (s.required ?? []).includes(key), rows);
    return;
  }
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    const d = describe(s.additionalProperties);
    rows.push({ path, type: `map of ${d.type}`, required, env: false, rules: d.rules.join('; '), default: '' });
    return;
  }
  if (s.type === 'array' && s.items) {
    const item = s.items;
    if (item.type === 'object' || (item.anyOf ?? []).some((o) => o.type === 'object')) {
      rows.push({ path, type: 'list of objects', required, env: false, rules: describe(s).rules.join('; '), default: '' });
      walk(kind, item, `${path}[]`, true, rows);
    } else {
      const d = describe(item);
      rows.push({ path, type: `list of ${d.type}`, required, env: false, rules: [...d.rules, ...describe(s).rules].join('; '), default: '' });
    }
    return;
  }
  if (objects.length > 0) {
    const scalars = options.filter((o) => !objects.includes(o));
    const forms = [...scalars.map((o) => describe(o).type), ...objects.map((o) => (o.type === 'array' ? 'list' : 'object'))];
    rows.push({ path, type: forms.join(' or '), required, env, rules: scalars.flatMap((o) => describe(o).rules).join('; '), default: DEFAULT_OF[`${kind} ${path}`] ?? '' });
    objects.forEach((o) => {
      for (const [key, child] of Object.entries(o.properties ?? {})) walk(kind, child, `${path}.${key}`, (o.required ?? []).includes(key), rows);
      if (o.type === 'array' && o.items) walk(kind, o.items, `${path}[]`, true, rows);
    });
    return;
  }
  const d = describe(s);
  rows.push({ path, type: d.type, required, env, rules: [...d.rules, ...(s.description ? [s.description] : [])].join('; '), default: DEFAULT_OF[`${kind} ${path}`] ?? '' });
}

/** Where the loader expands `${VAR}` (src/spec/env.ts), not where the JSON Schema merely tolerates it. */
function expandsHere(kind: string, row: Row): boolean {
  const path = row.path.split('.');
  return row.type.startsWith('map of') ? expandsEnvironment({ kind }, [...path, 'name']) : row.type !== 'object' && expandsEnvironment({ kind }, path);
}

/** Rows that differ only by a repeated path (two object forms with the same field) are merged. */
function dedupe(rows: Row[]): Row[] {
  const seen = new Map<string, Row>();
  for (const row of rows) {
    const had = seen.get(row.path);
    if (!had) seen.set(row.path, { ...row });
    else {
      if (!had.type.split(' or ').includes(row.type)) had.type = `${had.type} or ${row.type}`;
      if (row.rules && !had.rules.includes(row.rules)) had.rules = had.rules ? `${had.rules}; ${row.rules}` : row.rules;
      had.required &&= row.required;
    }
  }
  return [...seen.values()];
}

export function sloReference(): string {
  const schema = specJsonSchema() as Schema;
  const out: string[] = [
    '# SLO reference',
    '',
    '<!-- Generated by `npm run docs:reference` (scripts/write-slo-reference.ts) from the zod schemas in',
    '     src/spec/ and the loader defaults in src/spec/normalize.ts. Do not edit: test/spec/slo-reference.test.ts',
    '     fails when this file is not current. -->',
    '',
    'Every field of the `burnwatch/v1` documents, as `burnwatch validate` accepts them. Fields are',
    'strict: an unknown field is an error (with a "did you mean"). **env**: the field may be written',
    'as `${VAR}` or `${VAR:-default}` (see [Writing SLOs](writing-slos.md#environment-variables)); a',
    'DataSource whose variable is not set is *not configured* and its SLOs are unknown. What the',
    'fields mean, with examples: [Writing SLOs](writing-slos.md); BudgetPolicy: [Remediation](remediation.md#error-budget-policy-kind-budgetpolicy).',
    'Editors check the same rules with [the JSON Schema](../schema/burnwatch-v1.schema.json).',
    '',
    '`validate` checks more than a schema can: PromQL and SQL syntax, references (DataSources,',
    'runbooks, templates), tier windows against the window, timeslices against the tiers, unique ids.',
  ];
  for (const doc of schema.anyOf ?? []) {
    const kind = String(doc.properties?.kind?.const ?? '');
    const rows = dedupe(
      (() => {
        const r: Row[] = [];
        walk(kind, doc, '', true, r);
        return r;
      })(),
    );
    out.push('', `## ${kind}`, '', '| field | type | required | env | rules | default |', '|---|---|---|---|---|---|');
    for (const row of rows) row.env = expandsHere(kind, row);
    for (const row of rows)
      out.push(`| ${code(row.path)} | ${row.type} | ${row.required ? 'yes' : ''} | ${row.env ? 'yes' : ''} | ${row.rules} | ${row.default ? code(row.default) : ''} |`);
  }
  return `${out.join('\n')}\n`;
}

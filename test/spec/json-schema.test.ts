// The shipped JSON Schema (schema/burnwatch-v1.schema.json, for editors) is the zod schemas'
// own output, accepts every native example in slos/, and refuses what validate refuses field by field.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { specJsonSchema } from '../../src/spec/json-schema.ts';
import { REPO_ROOT } from '../helpers/burnwatch-process.ts';

const SHIPPED = path.join(REPO_ROOT, 'schema', 'burnwatch-v1.schema.json');
const validate = new Ajv({ strict: false, allErrors: true, formats: { uri: true } }).compile(JSON.parse(fs.readFileSync(SHIPPED, 'utf8')));

function nativeDocuments(): Array<{ file: string; doc: Record<string, unknown> }> {
  const dir = path.join(REPO_ROOT, 'slos');
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));
  return files.flatMap((f) =>
    parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))
      .map((d) => d.toJS() as Record<string, unknown>)
      .filter((doc) => doc?.apiVersion === 'burnwatch/v1' && (doc.kind === 'SLO' || doc.kind === 'DataSource'))
      .map((doc) => ({ file: f, doc })),
  );
}

describe('the JSON Schema for editors', () => {
  it('is exactly what the zod schemas give (run `npm run schema` after changing them)', () => {
    expect(JSON.parse(fs.readFileSync(SHIPPED, 'utf8'))).toEqual(specJsonSchema());
  });

  it('accepts every native SLO and DataSource in slos/', () => {
    const docs = nativeDocuments();
    expect(docs.length).toBeGreaterThanOrEqual(8);
    for (const { file, doc } of docs) expect({ file, ok: validate(doc), errors: validate.errors ?? null }).toEqual({ file, ok: true, errors: null });
  });

  it('refuses a misspelt field, a bad duration and an objective of 100', () => {
    const slo = nativeDocuments().find((d) => d.doc.kind === 'SLO')!.doc as { spec: Record<string, unknown> };
    expect(validate({ ...slo, spec: { ...slo.spec, windw: '28d' } })).toBe(false);
    expect(validate({ ...slo, spec: { ...slo.spec, window: '28 days' } })).toBe(false);
    expect(validate({ ...slo, spec: { ...slo.spec, objective: 100 } })).toBe(false);
    expect(validate({ ...slo, spec: { ...slo.spec, window: '4w' } })).toBe(true);
  });
});

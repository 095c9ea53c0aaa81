// The zod schemas are the single source of the format; the hand-written guide (docs/writing-slos.md,
// and docs/remediation.md for BudgetPolicy) must not fall behind. docs/slo-reference.md is generated.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { BudgetPolicyDoc } from '../../src/spec/budget-policy-schema.ts';
import { DataSourceDoc, SloDoc } from '../../src/spec/schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: walking zod's definitions
function fieldNames(schema: any, out = new Set<string>()): Set<string> {
  const def = schema?._zod?.def;
  if (!def) return out;
  if (def.type === 'object') {
    for (const [key, child] of Object.entries(def.shape)) {
      out.add(key);
      fieldNames(child, out);
    }
  } else if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') fieldNames(def.innerType, out);
  else if (def.type === 'array') fieldNames(def.element, out);
  else if (def.type === 'union') for (const option of def.options) fieldNames(option, out);
  else if (def.type === 'pipe') fieldNames(def.in, out);
  return out;
}

describe('the format guide in docs/', () => {
  it.each([
    ['SLO', SloDoc],
    ['DataSource', DataSourceDoc],
    ['BudgetPolicy', BudgetPolicyDoc],
  ] as Array<[string, z.ZodType]>)('documents every field of %s', async (_, schema) => {
    const docs = path.resolve(import.meta.dirname, '../../docs');
    const readme = (await Promise.all(['writing-slos.md', 'remediation.md'].map((f) => readFile(path.join(docs, f), 'utf8')))).join('\n');
    const names = [...fieldNames(schema)];
    expect(names.length).toBeGreaterThan(10);
    const missing = names.filter((name) => !readme.includes(`\`${name}`) && !readme.includes(`${name}:`) && !readme.includes(`.${name}\``));
    expect(missing).toEqual([]);
  });
});

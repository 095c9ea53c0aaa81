// docs/slo-reference.md is generated from the zod schemas (scripts/slo-reference.ts): it must be
// exactly what they give now (run `npm run docs:reference` after changing them), and list every field.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sloReference } from '../../scripts/slo-reference.ts';
import { REPO_ROOT } from '../helpers/burnwatch-process.ts';

const SHIPPED = path.join(REPO_ROOT, 'docs', 'slo-reference.md');

describe('the generated SLO reference', () => {
  it('is current (run `npm run docs:reference` after changing src/spec/)', () => {
    expect(fs.readFileSync(SHIPPED, 'utf8')).toBe(sloReference());
  });

  it('has a table for each kind, with the fields the examples use', () => {
    const text = sloReference();
    for (const kind of ['SLO', 'DataSource', 'BudgetPolicy']) expect(text).toContain(`\n## ${kind}\n`);
    for (const field of ['spec.objective', 'spec.alerting.tiers[].budgetPercent', 'spec.remediation.rollback.namespace', 'spec.bigquery.projectId', 'spec.freezeWhen.budgetRemainingBelow'])
      expect(text).toContain(`| \`${field}\` |`);
    // `${VAR}` is marked where the loader expands it: a DataSource's address, not an SLO's name.
    expect(text).toMatch(/\| `spec\.bigquery\.projectId` \| string \| yes \| yes \|/);
    expect(text).toMatch(/\| `metadata\.name` \| string \| yes \| {2}\|/);
  });
});

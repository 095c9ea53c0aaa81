// docs/operations.md names every metric the service registers on /metrics (derived from the code:
// the registry of src/service/metrics.ts, Node's process and runtime metrics included).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/service/metrics.ts';
import { REPO_ROOT } from '../helpers/burnwatch-process.ts';

describe('docs/operations.md', () => {
  it('lists every metric on /metrics', async () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => !text.includes(`\`${n}\``))).toEqual([]);
    // No doubled prefix (burnwatch_process_process_…) anywhere.
    expect(names.filter((n) => /^burnwatch_(process_process|nodejs_nodejs)_/.test(n))).toEqual([]);
  });
});

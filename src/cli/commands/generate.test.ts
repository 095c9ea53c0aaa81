import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { promtoolCheckRules } from '../../../test/fixtures/promtool.ts';
import { runGeneratePrometheus } from './generate.ts';

const io = { cwd: process.cwd(), env: {} };

describe('burnwatch generate prometheus', () => {
  it('turns the example SLOs into rules promtool accepts, skipping SQL SLOs with a warning', async () => {
    const { code, stdout, stderr } = await runGeneratePrometheus({ slos: 'slos', name: 'burnwatch-slos' }, io);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^warning: skipped hstu-ranker\/offline-ndcg: .*SQL source/m);
    const rules = parse(stdout) as { groups: Array<{ name: string; rules: Array<{ alert?: string; labels?: Record<string, string> }> }> };
    expect(rules.groups.map((g) => g.name)).toContain('burnwatch-hstu-ranker-ranking-latency');
    const check = await promtoolCheckRules(stdout);
    expect(check.output).toMatch(/SUCCESS/);
  });

  it('wraps the rules in a PrometheusRule and writes them to --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'burnwatch-generate-'));
    try {
      const out = join(dir, 'rules.yaml');
      const { code, stderr } = await runGeneratePrometheus({ slos: 'slos', out, operator: true, name: 'recs-slos', namespace: 'monitoring' }, io);
      expect(code).toBe(0);
      expect(stderr).toMatch(/SLOs → \d+ rules in /);
      const doc = parse(await readFile(out, 'utf8'));
      expect(doc).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'recs-slos', namespace: 'monitoring' } });
      expect(doc.spec.groups.length).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to generate a partial rule set when an SLO file is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'burnwatch-generate-'));
    try {
      await writeFile(
        join(dir, 'bad.yaml'),
        'apiVersion: burnwatch/v1\nkind: SLO\nmetadata: { name: x, service: y }\nspec:\n  objective: 100\n  indicator:\n    freshness: { query: "m", maxAge: 1h }\n',
      );
      const { code, stdout, stderr } = await runGeneratePrometheus({ slos: dir, name: 'x' }, { cwd: dir, env: {} });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/bad\.yaml:5:\d+ .*objective/);
      expect(stderr).toMatch(/no rules generated/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

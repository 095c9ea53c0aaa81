import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGenerateGrafana } from './generate-grafana.ts';
import { parse, stringify } from 'yaml';
import { promtoolCheckRules } from '../../../test/fixtures/promtool.ts';
import { runGeneratePrometheus } from './generate.ts';

const io = { cwd: process.cwd(), env: {} };
type Rules = { namespace?: string; groups: Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string; labels?: Record<string, string> }> }> };

describe('burnwatch generate prometheus: label sets and layouts', () => {
  it('--labels sloth writes Sloth label names, which the rules select on, and promtool accepts them', async () => {
    const { code, stdout } = await runGeneratePrometheus({ slos: 'slos', name: 'x', labels: 'sloth' }, io);
    expect(code).toBe(0);
    const rules = parse(stdout) as Rules;
    const group = rules.groups.find((g) => g.name === 'burnwatch-hstu-ranker-ranking-latency')!;
    const ratio = group.rules.find((r) => r.record === 'slo:sli_error:ratio_rate5m')!;
    expect(ratio.labels).toMatchObject({ sloth_id: 'hstu-ranker-ranking-latency', sloth_service: 'hstu-ranker', sloth_slo: 'ranking-latency', sloth_window: '5m' });
    const every = rules.groups.flatMap((g) => g.rules);
    expect(every.filter((r) => Object.keys(r.labels ?? {}).some((k) => k.startsWith('slo_')))).toEqual([]);
    // Rules that read other records select them by sloth_id.
    expect(every.filter((r) => /slo:sli_error:ratio_rate\w+\{/.test(r.expr)).every((r) => /\{sloth_id="[^"]+"\}/.test(r.expr))).toBe(true);
    expect((await promtoolCheckRules(stdout)).output).toMatch(/SUCCESS/);
  });

  it('refuses an unknown label set', async () => {
    const { code, stderr } = await runGeneratePrometheus({ slos: 'slos', name: 'x', labels: 'pyrra' }, io);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--labels must be burnwatch or sloth, got pyrra/);
  });

  it('--mimir writes one ruler namespace (mimirtool rules load) whose groups are valid Prometheus rules', async () => {
    const { code, stdout } = await runGeneratePrometheus({ slos: 'slos', name: 'x', mimir: true, mimirNamespace: 'recs-slos' }, io);
    expect(code).toBe(0);
    const doc = parse(stdout) as Rules;
    expect(Object.keys(doc)).toEqual(['namespace', 'groups']);
    expect(doc.namespace).toBe('recs-slos');
    expect(stdout).toMatch(/ruler_max_rules_per_rule_group/);
    expect(new Set(doc.groups.map((g) => g.name)).size).toBe(doc.groups.length);
    expect((await promtoolCheckRules(stringify({ groups: doc.groups }))).output).toMatch(/SUCCESS/);
  });

  it('generate grafana writes the dashboards and their provisioning file, skipping SLOs without rules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'burnwatch-grafana-'));
    try {
      const { code, stderr } = await runGenerateGrafana({ slos: 'slos', out: dir, dashboardsPath: '/srv/dashboards' }, io);
      expect(code).toBe(0);
      expect(stderr).toMatch(/^warning: no dashboard for hstu-ranker\/offline-ndcg: .*SQL/m);
      const files = await readdir(join(dir, 'dashboards'));
      expect(files).toContain('burnwatch-overview.json');
      expect(files).toContain('bw-hstu-ranker-ranking-latency.json');
      const one = JSON.parse(await readFile(join(dir, 'dashboards', 'bw-hstu-ranker-ranking-latency.json'), 'utf8'));
      expect(one).toMatchObject({ uid: 'bw-hstu-ranker-ranking-latency', title: 'SLO hstu-ranker/ranking-latency' });
      expect(await readFile(join(dir, 'provisioning', 'dashboards', 'burnwatch.yaml'), 'utf8')).toMatch(/path: "\/srv\/dashboards"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { promtoolCheckRules, promtoolTestRules } from '../../test/fixtures/promtool.ts';
import { exampleSlos, shortSlo } from './__fixtures__/slos.ts';
import { generatePrometheusRules, type RecordingRule } from './prometheus-rules.ts';
import { renderRules } from './render-rules.ts';

// Golden files, like Sloth's: a reviewer sees every change to the generated PromQL in the diff.
// Regenerate with UPDATE_GOLDEN=1 after an intended change.
async function expectGolden(name: string, text: string): Promise<void> {
  const url = new URL(`./__fixtures__/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) await writeFile(url, text);
  expect(text).toBe(await readFile(url, 'utf8'));
}

const prom = (text: string) => ({ source: 'prometheus', language: 'promql' as const, text });

describe('generate prometheus', () => {
  const generated = generatePrometheusRules(exampleSlos);

  it('matches the golden rule file', async () => {
    await expectGolden('rules.golden.yml', renderRules(generated));
  });

  it('matches the golden PrometheusRule', async () => {
    await expectGolden('prometheus-rule.golden.yml', renderRules(generated, { operator: { name: 'burnwatch-slos', namespace: 'monitoring' } }));
  });

  it('passes promtool check rules', async () => {
    const result = await promtoolCheckRules(renderRules(generated));
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.ok).toBe(true);
  });

  it('skips SLOs on a SQL source and says why', () => {
    expect(generated.skipped).toEqual([{ id: 'embeddings/table-freshness', reason: expect.stringMatching(/SQL source \(warehouse\)/) }]);
    expect(generated.groups.map((g) => g.name)).not.toContain('burnwatch-embeddings-table-freshness');
    expect(renderRules(generated)).toMatch(/^# skipped embeddings\/table-freshness: /m);
  });

  it('skips an SLO whose source is declared as a non-Prometheus DataSource', () => {
    const out = generatePrometheusRules([exampleSlos[0]!], {
      sources: [{ type: 'postgres', name: 'prometheus', url: 'postgres://x', timeoutSeconds: 5 }],
    });
    expect(out.groups).toEqual([]);
    expect(out.skipped[0]?.reason).toMatch(/type postgres/);
  });

  it('records every tier window, the period, metadata, and one alert per tier', () => {
    const group = generated.groups.find((g) => g.name === 'burnwatch-hstu-ranker-ranker-latency')!;
    const records = group.rules.filter((r): r is RecordingRule => 'record' in r);
    const windows = records.filter((r) => r.record.startsWith('slo:sli_error:ratio_rate')).map((r) => r.labels?.slo_window);
    expect(windows).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '28d']);
    for (const name of ['slo:objective:ratio', 'slo:error_budget:ratio', 'slo:period_error_budget_remaining:ratio']) {
      expect(records.map((r) => r.record)).toContain(name);
    }
    const alerts = group.rules.filter((r) => 'alert' in r);
    expect(alerts.map((a) => [a.labels?.severity, a.labels?.long, a.labels?.short])).toEqual([
      ['page', '1h', '5m'],
      ['page', '6h', '30m'],
      ['ticket', '1d', '2h'],
      ['ticket', '3d', '6h'],
    ]);
    expect(alerts[0]).toMatchObject({
      labels: { slo_id: 'hstu-ranker/ranker-latency', slo_service: 'hstu-ranker', slo_name: 'ranker-latency', tier: 'critical' },
      annotations: { runbook: 'playbooks/ranker-latency.md', description: expect.stringContaining('over 1h') },
    });
  });

  it('weights the period ratio by events, not by 5m windows', async () => {
    // An hour of heavy traffic at 10 % errors, then 90 minutes of a trickle without errors.
    const slo = shortSlo('shop/checkout', {
      kind: 'ratio',
      bad: prom('sum(increase(req_total{code="500"}[$window]))'),
      total: prom('sum(increase(req_total[$window]))'),
    });
    const counter = (perMinute: (m: number) => number) => {
      const values: number[] = [];
      for (let m = 0, c = 0; m <= 180; c += perMinute(m), m++) values.push(c);
      return values.join(' ');
    };
    const eventWeighted = 6000 / (60 * 1000 + 90 * 10);
    const test = `rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'req_total{code="200"}'
        values: '${counter((m) => (m < 60 ? 900 : 10))}'
      - series: 'req_total{code="500"}'
        values: '${counter((m) => (m < 60 ? 100 : 0))}'
    promql_expr_test:
      - expr: abs(slo:sli_error:ratio_rate1d - ${eventWeighted}) < bool 0.001
        eval_time: 150m
        exp_samples: [{ labels: '{slo_id="shop/checkout", slo_name="checkout", slo_service="shop", slo_window="1d"}', value: 1 }]
      - expr: abs(slo:period_error_budget_remaining:ratio - ${1 - eventWeighted / 0.01}) < bool 0.1
        eval_time: 150m
        exp_samples: [{ labels: '{slo_id="shop/checkout", slo_name="checkout", slo_service="shop"}', value: 1 }]
`;
    const result = await promtoolTestRules(renderRules(generatePrometheusRules([slo])), test);
    expect(result.output).toMatch(/SUCCESS/);
  });
});

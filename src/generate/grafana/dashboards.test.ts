import { defaultDashboard } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleSlos } from '../__fixtures__/slos.ts';
import { dashboardUid, generateGrafanaDashboards, provisioningYaml } from './dashboards.ts';

type AnyPanel = { type: string; title?: string; targets?: Array<{ expr: string }>; fieldConfig?: { defaults: { thresholds?: { steps: Array<{ value: number | null }> } } } };

describe('generate grafana', () => {
  const slos = exampleSlos.filter((s) => s.id !== 'embeddings/table-freshness');
  const out = generateGrafanaDashboards(slos);

  it('one overview and one dashboard per SLO, at the schema version @grafana/schema describes', () => {
    expect(out.map((d) => d.file)).toEqual(['burnwatch-overview.json', ...[...slos].sort((a, b) => a.id.localeCompare(b.id)).map((s) => `${dashboardUid(s.id)}.json`)]);
    for (const { dashboard } of out) expect(dashboard.schemaVersion).toBe(defaultDashboard.schemaVersion);
    const uids = out.map((d) => d.dashboard.uid!);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it('a per-SLO dashboard charts each tier: both windows as burn rates, the factor as its threshold', () => {
    const slo = slos.find((s) => s.id === 'hstu-ranker/ranker-latency')!;
    const dashboard = out.find((d) => d.dashboard.uid === dashboardUid(slo.id))!.dashboard;
    const panels = dashboard.panels as AnyPanel[];
    const tiers = panels.filter((p) => p.title?.includes('burn rate over'));
    expect(tiers).toHaveLength(slo.alerting.tiers.length);
    slo.alerting.tiers.forEach((tier, i) => {
      const p = tiers[i]!;
      expect(p.targets!.map((t) => t.expr)).toEqual([
        `max without (slo_window) (slo:sli_error:ratio_rate${tier.long}{slo_id="hstu-ranker/ranker-latency"}) / ${1 - slo.objective}`,
        `max without (slo_window) (slo:sli_error:ratio_rate${tier.short}{slo_id="hstu-ranker/ranker-latency"}) / ${1 - slo.objective}`,
      ]);
      expect(p.fieldConfig!.defaults.thresholds!.steps.at(-1)!.value).toBe(tier.factor);
    });
    expect(panels.map((p) => p.title)).toEqual(expect.arrayContaining([expect.stringMatching(/^Error budget remaining/), 'Alerts']));
    expect(JSON.stringify(panels)).toMatch(/ALERTS\{slo_id=\\"hstu-ranker\/ranker-latency\\", alertname=~\\".\+BudgetBurn\\"\}/);
  });

  it('reads Sloth label names when the rules were generated with --labels sloth', () => {
    const [, first] = generateGrafanaDashboards(slos, { labels: 'sloth' });
    expect(JSON.stringify(first!.dashboard)).toMatch(/\{sloth_id=\\"hstu-ranker-model-freshness\\"\}/);
    expect(JSON.stringify(first!.dashboard)).not.toMatch(/slo_id/);
  });

  it('keeps long ids within Grafana\'s 40-character uid, still unique', () => {
    const a = dashboardUid('a-very-long-service-name-for-ranking/a-very-long-slo-name-one');
    const b = dashboardUid('a-very-long-service-name-for-ranking/a-very-long-slo-name-two');
    expect(a.length).toBeLessThanOrEqual(40);
    expect(a).not.toBe(b);
  });

  it('a file provider for Grafana provisioning', () => {
    expect(parse(provisioningYaml('/var/lib/grafana/dashboards/burnwatch'))).toEqual({
      apiVersion: 1,
      providers: [
        {
          name: 'burnwatch',
          folder: 'SLOs',
          type: 'file',
          disableDeletion: false,
          allowUiUpdates: false,
          updateIntervalSeconds: 60,
          options: { path: '/var/lib/grafana/dashboards/burnwatch' },
        },
      ],
    });
  });
});

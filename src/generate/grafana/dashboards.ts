// Grafana dashboards over the series `burnwatch generate prometheus` records: one overview of every
// SLO, and one dashboard per SLO with its budget, the burn rate of each tier's two windows against
// the tier's factor, and the state of its alerts. Typed with Grafana's own dashboard schema
// (@grafana/schema), so a field Grafana does not know fails the type check.
import { type Dashboard, defaultDashboard, type Panel, ThresholdsMode, type VariableModel } from '@grafana/schema';
import { formatDuration } from '../../domain/duration.ts';
import { errorRatioRecord, idLabelValue, LABEL_KEYS, type LabelSet, ruleGroupName } from '../../domain/recorded-series.ts';
import type { Slo } from '../../domain/slo.ts';
import { tierWindows } from '../../domain/tiers.ts';

export interface GrafanaOptions {
  /** The label names the rules were generated with (generate prometheus --labels). */
  labels?: LabelSet;
  /** Tag on every dashboard (the overview lists the per-SLO dashboards by it). */
  tag?: string;
}

export interface GeneratedDashboard {
  /** File name, `<uid>.json`. */
  file: string;
  dashboard: Dashboard;
}

/** The schema version of Grafana's dashboard JSON that @grafana/schema describes. */
const SCHEMA_VERSION = defaultDashboard.schemaVersion;
/** The dashboard's `datasource` variable: the Prometheus (or Thanos, Mimir) that holds the records. */
const DS = { type: 'prometheus', uid: '$datasource' };
const WIDTH = 24;

const datasourceVariable: VariableModel = { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' };

/** Grafana's uid: at most 40 characters of [A-Za-z0-9-_]. */
export function dashboardUid(id: string): string {
  const slug = ruleGroupName(id).replace(/^burnwatch-/, 'bw-');
  if (slug.length <= 40) return slug;
  let hash = 0;
  for (const c of id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `${slug.slice(0, 31)}-${hash.toString(36).padStart(7, '0').slice(0, 8)}`;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function target(expr: string, legendFormat: string, refId: string, instant = false): Record<string, unknown> {
  return { datasource: DS, expr, legendFormat, refId, ...(instant ? { instant: true, range: false, format: 'table' } : { range: true }) };
}

function grid(x: number, y: number, w: number, h: number) {
  return { x, y, w, h };
}

export function generateGrafanaDashboards(slos: readonly Slo[], options: GrafanaOptions = {}): GeneratedDashboard[] {
  const set = options.labels ?? 'burnwatch';
  const tag = options.tag ?? 'burnwatch';
  const sorted = [...slos].sort((a, b) => a.id.localeCompare(b.id));
  return [
    { file: 'burnwatch-overview.json', dashboard: overview(set, tag) },
    ...sorted.map((slo) => ({ file: `${dashboardUid(slo.id)}.json`, dashboard: sloDashboard(slo, set, tag) })),
  ];
}

function base(uid: string, title: string, tags: string[], panels: Panel[]): Dashboard {
  return {
    uid,
    title,
    tags,
    schemaVersion: SCHEMA_VERSION,
    editable: false,
    timezone: 'utc',
    refresh: '1m',
    time: { from: 'now-7d', to: 'now' },
    templating: { list: [datasourceVariable] },
    panels,
  };
}

function overview(set: LabelSet, tag: string): Dashboard {
  const id = LABEL_KEYS[set].id;
  const budget = `max by (${id}) (slo:period_error_budget_remaining:ratio)`;
  const burn = `max by (${id}) (slo:current_burn_rate:ratio)`;
  const firing = `max by (${id}, severity) (ALERTS{alertstate="firing", alertname=~".+BudgetBurn"})`;
  const panels: Panel[] = [
    {
      type: 'table',
      title: 'Every SLO: budget remaining, current burn rate, firing alerts',
      gridPos: grid(0, 0, WIDTH, 14),
      datasource: DS,
      targets: [target(budget, 'budget', 'A', true), target(burn, 'burn', 'B', true), target(firing, 'firing', 'C', true)],
      // One row per SLO: the three answers joined on the id label.
      transformations: [{ id: 'merge', options: {} }, { id: 'organize', options: { excludeByName: { Time: true } } }],
      fieldConfig: {
        defaults: {},
        overrides: [
          { matcher: { id: 'byName', options: 'Value #A' }, properties: [{ id: 'displayName', value: 'budget remaining' }, { id: 'unit', value: 'percentunit' }] },
          { matcher: { id: 'byName', options: 'Value #B' }, properties: [{ id: 'displayName', value: 'burn rate (shortest window)' }, { id: 'decimals', value: 2 }] },
          { matcher: { id: 'byName', options: 'Value #C' }, properties: [{ id: 'displayName', value: 'firing' }] },
        ],
      },
      options: { sortBy: [{ displayName: 'budget remaining', desc: false }] },
    },
    {
      type: 'timeseries',
      title: 'Error budget remaining',
      gridPos: grid(0, 14, WIDTH, 10),
      datasource: DS,
      targets: [target(budget, `{{${id}}}`, 'A')],
      fieldConfig: { defaults: { unit: 'percentunit' }, overrides: [] },
    },
    {
      type: 'dashlist',
      title: 'SLO dashboards',
      gridPos: grid(0, 24, WIDTH, 10),
      options: { showStarred: false, showRecentlyViewed: false, showSearch: true, tags: [tag, 'slo'], maxItems: 1000 },
    },
  ];
  return base('burnwatch-overview', 'SLOs (burnwatch)', [tag], panels);
}

function sloDashboard(slo: Slo, set: LabelSet, tag: string): Dashboard {
  const keys = LABEL_KEYS[set];
  const sel = `{${keys.id}=${quote(idLabelValue(slo, set))}}`;
  const budgetOf = 1 - slo.objective;
  const budget = `slo:period_error_budget_remaining:ratio${sel}`;
  const burnOf = (w: number) => `max without (${keys.window}) (${errorRatioRecord(w)}${sel}) / ${String(budgetOf)}`;
  const panels: Panel[] = [
    {
      type: 'stat',
      title: `Error budget remaining (${slo.window})`,
      gridPos: grid(0, 0, 8, 6),
      datasource: DS,
      targets: [target(budget, 'remaining', 'A')],
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
          thresholds: { mode: ThresholdsMode.Absolute, steps: [{ color: 'red', value: null }, { color: 'orange', value: 0 }, { color: 'green', value: 0.25 }] },
        },
        overrides: [],
      },
    },
    {
      type: 'stat',
      title: `SLI over ${slo.window} (objective ${slo.objectivePercent}%)`,
      gridPos: grid(8, 0, 8, 6),
      datasource: DS,
      targets: [target(`1 - max without (${keys.window}) (${errorRatioRecord(slo.windowSeconds)}${sel})`, 'SLI', 'A')],
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
          decimals: 3,
          thresholds: { mode: ThresholdsMode.Absolute, steps: [{ color: 'red', value: null }, { color: 'green', value: slo.objective }] },
        },
        overrides: [],
      },
    },
    {
      type: 'state-timeline',
      title: 'Alerts',
      gridPos: grid(16, 0, 8, 6),
      datasource: DS,
      targets: [target(`max by (severity, long, short, alertstate) (ALERTS${sel.replace('}', ', alertname=~".+BudgetBurn"}')})`, '{{severity}} {{long}}/{{short}} {{alertstate}}', 'A')],
      fieldConfig: { defaults: { noValue: 'quiet' }, overrides: [] },
    },
    {
      type: 'timeseries',
      title: 'Error budget remaining over time',
      gridPos: grid(0, 6, WIDTH, 8),
      datasource: DS,
      targets: [target(budget, 'remaining', 'A')],
      fieldConfig: { defaults: { unit: 'percentunit' }, overrides: [] },
    },
    ...slo.alerting.tiers.map(
      (tier, i): Panel => ({
        type: 'timeseries',
        title: `${tier.severity}: ${tier.budgetPercent}% of the budget in ${tier.long} — burn rate over ${tier.long} and ${tier.short} against ${round(tier.factor)}×`,
        gridPos: grid((i % 2) * 12, 14 + Math.floor(i / 2) * 8, 12, 8),
        datasource: DS,
        targets: [target(burnOf(tier.longSeconds), `${tier.long} (long)`, 'A'), target(burnOf(tier.shortSeconds), `${tier.short} (short)`, 'B')],
        fieldConfig: {
          defaults: {
            decimals: 2,
            custom: { thresholdsStyle: { mode: 'dashed' } },
            thresholds: { mode: ThresholdsMode.Absolute, steps: [{ color: 'green', value: null }, { color: 'red', value: tier.factor }] },
          },
          overrides: [],
        },
      }),
    ),
  ];
  const title = `SLO ${slo.id}`;
  const dashboard = base(dashboardUid(slo.id), title, [tag, 'slo', slo.service], panels);
  dashboard.description = `${slo.description ?? slo.id}: ${slo.objectivePercent}% over ${slo.window}; windows ${tierWindows(slo.alerting.tiers).map(formatDuration).join(', ')}`;
  dashboard.links = [{ title: 'All SLOs', type: 'link', url: '/d/burnwatch-overview', asDropdown: false, icon: 'dashboard', includeVars: true, keepTime: true, tags: [], targetBlank: false, tooltip: '' }];
  return dashboard;
}

function round(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/** Grafana's file provisioning: a provider that loads the dashboards from `path`. */
export function provisioningYaml(path: string, folder = 'SLOs'): string {
  return [
    '# Grafana dashboard provisioning (put in provisioning/dashboards/); generated by burnwatch generate grafana.',
    'apiVersion: 1',
    'providers:',
    '  - name: burnwatch',
    `    folder: ${JSON.stringify(folder)}`,
    '    type: file',
    '    disableDeletion: false',
    '    allowUiUpdates: false',
    '    updateIntervalSeconds: 60',
    '    options:',
    `      path: ${JSON.stringify(path)}`,
    '',
  ].join('\n');
}

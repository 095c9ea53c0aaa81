// Sloth, OpenSLO (v1alpha, v1, v2alpha) and Pyrra files as their users have them: lists of
// documents, references between documents, SLOs without alerts, alert policies, refusals that
// say what a file is. The fixtures in test/fixtures/import were written for these tests in each
// project's documented format.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConvert } from '../../src/cli/commands/convert.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { generatePrometheusRules } from '../../src/generate/prometheus-rules.ts';
import { renderRules } from '../../src/generate/render-rules.ts';
import { convertSpecText } from '../../src/spec/convert.ts';
import { loadSpecs, loadSpecTexts } from '../../src/spec/load.ts';
import { formatProblem } from '../../src/spec/problem.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'import');
const rel = (file: string) => path.relative(REPO, path.join(FIXTURES, file));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-formats-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withoutOrigin = (slos: Slo[]) => slos.map(({ origin: _, ...rest }) => rest);
const errorsOf = (problems: ReturnType<typeof loadSpecTexts>['problems']) => problems.filter((p) => p.severity === 'error').map(formatProblem);

function load(text: string, file = 'slos/x.yaml') {
  return loadSpecTexts([{ file, text }], { env: {}, cwd: REPO, fileExists: () => true });
}

describe('every importable fixture: the original and its conversion give the same SLOs and the same rules', async () => {
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.yaml')).sort();

  it('covers Sloth, each OpenSLO dialect and Pyrra', () => {
    expect(files).toEqual([
      'openslo-ratio-timeslices.yaml',
      'openslo-v1-list.yaml',
      'openslo-v1alpha.yaml',
      'openslo-v2alpha.yaml',
      'pyrra-grouped.yaml',
      'pyrra.yaml',
      'sloth-grouped.yaml',
      'sloth-routing.yaml',
      'sloth-silent.yaml',
    ]);
  });

  for (const file of files) {
    it(file, async () => {
      const original = await loadSpecs([rel(file)], { cwd: REPO, env: {} });
      expect(errorsOf(original.problems)).toEqual([]);
      expect(original.slos.length).toBeGreaterThan(0);

      const converted = convertSpecText({ file: rel(file), text: await readFile(path.join(FIXTURES, file), 'utf8') });
      expect(converted.yaml.replace(/^#.*\n/gm, '')).not.toMatch(/openslo|pyrra\.dev|prometheus\/v1|\{\{\s*\.window|&a\d/);
      const out = path.join(dir, `converted-${file}`);
      await writeFile(out, converted.yaml);
      const reloaded = await loadSpecs([out], { cwd: REPO, env: {} });
      expect(errorsOf(reloaded.problems)).toEqual([]);
      expect(withoutOrigin(reloaded.slos)).toEqual(withoutOrigin(original.slos));

      const rules = (r: typeof original) => renderRules(generatePrometheusRules(r.slos, { sources: r.sources }), {});
      expect(rules(reloaded)).toBe(rules(original));
    });
  }
});

describe('lists of documents', () => {
  it('reads a top-level YAML list, `---` documents and a Kubernetes List alike', () => {
    const one = (name: string) => `apiVersion: burnwatch/v1
  kind: SLO
  metadata: { name: ${name}, service: s }
  spec:
    objective: 99
    indicator: { ratio: { bad: "sum(rate(e[$window]))", total: "sum(rate(t[$window]))" } }`;
    const list = `- ${one('a')}\n- ${one('b')}\n`;
    const kubeList = `apiVersion: v1\nkind: List\nitems:\n  - ${one('a').replaceAll('\n', '\n  ')}\n  - ${one('b').replaceAll('\n', '\n  ')}\n`;
    const docs = `${one('a').replaceAll('\n  ', '\n')}\n---\n${one('b').replaceAll('\n  ', '\n')}\n`;
    for (const text of [list, kubeList, docs]) {
      const { slos, problems } = load(text);
      expect(errorsOf(problems), text).toEqual([]);
      expect(slos.map((s) => s.id)).toEqual(['s/a', 's/b']);
    }
  });

  it('points a problem in a list item at its own line, and keeps loading the other items', () => {
    const { slos, problems } = load(`- apiVersion: burnwatch/v1
  kind: SLO
  metadata: { name: ok, service: s }
  spec:
    objective: 99
    indicator: { ratio: { bad: "sum(rate(e[$window]))", total: "sum(rate(t[$window]))" } }
- apiVersion: burnwatch/v1
  kind: SLO
  metadata: { name: broken, service: s }
  spec:
    objective: 100
    indicator: { ratio: { bad: "sum(rate(e[$window]))", total: "sum(rate(t[$window]))" } }
- just a string
`);
    expect(slos.map((s) => s.name)).toEqual(['ok']);
    expect(problems.map((p) => [p.line, p.path, p.severity])).toEqual([
      [11, 'spec.objective', 'error'],
      [13, '', 'error'],
    ]);
  });
});

describe('SLOs without alerts', () => {
  const native = (alerting: string) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: reads, service: feature-store }
spec:
  objective: 99.5
  indicator: { ratio: { bad: "sum(increase(e[$window]))", total: "sum(increase(t[$window]))" } }
${alerting}`;

  it('accepts alerting.tiers: [] natively: recorded, never alerting', () => {
    const { slos, problems } = load(native('  alerting:\n    tiers: []\n'));
    expect(problems).toEqual([]);
    expect(slos[0]!.alerting.tiers).toEqual([]);
    const { groups } = generatePrometheusRules(slos);
    const rules = groups[0]!.rules;
    expect(rules.some((r) => 'alert' in r)).toBe(false);
    // The SLI and its period ratio are still recorded, from a 5m base.
    expect(rules.map((r) => ('record' in r ? r.record : ''))).toEqual(
      expect.arrayContaining(['slo:sli_error:ratio_rate5m', 'slo:sli_error:ratio_rate30d', 'slo:period_error_budget_remaining:ratio']),
    );
  });

  it('imports Sloth page_alert/ticket_alert disable: true as tiers: [], and label values as strings with a warning', async () => {
    const { slos, problems } = await loadSpecs([rel('sloth-silent.yaml')], { cwd: REPO, env: {} });
    expect(slos[0]!.alerting.tiers).toEqual([]);
    expect(slos[0]!.labels).toEqual({ tier: '2', generated: 'true' });
    expect(problems.map((p) => [p.line, p.path, p.severity])).toEqual([
      [6, 'labels.tier', 'warning'],
      [7, 'labels.generated', 'warning'],
    ]);
  });
});

describe('Sloth', () => {
  it('keeps alerting.name, labels and annotations on the generated alerts; tier labels win', async () => {
    const { slos, problems } = await loadSpecs([rel('sloth-routing.yaml')], { cwd: REPO, env: {} });
    expect(problems).toEqual([]);
    const alerts = generatePrometheusRules(slos).groups[0]!.rules.filter((r) => 'alert' in r);
    expect(alerts.map((a) => ('alert' in a ? [a.alert, a.labels.severity, a.labels.routing_key, a.labels.team, a.annotations.dashboard] : []))).toEqual([
      ['EmbeddingApiErrorBudgetBurn', 'critical', 'ml-oncall', 'ml-serving', 'https://grafana.example.internal/d/embed'],
      ['EmbeddingApiErrorBudgetBurn', 'critical', 'ml-oncall', 'ml-serving', 'https://grafana.example.internal/d/embed'],
      ['EmbeddingApiErrorBudgetBurn', 'warning', undefined, 'ml-serving', 'https://grafana.example.internal/d/embed'],
      ['EmbeddingApiErrorBudgetBurn', 'warning', undefined, 'ml-serving', 'https://grafana.example.internal/d/embed'],
    ]);
  });

  it('puts the same name, labels and annotations on burnwatch\'s own notification of a page', async () => {
    const { notificationPayload } = await import('../../src/service/evaluation-cycle.ts');
    const { slos } = await loadSpecs([rel('sloth-routing.yaml')], { cwd: REPO, env: {} });
    const slo = slos[0]!;
    const evaluation = {
      id: slo.id, objective: 99.9, window: '30d', status: 'page' as const, evaluatedAt: '2026-11-20T10:00:00.000Z', sli: 0.98,
      errorBudgetRemaining: 0.5, timeToExhaustionSeconds: 3600, burnRates: {}, tiers: [], events: null,
    };
    const intent = { kind: 'firing' as const, idempotencyKey: 'k', sloId: slo.id, tierKey: 'page-1h-5m', severity: 'page' as const, since: evaluation.evaluatedAt, at: evaluation.evaluatedAt, evaluation };
    expect(notificationPayload(intent, slo)).toMatchObject({
      alertname: 'EmbeddingApiErrorBudgetBurn',
      labels: { team: 'ml-serving', severity: 'critical', routing_key: 'ml-oncall' },
      annotations: { dashboard: 'https://grafana.example.internal/d/embed' },
    });
    const ticket = notificationPayload({ ...intent, tierKey: 'ticket-1d-2h', severity: 'ticket' }, slo);
    expect(ticket).toMatchObject({ labels: { team: 'ml-serving', severity: 'warning' } });
  });

  const sloth = (extra: string, events = 'error_query: sum(rate(e[{{.window}}]))\n        total_query: sum(rate(t[{{.window}}]))') => `version: prometheus/v1
service: ranker
${extra}slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        ${events}
`;

  it('imports a query grouped by a label as groupBy: one SLO per value, as Sloth computes one ratio per value', () => {
    const { slos, problems } = load(sloth('', 'error_query: sum by (handler) (rate(e[{{.window}}]))\n        total_query: sum by (handler) (rate(t[{{.window}}]))'));
    expect(problems).toEqual([]);
    expect(slos[0]!.groupBy).toEqual({ labels: ['handler'], max: 100 });
  });

  it('refuses queries grouped by different labels', () => {
    const { slos, problems } = load(sloth('', 'error_query: sum by (handler) (rate(e[{{.window}}]))\n        total_query: sum by (code) (rate(t[{{.window}}]))'));
    expect(slos).toEqual([]);
    expect(problems).toMatchObject([{ severity: 'error', line: 9, path: 'slos[0].sli.events.total_query' }]);
  });

  it('writes out the common SLI plugins whose PromQL is a ratio of sums, as events', () => {
    const plugin = (options: string) => `version: prometheus/v1
service: k8s
slos:
  - name: apiserver
    objective: 99.9
    sli:
      plugin:
        id: sloth-common/kubernetes/apiserver/availability
${options}`;
    const { slos, problems } = load(plugin('        options: { filter: \'{verb!="WATCH",job="apiserver"}\' }\n'));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(slos[0]!.indicator).toMatchObject({
      bad: { text: 'sum(rate(apiserver_request_total{verb!="WATCH",job="apiserver",code=~"(5..|429)"}[$window]))' },
      total: { text: 'sum(rate(apiserver_request_total{verb!="WATCH",job="apiserver"}[$window]))' },
    });
    const plain = load(plugin(''));
    expect(plain.slos[0]!.indicator).toMatchObject({ total: { text: 'sum(rate(apiserver_request_total{}[$window]))' } });
  });

  it('refuses SLO plugins it cannot know and accepts the ones that leave the math as burnwatch computes it', () => {
    const unknown = load(sloth('slo_plugins:\n  chain:\n    - id: sloth.dev/contrib/something_new/v1\n'));
    expect(unknown.slos).toEqual([]);
    expect(unknown.problems).toMatchObject([{ severity: 'error', line: 5, path: 'slo_plugins.chain[0].id' }]);
    const weighted = load(sloth('slo_plugins:\n  chain:\n    - id: sloth.dev/contrib/denominator_corrected_rules/v1\n'));
    expect(weighted.problems).toEqual([]);
    expect(weighted.slos).toHaveLength(1);
  });
});

describe('OpenSLO', () => {
  it('v1alpha (the dialect Sloth reads): timeWindows, per-objective ratioMetrics, {{.window}} as $window', async () => {
    const { slos } = await loadSpecs([rel('openslo-v1alpha.yaml')], { cwd: REPO, env: {} });
    expect(slos[0]).toMatchObject({
      id: 'hstu-ranker/ranker-availability',
      window: '28d',
      objectivePercent: 99.5,
      indicator: { kind: 'ratio', good: { text: 'sum(rate(ranker_requests_total{code!~"5.."}[$window]))' }, total: { text: 'sum(rate(ranker_requests_total[$window]))' } },
    });
  });

  it('v1 as a list: the SLI by reference, its DataSource, the alert policy as a tier, the channel and the owner', async () => {
    const { slos, sources, problems } = await loadSpecs([rel('openslo-v1-list.yaml')], { cwd: REPO, env: {} });
    expect(sources).toContainEqual(expect.objectContaining({ type: 'prometheus', name: 'metrics', url: 'http://127.0.0.1:9090' }));
    expect(slos[0]).toMatchObject({
      id: 'recs-gateway/gateway-availability',
      owner: 'recs-platform',
      indicator: { bad: { source: 'metrics', text: 'sum(increase(gateway_requests_total{code=~"5.."}[$window]))' } },
      alerting: { channel: '#recs-oncall' },
    });
    // threshold 14.4 over 1h at 30d = 2 % of the budget: the workbook's first page tier.
    expect(slos[0]!.alerting.tiers.map((t) => [t.severity, t.budgetPercent, t.long, t.short, t.factor])).toEqual([['page', 2, '1h', '5m', 14.4]]);
    // The added short window is an approximation, said at the condition's lookbackWindow.
    expect(problems).toMatchObject([{ severity: 'warning', line: 46, path: 'spec.condition.lookbackWindow' }]);
  });

  it('v2alpha: sliRef and an and/or policy of burn-rate conditions as multi-window tiers', async () => {
    const { slos } = await loadSpecs([rel('openslo-v2alpha.yaml')], { cwd: REPO, env: {} });
    expect(slos[0]!.indicator).toMatchObject({ kind: 'ratio', good: { text: 'sum(rate(retrieval_duration_seconds_bucket{le="0.25"}[$window]))' } });
    expect(slos[0]!.alerting.tiers.map((t) => [t.severity, t.long, t.short, t.factor])).toEqual([
      ['page', '1h', '5m', 14.4],
      ['page', '6h', '30m', 6],
    ]);
  });

  it('resolves references across files and points a problem in the SLI at the SLI file', () => {
    const sli = `apiVersion: openslo/v1
kind: SLI
metadata: { name: errors }
spec:
  ratioMetric:
    bad: { metricSource: { type: Prometheus, spec: { query: "sum(rate(e[$window])" } } }
    total: { metricSource: { type: Prometheus, spec: { query: "sum(rate(t[$window]))" } } }
`;
    const slo = `apiVersion: openslo/v1
kind: SLO
metadata: { name: api }
spec:
  service: api
  indicatorRef: errors
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d, isRolling: true }]
  objectives: [{ target: 0.99 }]
`;
    const { slos, problems } = loadSpecTexts(
      [
        { file: 'slos/slo.yaml', text: slo },
        { file: 'slos/sli.yaml', text: sli },
      ],
      { env: {}, cwd: REPO, fileExists: () => true },
    );
    expect(slos).toEqual([]);
    expect(problems).toMatchObject([{ severity: 'error', code: 'promql', file: 'slos/sli.yaml', line: 6 }]);
  });

  it('imports RatioTimeslices as the mean of slice ratios, and says it is approximated', async () => {
    const { slos, problems } = await loadSpecs([rel('openslo-ratio-timeslices.yaml')], { cwd: REPO, env: {} });
    expect(slos[0]!.indicator).toMatchObject({
      kind: 'ratio',
      bad: { text: 'sum(sum_over_time((1 - (sum(rate(impressions_written_total[5m]))) / (sum(rate(impressions_received_total[5m]))))[$window:5m]))' },
      total: { text: 'sum(count_over_time((1 - (sum(rate(impressions_written_total[5m]))) / (sum(rate(impressions_received_total[5m]))))[$window:5m]))' },
    });
    expect(problems).toMatchObject([{ severity: 'warning', path: 'spec.budgetingMethod' }]);
  });

  it('imports label values that are not strings as strings, with a warning', () => {
    const { slos, problems } = load(`apiVersion: openslo/v1
kind: SLO
metadata:
  name: api
  labels: { tier: 1, generated: true, team: [a, b] }
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d, isRolling: true }]
  indicator:
    spec:
      ratioMetric:
        bad: { metricSource: { type: Prometheus, spec: { query: "sum(rate(e[$window]))" } } }
        total: { metricSource: { type: Prometheus, spec: { query: "sum(rate(t[$window]))" } } }
  objectives: [{ target: 0.99 }]
`);
    expect(slos[0]!.labels).toEqual({ tier: '1', generated: 'true', team: 'a,b' });
    expect(problems.map((p) => [p.severity, p.path])).toEqual([
      ['warning', 'metadata.labels.tier'],
      ['warning', 'metadata.labels.generated'],
      ['warning', 'metadata.labels.team'],
    ]);
  });

  it('lists the alert conditions it cannot express and never drops them silently', () => {
    const { slos, problems } = load(`apiVersion: openslo/v1
kind: SLO
metadata: { name: api }
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 30d, isRolling: true }]
  indicator:
    spec:
      ratioMetric:
        bad: { metricSource: { type: Prometheus, spec: { query: "sum(rate(e[$window]))" } } }
        total: { metricSource: { type: Prometheus, spec: { query: "sum(rate(t[$window]))" } } }
  objectives: [{ target: 0.99 }]
  alertPolicies:
    - kind: AlertPolicy
      metadata: { name: slow }
      spec:
        conditions:
          - kind: AlertCondition
            metadata: { name: slow-burn }
            spec:
              severity: page
              condition: { kind: burnrate, op: lte, threshold: 1, lookbackWindow: 1d, alertAfter: 5m }
`);
    expect(slos[0]!.alerting.tiers).toEqual([]);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [14, 'spec.alertPolicies'],
      [23, 'spec.alertPolicies[0].spec.conditions[0].spec.condition.op'],
    ]);
    expect(problems[1]!.message).toMatch(/op "lte".*dropped/);
  });
});

describe('Pyrra', () => {
  it('imports ratio, latency and bool-gauge indicators as ratios; alerting.disabled as tiers: []', async () => {
    const { slos } = await loadSpecs([rel('pyrra.yaml')], { cwd: REPO, env: {} });
    expect(slos.map((s) => [s.id, s.objectivePercent, s.window, s.owner, s.alerting.tiers.length])).toEqual([
      ['recs/ranker-errors', 99.5, '28d', 'recs-serving', 4],
      ['recs/ranker-latency', 99, '28d', undefined, 4],
      ['recs/feature-store-probe', 99.9, '28d', undefined, 0],
    ]);
    expect(slos[1]!.indicator).toMatchObject({ good: { text: 'sum(rate(ranker_request_duration_seconds_bucket{le="0.15"}[$window]))' } });
    expect(slos[2]!.indicator).toMatchObject({ good: { text: 'sum(sum_over_time(probe_success{job="feature-store"}[$window]))' } });
  });

  it('imports grouping as groupBy, with sums that keep the labels', () => {
    const { slos, problems } = load(`apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: { name: api, namespace: web }
spec:
  target: "99"
  window: 4w
  indicator:
    ratio:
      errors: { metric: 'http_requests_total{code=~"5.."}' }
      total: { metric: http_requests_total }
      grouping: [handler]
`);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(slos[0]).toMatchObject({
      groupBy: { labels: ['handler'] },
      indicator: { bad: { text: 'sum by (handler) (rate(http_requests_total{code=~"5.."}[$window]))' }, total: { text: 'sum by (handler) (rate(http_requests_total[$window]))' } },
    });
  });
});

describe('refused files say what they look like', () => {
  const cases: Array<[string, RegExp]> = [
    ['groups:\n  - name: x\n    rules: []\n', /Prometheus rule file/],
    ['apiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec: {}\n', /Sloth AlertWindows file.*--windows/],
    ['apiVersion: n9/v1alpha\nkind: SLO\nmetadata: { name: x }\n', /Nobl9 SLO/],
    ['apiVersion: openslo/v2alpha1\nkind: SLO\nmetadata: { name: x }\n', /OpenSLO SLO of version openslo\/v2alpha1/],
    ['apiVersion: pyrra.dev/v1alpha2\nkind: ServiceLevelObjective\n', /Pyrra ServiceLevelObjective of version/],
    ['service: x\nslos: []\n', /Sloth file: it needs version: prometheus\/v1/],
  ];
  for (const [text, message] of cases)
    it(message.source, () => {
      const { problems } = load(text);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toMatch(message);
    });
});

describe('burnwatch convert --check', () => {
  it('exits 0 for an exact conversion and 1 when something was approximated', async () => {
    expect((await runConvert([rel('sloth-routing.yaml')], REPO, { check: true })).code).toBe(0);
    const approximated = await runConvert([rel('openslo-v1-list.yaml')], REPO, { check: true });
    expect(approximated.code).toBe(1);
    expect(approximated.stderr).toMatch(/approximated/);
    // Without --check the same file converts with warnings only.
    expect((await runConvert([rel('openslo-v1-list.yaml')], REPO)).code).toBe(0);
  });
});

describe('Sloth AlertWindows (--windows)', () => {
  const WINDOWS = path.join('test', 'fixtures', 'alert-windows');
  const slothSpec = `version: prometheus/v1
service: search
slos:
  - name: availability
    objective: 99
    sli:
      events:
        error_query: sum(rate(e[{{.window}}]))
        total_query: sum(rate(t[{{.window}}]))
`;

  it('gives Sloth SLOs the only period given and its tiers, and native SLOs of that period their default tiers', async () => {
    const { loadAlertWindows } = await import('../../src/spec/load-windows.ts');
    const { tables, problems } = await loadAlertWindows([WINDOWS], REPO);
    expect(problems).toEqual([]);
    const native = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: latency, service: search }
spec:
  objective: 99
  window: 7d
  indicator: { ratio: { bad: "sum(increase(e[$window]))", total: "sum(increase(t[$window]))" } }
`;
    const { slos } = loadSpecTexts(
      [
        { file: 'slos/sloth.yaml', text: slothSpec },
        { file: 'slos/native.yaml', text: native },
      ],
      { env: {}, cwd: REPO, fileExists: () => true, windows: tables },
    );
    for (const slo of slos) {
      expect(slo.window).toBe('7d');
      // factor = budget% × period / long: 8 % × 7d / 1h = 13.44; 12.5 % × 7d / 6h = 3.5; 20 % × 7d / 1d = 1.4; 42 % × 7d / 3d = 0.98.
      expect(slo.alerting.tiers.map((t) => [t.severity, t.long, t.short, Number(t.factor.toFixed(4))])).toEqual([
        ['page', '1h', '5m', 13.44],
        ['page', '6h', '30m', 3.5],
        ['ticket', '1d', '2h', 1.4],
        ['ticket', '3d', '6h', 0.98],
      ]);
    }
  });

  it('generate prometheus --windows writes those tiers, and says where a windows file is wrong', async () => {
    const { runGeneratePrometheus } = await import('../../src/cli/commands/generate.ts');
    await writeFile(path.join(dir, 'sloth.yaml'), slothSpec);
    const ok = await runGeneratePrometheus({ slos: path.join(dir, 'sloth.yaml'), name: 'x', windows: WINDOWS }, { cwd: REPO, env: {} });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('slo:sli_error:ratio_rate7d');
    expect(ok.stdout).toContain('> 13.44');
    await writeFile(path.join(dir, 'bad-windows.yaml'), (await readFile(path.join(REPO, WINDOWS, '7d.yaml'), 'utf8')).replace('longWindow: 3d', 'longWindow: 8d'));
    const bad = await runGeneratePrometheus({ slos: path.join(dir, 'sloth.yaml'), name: 'x', windows: path.join(dir, 'bad-windows.yaml') }, { cwd: REPO, env: {} });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad-windows\.yaml:23:\d+ spec\.ticket\.slow\.longWindow: must be at most sloPeriod \(7d\)/);
  });
});

describe('OpenSLO v2alpha as the Go SDK writes it', () => {
  it('reads serviceRef, a DataSource keyed by its type, and Timeslices over a ratio on that DataSource', () => {
    const { slos, sources, problems } = load(`- apiVersion: openslo.com/v2alpha
  kind: DataSource
  metadata: { name: my-prometheus }
  spec:
    description: The cluster's Prometheus
    prometheus: { url: "http://127.0.0.1:9090" }
- apiVersion: openslo.com/v2alpha
  kind: SLO
  metadata: { name: web-availability, labels: { env: prod } }
  spec:
    serviceRef: web
    sli:
      metadata: { name: web-ok }
      spec:
        ratioMetric:
          counter: false
          good: { dataSourceRef: my-prometheus, spec: { query: 'sum(rate(http_requests_total{code!~"5.."}[$window]))' } }
          total: { dataSourceRef: my-prometheus, spec: { query: 'sum(rate(http_requests_total[$window]))' } }
    timeWindow: [{ duration: 1w, isRolling: true }]
    budgetingMethod: Timeslices
    objectives:
      - { displayName: Good, target: 0.995, timeSliceTarget: 0.95, timeSliceWindow: 1m }
`);
    expect(problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    expect(sources).toContainEqual(expect.objectContaining({ name: 'my-prometheus', type: 'prometheus', url: 'http://127.0.0.1:9090' }));
    expect(slos[0]).toMatchObject({
      id: 'web/web-availability',
      timesliceSeconds: 60,
      indicator: { kind: 'threshold', op: 'gte', value: 0.95, query: { source: 'my-prometheus', text: '(sum(rate(http_requests_total{code!~"5.."}[1m]))) / (sum(rate(http_requests_total[1m])))' } },
    });
  });
});

// Grouped SLOs on a real Prometheus: one definition with groupBy: [model] is evaluated as one SLO
// per model, each with its own budget and alerts. Three models, one burning: exactly one page,
// for that model, with the group's labels on its notification; the instances' queries are shared.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktestCommand } from '../../src/cli/commands/backtest.ts';
import { runCheck } from '../../src/cli/commands/check.ts';
import { slosView } from '../../src/app/slos-view.ts';
import { openStore } from '../../src/store/open-store.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { createPostgresDatabase } from '../helpers/test-databases.ts';
import { advanceAlerts, emptyAlertingState } from '../../src/alerting/state-machine.ts';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { GroupExpander } from '../../src/evaluator/expand-groups.ts';
import { resolveSlo } from '../../src/evaluator/group-instances.ts';
import { generatePrometheusRules } from '../../src/generate/prometheus-rules.ts';
import { errorRatioExpr } from '../../src/generate/sli-promql.ts';
import { notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.ts';
import { loadSpecTexts } from '../../src/spec/load.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';

const START = '2026-11-10T00:00:00Z';
const END = Date.parse('2026-11-13T00:00:00Z') / 1000;
const MODELS = ['ranker-a', 'ranker-b', 'ranker-c'];
const BURNING = 'ranker-b';

let prom: PrometheusServer;

beforeAll(async () => {
  let s = scenario({ start: START, end: END, step: 60 });
  for (const m of MODELS) {
    // ranker-b: 10 % errors for the last 12 minutes, enough for the 1h/5m page tier only.
    const burn = m === BURNING ? 0.1 : 0.0002;
    s = s
      .counter('serving_requests_total', { model: m, code: '200' }, [profile(20), profile(0.9998).step(END - 720, 1 - burn)])
      .counter('serving_requests_total', { model: m, code: '500' }, [profile(20), profile(0.0002).step(END - 720, burn)]);
  }
  prom = await startPrometheus(s);
});

afterAll(async () => {
  await prom?.destroy();
});

function spec(url: string): string {
  return `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${url}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: model-serving }
spec:
  objective: 99.9
  window: 30d
  groupBy: [model]
  indicator:
    ratio:
      bad: sum by (model) (increase(serving_requests_total{code="500"}[$window]))
      total: sum by (model) (increase(serving_requests_total[$window]))
  alerting:
    channel: "#ml-serving"
    minEvents: 0
    tiers:
      - { severity: page, budgetPercent: 2, long: 1h, short: 5m }
      - { severity: page, budgetPercent: 5, long: 6h, short: 30m }
`;
}

describe('grouped SLOs (spec.groupBy)', () => {
  it('evaluates one SLO per model, pages once for the burning model only, with shared queries', async () => {
    const loaded = loadSpecTexts([{ file: 'slos/serving.yaml', text: spec(prom.url) }], { env: {}, cwd: process.cwd(), fileExists: () => true });
    expect(loaded.problems).toEqual([]);
    const [template] = loaded.slos;
    expect(template!.groupBy).toEqual({ labels: ['model'], max: 100 });

    const sent: string[] = [];
    const fetchCounting: typeof fetch = (input, init) => {
      sent.push(new URLSearchParams(String(init?.body)).get('query')!);
      return fetch(input, init);
    };
    const source = new PrometheusSource({ name: 'prometheus', url: prom.url, timeoutSeconds: 30, fetch: fetchCounting });
    const sources = new Map([['prometheus', source]]);
    const at = new Date(END * 1000);

    const { slos, warnings } = await new GroupExpander().expand(loaded.slos, sources, at);
    expect(warnings).toEqual([]);
    expect(slos.map((s) => s.id)).toEqual(MODELS.map((m) => `model-serving/availability[model=${m}]`));
    expect(slos[1]!.indicator).toMatchObject({ bad: { text: `sum by (model) (increase(serving_requests_total{code="500", model="${BURNING}"}[$window]))` } });

    sent.length = 0;
    const evaluations = await evaluateAll(slos, sources, at);
    expect(evaluations.map((e) => [e.id, e.status])).toEqual([
      ['model-serving/availability[model=ranker-a]', 'ok'],
      ['model-serving/availability[model=ranker-b]', 'page'],
      ['model-serving/availability[model=ranker-c]', 'ok'],
    ]);
    // Each model has its own budget: the burning one spent more of it.
    expect(evaluations[1]!.errorBudgetRemaining!).toBeLessThan(evaluations[0]!.errorBudgetRemaining!);
    // The three instances differ only in model="…": one merged query per window, not three.
    const windows = new Set(slos.flatMap((s) => [s.windowSeconds, ...s.alerting.tiers.flatMap((t) => [t.longSeconds, t.shortSeconds])])).size;
    expect(sent.length).toBe(windows);

    const { intents } = advanceAlerts(emptyAlertingState(), evaluations);
    const pages = intents.filter((i) => i.kind === 'firing' && i.severity === 'page');
    expect(pages.map((p) => [p.sloId, p.tierKey])).toEqual([['model-serving/availability[model=ranker-b]', 'page-1h-5m']]);
    // Its notification names the model, and Slack finds the definition's channel from the id.
    const payload = notificationPayload(pages[0]!, resolveSlo(loaded.slos, pages[0]!.sloId));
    expect(payload).toMatchObject({ slo: 'model-serving/availability[model=ranker-b]', labels: { model: BURNING }, group: 'model-serving/availability' });
    expect(resolveSlo(loaded.slos, pages[0]!.sloId)!.alerting.channel).toBe('#ml-serving');
  });

  it('caps the values at maxGroups with a warning, and keeps the known values when the source does not answer', async () => {
    const text = spec(prom.url).replace('  groupBy: [model]\n', '  groupBy: [model]\n  maxGroups: 2\n');
    const loaded = loadSpecTexts([{ file: 'slos/serving.yaml', text }], { env: {}, cwd: process.cwd(), fileExists: () => true });
    expect(loaded.problems).toEqual([]);
    const at = new Date(END * 1000);
    const groups = new GroupExpander();
    const first = await groups.expand(loaded.slos, new Map([['prometheus', new PrometheusSource({ name: 'prometheus', url: prom.url, timeoutSeconds: 30 })]]), at);
    expect(first.slos.map((s) => s.group!.values.model)).toEqual(['ranker-a', 'ranker-b']);
    expect(first.warnings).toMatchObject([{ slo: 'model-serving/availability', message: expect.stringMatching(/3 values of model, more than maxGroups 2/) }]);
    // Nothing listens on port 9 of loopback: the listing fails, the two known models stay (and their evaluation says the source is down).
    const down = new Map([['prometheus', new PrometheusSource({ name: 'prometheus', url: 'http://127.0.0.1:9', timeoutSeconds: 2 })]]);
    const second = await groups.expand(loaded.slos, down, at);
    expect(second.slos.map((s) => s.id)).toEqual(first.slos.map((s) => s.id));
    expect(second.warnings[0]!.message).toMatch(/could not list the values of model .*evaluating the 2 known ones/);
    const evaluations = await evaluateAll(second.slos, down, at);
    expect(evaluations.map((e) => e.status)).toEqual(['unknown', 'unknown']);
  });

  it('evaluates an SLO without alerts (tiers: []): figures, and never a page', async () => {
    const text = spec(prom.url)
      .replace('  groupBy: [model]\n', '')
      .replace(/ {4}tiers:\n( {6}- .*\n)+/, '    tiers: []\n')
      .replaceAll('sum by (model) ', 'sum');
    const loaded = loadSpecTexts([{ file: 'slos/serving.yaml', text }], { env: {}, cwd: process.cwd(), fileExists: () => true });
    expect(loaded.problems).toEqual([]);
    expect(loaded.slos[0]!.alerting.tiers).toEqual([]);
    const source = new PrometheusSource({ name: 'prometheus', url: prom.url, timeoutSeconds: 30 });
    const [evaluation] = await evaluateAll(loaded.slos, new Map([['prometheus', source]]), new Date(END * 1000));
    expect(evaluation).toMatchObject({ status: 'ok', tiers: [] });
    expect(evaluation!.sli).toBeGreaterThan(0.99);
    expect(evaluation!.errorBudgetRemaining).not.toBeNull();
    expect(advanceAlerts(emptyAlertingState(), [evaluation!]).intents).toEqual([]);
  });

  it('burnwatch check lists one row per model and gates on the burning one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-grouped-'));
    try {
      await writeFile(path.join(dir, 'serving.yaml'), spec(prom.url));
      const io = { cwd: dir, env: {}, now: () => new Date(END * 1000) };
      const result = await runCheck({ slos: dir, format: 'json', failOn: 'page' }, io);
      expect(result.code).toBe(2);
      const json = JSON.parse(result.stdout) as { slos: Array<{ id: string; status: string; kind: string }> };
      expect(json.slos.map((s) => [s.id, s.status, s.kind])).toEqual(MODELS.map((m) => [`model-serving/availability[model=${m}]`, m === BURNING ? 'page' : 'ok', 'ratio']));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('burnwatch backtest replays a grouped SLO per model: only the burning model pages', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-grouped-'));
    try {
      await writeFile(path.join(dir, 'serving.yaml'), spec(prom.url));
      const iso = (t: number) => new Date(t * 1000).toISOString();
      const result = await runBacktestCommand(
        { slos: dir, from: iso(END - 6 * 3600), to: iso(END), step: '5m', format: 'json', progress: false },
        { cwd: dir, env: {}, now: new Date(END * 1000) },
      );
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as { result: { policies: Array<{ results: Array<{ id: string; firings: Array<{ severity: string }> }> }> } };
      const pages = report.result.policies[0]!.results.map((r) => [r.id, r.firings.filter((f) => f.severity === 'page').length > 0]);
      expect(pages).toEqual(MODELS.map((m) => [`model-serving/availability[model=${m}]`, m === BURNING]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the /api/slos view shows a grouped SLO as its evaluated instances', async () => {
    const pg = await createPostgresDatabase('bw_grouped');
    const dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-grouped-'));
    const store = await openStore({ databaseUrl: pg.url, dataDir: dir });
    try {
      const loaded = loadSpecTexts([{ file: 'slos/serving.yaml', text: spec(prom.url) }], { env: {}, cwd: process.cwd(), fileExists: () => true });
      const source = new PrometheusSource({ name: 'prometheus', url: prom.url, timeoutSeconds: 30 });
      const sources = new Map([['prometheus', source]]);
      const at = new Date(END * 1000);
      const { slos } = await new GroupExpander().expand(loaded.slos, sources, at);
      for (const e of await evaluateAll(slos, sources, at)) await saveEvaluation(store.db, e);
      const view = (await slosView(store.db, loaded.slos, [])) as { slos: Array<{ id: string; status: string }> };
      expect(view.slos.map((s) => [s.id, s.status])).toEqual(MODELS.map((m) => [`model-serving/availability[model=${m}]`, m === BURNING ? 'page' : 'ok']));
    } finally {
      await store.close();
      await pg.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the grouping in the generated Prometheus rules: one error ratio per model', async () => {
    const loaded = loadSpecTexts([{ file: 'slos/serving.yaml', text: spec(prom.url) }], { env: {}, cwd: process.cwd(), fileExists: () => true });
    const template = loaded.slos[0]!;
    const expr = errorRatioExpr(template, 3600);
    expect(expr).toContain('sum by (model) (');
    const body = new URLSearchParams({ query: expr, time: String(END) });
    const answer = (await (await fetch(`${prom.url}/api/v1/query`, { method: 'POST', body })).json()) as {
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    const byModel = Object.fromEntries(answer.data.result.map((r) => [r.metric.model, Number(r.value[1])]));
    expect(Object.keys(byModel).sort()).toEqual(MODELS);
    expect(byModel[BURNING]).toBeCloseTo((0.1 * 720 + 0.0002 * 2880) / 3600, 3);
    expect(byModel['ranker-a']).toBeCloseTo(0.0002, 4);
    const rules = generatePrometheusRules(loaded.slos).groups[0]!.rules;
    expect(rules.filter((r) => 'alert' in r)).toHaveLength(2);
  });

  it('refuses a query that sums the group label away, and warns about a grouped query without groupBy', () => {
    const text = (groupBy: string, bad: string) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: model-serving }
spec:
  objective: 99.9
${groupBy}  indicator:
    ratio:
      bad: ${bad}
      total: sum by (model) (increase(serving_requests_total[$window]))
`;
    const refused = loadSpecTexts([{ file: 'x.yaml', text: text('  groupBy: [model]\n', 'sum(increase(serving_requests_total{code="500"}[$window]))') }], { env: {} });
    expect(refused.slos).toEqual([]);
    expect(refused.problems).toMatchObject([{ severity: 'error', line: 9, path: 'spec.indicator.ratio.bad' }]);
    expect(refused.problems[0]!.message).toMatch(/sum drops model/);
    const warned = loadSpecTexts([{ file: 'x.yaml', text: text('', 'sum by (model) (increase(serving_requests_total{code="500"}[$window]))') }], { env: {} });
    expect(warned.slos).toHaveLength(1);
    expect(warned.problems.map((p) => [p.severity, p.path])).toEqual([
      ['warning', 'spec.indicator.ratio.bad'],
      ['warning', 'spec.indicator.ratio.total'],
    ]);
    expect(warned.problems[0]!.message).toMatch(/add spec.groupBy: \[model\]/);
  });
});

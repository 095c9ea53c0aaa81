import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slo } from '../../src/domain/slo.ts';
import { convertSpecText } from '../../src/spec/convert.ts';
import { loadSpecs, loadSpecTexts } from '../../src/spec/load.ts';
import { formatProblem } from '../../src/spec/problem.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const IMPORTED = path.join(REPO, 'slos', 'imported');
const SOURCES = `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: warehouse }
spec:
  bigquery: { projectId: recs }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withoutOrigin = (slos: Slo[]) => slos.map(({ origin: _, ...rest }) => rest);

function load(text: string, file = 'slos/x.yaml') {
  return loadSpecTexts([{ file, text }, { file: 'slos/sources.yaml', text: SOURCES }], { env: {}, cwd: REPO, fileExists: () => true });
}

describe('round trips: import → convert → load gives the same SLOs', async () => {
  const files = (await readdir(IMPORTED)).filter((f) => f.endsWith('.yaml'));

  it('has a Sloth and an OpenSLO example in slos/imported', () => {
    expect(files.sort()).toEqual(['openslo-search.yaml', 'sloth-candidate-retrieval.yaml']);
  });

  for (const file of files) {
    it(file, async () => {
      const original = await loadSpecs([path.join('slos', 'imported', file)], { cwd: REPO, env: {} });
      expect(original.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(original.slos.length).toBeGreaterThan(0);

      const text = await readFile(path.join(IMPORTED, file), 'utf8');
      const converted = convertSpecText({ file, text });
      expect(converted.yaml).toContain('apiVersion: burnwatch/v1');
      expect(converted.yaml.replace(/^#.*\n/gm, '')).not.toMatch(/openslo|prometheus\/v1|\{\{\s*\.window/);
      const out = path.join(dir, `converted-${file}`);
      await writeFile(out, converted.yaml);
      const reloaded = await loadSpecs([out], { cwd: REPO, env: {} });
      expect(reloaded.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
      expect(withoutOrigin(reloaded.slos)).toEqual(withoutOrigin(original.slos));
      // Converting the converted file changes nothing.
      expect(convertSpecText({ file: out, text: converted.yaml }).yaml.replace(/^#.*\n/gm, '')).toBe(converted.yaml.replace(/^#.*\n/gm, ''));
    });
  }
});

describe('Sloth', () => {
  it('maps events to a ratio over $window with Sloth\'s 30d period and no low-traffic guard', async () => {
    const { slos, problems } = await loadSpecs(['slos/imported/sloth-candidate-retrieval.yaml'], { cwd: REPO, env: {} });
    expect(slos).toHaveLength(1);
    const [slo] = slos;
    expect(slo).toMatchObject({
      id: 'candidate-retrieval/requests-availability',
      objectivePercent: 99.9,
      window: '30d',
      labels: { owner: 'recs-serving' },
      indicator: {
        kind: 'ratio',
        bad: { source: 'prometheus', language: 'promql', text: 'sum(rate(retrieval_requests_total{code=~"(5..|429)"}[$window]))' },
        total: { source: 'prometheus', language: 'promql', text: 'sum(rate(retrieval_requests_total[$window]))' },
      },
      alerting: { minEvents: 0, runbook: 'playbooks/candidate-retrieval-availability.md' },
    });
    // ticket_alert.disable: true keeps the page tiers only.
    expect(slo!.alerting.tiers.map((t) => [t.severity, t.factor])).toEqual([
      ['page', 14.4],
      ['page', 6],
    ]);
    // Sloth's alert name is kept for the generated alerts.
    expect(slo!.alerting.name).toBe('CandidateRetrievalHighErrorRate');
    expect(problems).toEqual([]);
  });

  it('reads the Kubernetes PrometheusServiceLevel (camelCase) form and merges labels', () => {
    const { slos, problems } = load(`apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: { name: ranker, namespace: recs }
spec:
  service: hstu-ranker
  labels: { team: recs }
  slos:
    - name: latency
      objective: 99
      labels: { category: latency }
      sli:
        events:
          errorQuery: sum(rate(ranker_request_duration_seconds_count[{{ .window }}])) - sum(rate(ranker_request_duration_seconds_bucket{le="0.15"}[{{.window}}]))
          totalQuery: sum(rate(ranker_request_duration_seconds_count[{{.window}}]))
      alerting:
        name: RankerLatency
        pageAlert:
          disable: true
        ticketAlert:
          labels: { severity: warning }
`);
    expect(slos).toHaveLength(1);
    expect(slos[0]).toMatchObject({ id: 'hstu-ranker/latency', labels: { team: 'recs', category: 'latency' } });
    expect(slos[0]!.indicator.kind === 'ratio' && slos[0]!.indicator.bad!.text).toBe(
      'sum(rate(ranker_request_duration_seconds_count[$window])) - sum(rate(ranker_request_duration_seconds_bucket{le="0.15"}[$window]))',
    );
    // The ticket alert's labels stay on its tiers, so Alertmanager routes on severity: warning keep matching.
    expect(slos[0]!.alerting.tiers.map((t) => [t.severity, t.labels])).toEqual([
      ['ticket', { severity: 'warning' }],
      ['ticket', { severity: 'warning' }],
    ]);
    expect(slos[0]!.alerting.name).toBe('RankerLatency');
    expect(problems).toEqual([]);
  });

  it('imports a raw error ratio as bad / vector(1) and says so', () => {
    const { slos, problems } = load(`version: prometheus/v1
service: ranker
slos:
  - name: errors
    objective: 99.5
    sli:
      raw:
        error_ratio_query: slo:sli_error:ratio_rate5m{slo="x"}
`);
    expect(slos[0]!.indicator).toMatchObject({ kind: 'ratio', bad: { text: 'slo:sli_error:ratio_rate5m{slo="x"}' }, total: { text: 'vector(1)' } });
    expect(problems).toMatchObject([{ severity: 'warning', line: 7, path: 'slos[0].sli.raw' }]);
    expect(problems[0]!.message).toMatch(/no event counts/);
  });

  it('points errors at the Sloth field that caused them', () => {
    const { slos, problems } = load(`version: prometheus/v1
service: ranker
slos:
  - name: ok
    objective: 99
    sli:
      events:
        error_query: sum(rate(a[{{.window}}]))
        total_query: sum(rate(b[{{.window}}]))
  - name: broken-query
    objective: 99
    sli:
      events:
        error_query: sum(rate(a[{{.window}}])
        total_query: sum(rate(b[{{.window}}]))
  - name: too-high
    objective: 100
    sli:
      events:
        error_query: sum(rate(a[{{.window}}]))
        total_query: sum(rate(b[{{.window}}]))
  - name: plugin
    objective: 99
    sli:
      plugin:
        id: sloth-common/coredns/latency
`);
    expect(slos.map((s) => s.name)).toEqual(['ok']);
    expect(problems.filter((p) => p.severity === 'error').map((p) => [p.line, p.path])).toEqual([
      [14, 'slos[1].sli.events.error_query'],
      [17, 'slos[2].objective'],
      [26, 'slos[3].sli.plugin.id'],
    ]);
    expect(problems.find((p) => p.line === 17)!.message).toBe('must be below 100, got 100');
    expect(problems.find((p) => p.line === 26)!.message).toMatch(/plugins .* cannot be imported/);
  });

  it('warns about fields it does not know instead of failing', () => {
    const { slos, problems } = load(`version: prometheus/v1
service: ranker
slos:
  - name: ok
    objective: 99
    descripton: typo
    sli:
      events:
        error_query: sum(rate(a[{{.window}}]))
        total_query: sum(rate(b[{{.window}}]))
`);
    expect(slos).toHaveLength(1);
    expect(problems).toMatchObject([{ severity: 'warning', line: 6, path: 'slos[0].descripton' }]);
    expect(problems[0]!.message).toMatch(/did you mean "description"\?.*ignored/);
  });

  it('imports an SLO with both alerts disabled as one that never alerts', () => {
    const { slos, problems } = load(`version: prometheus/v1
service: ranker
slos:
  - name: silent
    objective: 99
    sli:
      events: { error_query: "sum(rate(a[{{.window}}]))", total_query: "sum(rate(b[{{.window}}]))" }
    alerting:
      page_alert: { disable: true }
      ticket_alert: { disable: true }
`);
    expect(problems).toEqual([]);
    expect(slos).toHaveLength(1);
    expect(slos[0]!.alerting.tiers).toEqual([]);
  });
});

describe('OpenSLO', () => {
  const slo = (spec: string, metadata = 'name: search') => `apiVersion: openslo/v1
kind: SLO
metadata:
  ${metadata}
spec:
  service: search
${spec}`;
  const ratio = `  indicator:
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: { type: Prometheus, spec: { query: 'search_requests_total{code!~"5.."}' } }
        total:
          metricSource: { type: Prometheus, spec: { query: 'sum(search_requests_total)' } }
`;

  it('imports the example: a counter ratio and a threshold over time slices', async () => {
    const { slos, problems } = await loadSpecs(['slos/imported/openslo-search.yaml'], { cwd: REPO, env: {} });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(slos.map((s) => [s.id, s.indicator.kind, s.objectivePercent, s.window])).toEqual([
      ['product-search/search-availability', 'ratio', 99.5, '28d'],
      ['product-search/search-latency-p99', 'threshold', 99, '7d'],
    ]);
    expect(slos[0]!.indicator).toMatchObject({ bad: { text: 'sum(increase(search_requests_total{code=~"5.."}[$window]))' } });
    expect(slos[1]!.indicator).toMatchObject({ op: 'lte', value: 0.3 });
    expect(slos[1]!.timesliceSeconds).toBe(60);
  });

  it('wraps a counter expression in a subquery and warns that it is approximate', () => {
    const { slos, problems } = load(slo(`${ratio}  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.99\n`));
    expect(slos[0]!.indicator).toMatchObject({ total: { text: 'sum(increase((sum(search_requests_total))[$window:1m]))' } });
    expect(problems).toContainEqual(expect.objectContaining({ severity: 'warning', line: 14, path: 'spec.indicator.spec.ratioMetric.total.metricSource.spec.query' }));
  });

  it('makes one SLO per objective', () => {
    const { slos } = load(
      slo(`${ratio}  budgetingMethod: Occurrences\n  objectives:\n    - { displayName: Fast burn, target: 0.99 }\n    - { name: strict, target: 0.999 }\n`),
    );
    expect(slos.map((s) => [s.id, s.objectivePercent])).toEqual([
      ['search/search-fast-burn', 99],
      ['search/search-strict', 99.9],
    ]);
  });

  it('imports a ratio over time slices as a per-slice threshold', () => {
    const { slos, problems } = load(
      slo(`${ratio}  budgetingMethod: Timeslices\n  objectives:\n    - { target: 0.95, timeSliceTarget: 0.99, timeSliceWindow: 5m }\n`),
    );
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(slos[0]!.indicator).toEqual({
      kind: 'threshold',
      query: {
        source: 'prometheus',
        language: 'promql',
        text: '(sum(increase(search_requests_total{code!~"5.."}[5m]))) / (sum(increase((sum(search_requests_total))[5m:1m])))',
      },
      op: 'gte',
      value: 0.99,
    });
    expect(slos[0]!.timesliceSeconds).toBe(300);
  });

  it('reads BigQuery metric sources as SQL on the referenced DataSource', () => {
    const { slos, problems } = load(
      slo(`  indicator:
    spec:
      thresholdMetric:
        metricSource:
          metricSourceRef: warehouse
          type: BigQuery
          spec:
            projectId: recs
            query: SELECT ts, ndcg AS value FROM eval WHERE ts >= @start AND ts < @end
  budgetingMethod: Timeslices
  objectives:
    - { op: gte, value: 0.4, target: 0.95, timeSliceWindow: 1m }
`),
    );
    expect(slos[0]!.indicator).toMatchObject({ kind: 'threshold', query: { source: 'warehouse', language: 'sql' } });
    expect(problems).toContainEqual(expect.objectContaining({ severity: 'warning', line: 14, path: 'spec.indicator.spec.thresholdMetric.metricSource.spec.projectId' }));
  });

  it('says what it cannot express', () => {
    const cases: Array<[string, number, string, RegExp]> = [
      [
        slo(`${ratio}  budgetingMethod: Occurrences\n  timeWindow:\n    - { duration: 1M, isRolling: false }\n  objectives:\n    - target: 0.99\n`),
        17,
        'spec.timeWindow[0].duration',
        /not a Prometheus duration/,
      ],
      [
        slo(
          `  indicator:\n    spec:\n      thresholdMetric:\n        metricSource: { type: Datadog, spec: { query: "avg:latency" } }\n  budgetingMethod: Timeslices\n  objectives:\n    - { op: lte, value: 1, target: 0.9 }\n`,
        ),
        10,
        'spec.indicator.spec.thresholdMetric.metricSource.type',
        /type "Datadog" is not supported/,
      ],
      [slo(`  indicatorRef: search-errors\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.99\n`), 7, 'spec.indicatorRef', /no OpenSLO SLI named "search-errors"/],
    ];
    for (const [text, line, field, message] of cases) {
      const { slos, problems } = load(text);
      expect(slos).toEqual([]);
      const error = problems.find((p) => p.severity === 'error');
      expect(error, text).toMatchObject({ line, path: field });
      expect(error!.message).toMatch(message);
    }
  });

  it('imports a calendar window as rolling, with a warning', () => {
    const { slos, problems } = load(
      slo(`${ratio}  budgetingMethod: Occurrences\n  timeWindow:\n    - { duration: 28d, isRolling: false }\n  objectives:\n    - target: 0.99\n`),
    );
    expect(slos[0]!.window).toBe('28d');
    expect(problems.filter((p) => p.severity === 'warning').map((p) => p.path)).toEqual([
      'spec.indicator.spec.ratioMetric.total.metricSource.spec.query',
      'spec.timeWindow[0].isRolling',
    ]);
  });

  it('reads Service documents through the SLOs and skips kinds it does not know with a warning', () => {
    expect(load('apiVersion: openslo/v1\nkind: Service\nmetadata: { name: search }\nspec: { description: x }\n').problems).toEqual([]);
    const { slos, problems } = load('apiVersion: openslo/v1\nkind: BudgetAdjustment\nmetadata: { name: search }\nspec: { description: x }\n');
    expect(slos).toEqual([]);
    expect(problems).toMatchObject([{ severity: 'warning', line: 2, path: 'kind' }]);
  });
});

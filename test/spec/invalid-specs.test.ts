// Table of broken specs: each must be reported at the right file, line and field, with a message
// that says what to do. A line marked `# <-` is where the problem must be reported.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpecs } from '../../src/spec/load.ts';
import type { Problem } from '../../src/spec/problem.ts';

const SOURCES = `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: warehouse }
spec:
  bigquery: { projectId: recs, location: US }
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: registry }
spec:
  postgres: { url: "postgres://localhost/registry" }
`;

/** A valid SLO; cases replace one line of it. */
function slo(lines: { metadata?: string; spec?: string; indicator?: string; alerting?: string } = {}): string {
  return `apiVersion: burnwatch/v1
kind: SLO
metadata:
  name: ranking-availability
  service: hstu-ranker
${lines.metadata ?? ''}spec:
  objective: 99.9
${lines.spec ?? ''}  indicator:
${
  lines.indicator ??
  `    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`
}  alerting:
    channel: "#recs"
${lines.alerting ?? ''}`;
}

interface Case {
  name: string;
  yaml: string;
  field: string;
  message: RegExp;
  env?: Record<string, string>;
}

const cases: Case[] = [
  { name: 'objective of 100', yaml: slo().replace('objective: 99.9', 'objective: 100 # <-'), field: 'spec.objective', message: /must be below 100, got 100/ },
  { name: 'objective of 0', yaml: slo().replace('objective: 99.9', 'objective: 0 # <-'), field: 'spec.objective', message: /must be above 0, got 0/ },
  { name: 'objective as text', yaml: slo().replace('objective: 99.9', 'objective: "99.9%" # <-'), field: 'spec.objective', message: /must be a number, got "99.9%"/ },
  { name: 'objective missing', yaml: slo().replace('  objective: 99.9\n', '').replace('spec:', 'spec: # <-'), field: 'spec.objective', message: /is required/ },
  { name: 'misspelt spec field', yaml: slo({ spec: '  objectiv: 99 # <-\n' }), field: 'spec.objectiv', message: /unknown field "objectiv" \(did you mean "objective"\?\)/ },
  { name: 'misspelt metadata field', yaml: slo({ metadata: '  ownr: recs # <-\n' }), field: 'metadata.ownr', message: /did you mean "owner"/ },
  { name: 'window not a duration', yaml: slo({ spec: '  window: 28 days # <-\n' }), field: 'spec.window', message: /must be a Prometheus duration.*got "28 days"/ },
  { name: 'window as a number', yaml: slo({ spec: '  window: 30 # <-\n' }), field: 'spec.window', message: /Prometheus duration.*got 30/ },
  { name: 'name with capitals', yaml: slo().replace('name: ranking-availability', 'name: Ranking_Availability # <-'), field: 'metadata.name', message: /lower-case/ },
  { name: 'service missing', yaml: slo().replace('  service: hstu-ranker\n', '').replace('metadata:', 'metadata: # <-'), field: 'metadata.service', message: /is required/ },
  { name: 'label value not a string', yaml: slo({ metadata: '  labels: { tier: 1 } # <-\n' }), field: 'metadata.labels.tier', message: /must be a string, got 1/ },
  {
    name: 'misspelt indicator kind',
    yaml: slo({ indicator: '    latncy: { metric: x, threshold: 150ms } # <-\n' }),
    field: 'spec.indicator.latncy',
    message: /did you mean "latency"/,
  },
  {
    name: 'two indicator kinds',
    yaml: slo({ indicator: '    freshness: { query: max(x), maxAge: 1h }\n    threshold: { query: max(x), op: gte, value: 1 }\n' }).replace('  indicator:\n', '  indicator: # <-\n'),
    field: 'spec.indicator',
    message: /exactly one indicator/,
  },
  {
    name: 'ratio with good and bad',
    yaml: slo({ indicator: '    ratio: # <-\n      good: sum(rate(a[$window]))\n      bad: sum(rate(b[$window]))\n      total: sum(rate(c[$window]))\n' }),
    field: 'spec.indicator.ratio',
    message: /both good and bad/,
  },
  {
    name: 'ratio without total',
    yaml: slo({ indicator: '    ratio: # <-\n      good: sum(rate(a[$window]))\n' }),
    field: 'spec.indicator.ratio.total',
    message: /is required/,
  },
  {
    name: 'PromQL syntax error',
    yaml: slo({ indicator: '    ratio:\n      bad: sum(rate(a[$window]) # <-\n      total: sum(rate(c[$window]))\n' }),
    field: 'spec.indicator.ratio.bad',
    message: /PromQL syntax error at 1:\d+ of the query: unexpected end of query/,
  },
  {
    name: 'unknown PromQL function',
    yaml: slo({ indicator: '    freshness:\n      query: maxx(model_last_deploy_success_timestamp_seconds) # <-\n      maxAge: 6h\n' }),
    field: 'spec.indicator.freshness.query',
    message: /PromQL syntax error at 1:5 .*is "maxx" a PromQL function/,
  },
  {
    name: 'PromQL error on the third line of a block query',
    yaml: slo({ indicator: '    threshold:\n      query: | # <-\n        avg(\n          ndcg{model="x"}\n          ) +\n      op: gte\n      value: 0.4\n' }),
    field: 'spec.indicator.threshold.query',
    message: /PromQL syntax error at 3:\d+ of the query: unexpected end of query/,
  },
  {
    name: 'misspelt query form',
    yaml: slo({ indicator: '    ratio:\n      bad: sum(rate(a[$window]))\n      total: { promq: "sum(rate(c[$window]))" } # <-\n' }),
    field: 'spec.indicator.ratio.total.promq',
    message: /did you mean "promql"/,
  },
  {
    name: 'query as a number',
    yaml: slo({ indicator: '    freshness:\n      query: 42 # <-\n      maxAge: 6h\n' }),
    field: 'spec.indicator.freshness.query',
    message: /must be a string or a mapping, got 42/,
  },
  {
    name: 'SQL on a Prometheus source',
    yaml: slo({ indicator: '    freshness:\n      query: { sql: "select max(ts) from t" } # <-\n      maxAge: 6h\n' }),
    field: 'spec.indicator.freshness.query.sql',
    message: /SQL cannot run on DataSource "prometheus"/,
  },
  {
    name: 'PromQL on a BigQuery source',
    yaml: slo({ spec: '  source: warehouse\n', indicator: '    freshness:\n      query: { promql: "max(x)" } # <-\n      maxAge: 6h\n' }),
    field: 'spec.indicator.freshness.query.promql',
    message: /PromQL cannot run on DataSource "warehouse" \(a bigquery source\)/,
  },
  {
    name: 'unknown SQL parameter',
    yaml: slo({ spec: '  source: warehouse\n', indicator: '    freshness:\n      query: "SELECT max(ts) AS last_update FROM t WHERE ts <= @ned" # <-\n      maxAge: 6h\n' }),
    field: 'spec.indicator.freshness.query',
    message: /unknown SQL parameter @ned \(did you mean "end"\?\)/,
  },
  { name: 'unknown DataSource', yaml: slo({ spec: '  source: warehose # <-\n' }), field: 'spec.source', message: /no DataSource named "warehose" \(did you mean "warehouse"\?\)/ },
  {
    name: 'unknown per-query DataSource',
    yaml: slo({ indicator: '    ratio:\n      good: { sql: "select count(*) from t", source: regitry } # <-\n      total: sum(rate(c[$window]))\n' }),
    field: 'spec.indicator.ratio.good.source',
    message: /did you mean "registry"/,
  },
  {
    name: 'latency on a SQL source',
    yaml: slo({ indicator: '    latency:\n      metric: ranker_request_duration_seconds\n      threshold: 150ms\n      source: warehouse # <-\n' }),
    field: 'spec.indicator.latency.source',
    message: /reads a Prometheus histogram, and DataSource "warehouse" is a bigquery source/,
  },
  {
    name: 'activeWhen on a SQL source',
    yaml: slo({
      spec: '  source: registry\n',
      indicator: '    throughput:\n      query: "SELECT ts, value FROM training_metrics WHERE ts >= @start AND ts < @end"\n      min: 50000\n      activeWhen: "SELECT 1 AS active" # <-\n',
    }),
    field: 'spec.indicator.throughput.activeWhen',
    message: /is for PromQL only; with SQL, return \(ts, value\) rows only while the job is active/,
  },
  {
    name: 'latency threshold not a duration',
    yaml: slo({ indicator: '    latency: { metric: ranker_request_duration_seconds, threshold: 150 millis } # <-\n' }),
    field: 'spec.indicator.latency.threshold',
    message: /positive number of seconds \(0\.15\) or a duration \(150ms\), got "150 millis"/,
  },
  {
    name: 'latency metric with _bucket',
    yaml: slo({ indicator: '    latency: { metric: ranker_request_duration_seconds_bucket, threshold: 0.15 } # <-\n' }),
    field: 'spec.indicator.latency.metric',
    message: /without its suffix: ranker_request_duration_seconds$/,
  },
  {
    name: 'latency selector that does not parse',
    yaml: slo({ indicator: "    latency: { metric: ranker_request_duration_seconds, threshold: 0.15, selector: 'route=/rank' } # <-\n" }),
    field: 'spec.indicator.latency.selector',
    message: /not a PromQL label selector/,
  },
  {
    name: 'threshold op misspelt',
    yaml: slo({ indicator: '    threshold: { query: max(ndcg), op: ge, value: 0.4 } # <-\n' }),
    field: 'spec.indicator.threshold.op',
    message: /must be one of gte, gt, lte, lt, got "ge" \(did you mean "gte"\?\)/,
  },
  {
    name: 'throughput min negative',
    yaml: slo({ indicator: '    throughput: { query: "sum(rate(x[5m]))", min: -1 } # <-\n' }),
    field: 'spec.indicator.throughput.min',
    message: /must be above 0, got -1/,
  },
  {
    name: 'freshness without maxAge',
    yaml: slo({ indicator: '    freshness: { query: max(x) } # <-\n' }),
    field: 'spec.indicator.freshness.maxAge',
    message: /is required/,
  },
  { name: 'tier short not below long', yaml: slo({ alerting: '    tiers:\n      - { severity: page, budgetPercent: 2, long: 1h, short: 1h } # <-\n' }), field: 'spec.alerting.tiers[0].short', message: /must be shorter than long \(1h\), got 1h/ },
  {
    name: 'tier long beyond the window',
    yaml: slo({ spec: '  window: 7d\n', alerting: '    tiers:\n      - { severity: ticket, budgetPercent: 10, long: 14d } # <-\n' }),
    field: 'spec.alerting.tiers[0].long',
    message: /at most the SLO window 7d, got 14d/,
  },
  { name: 'tier severity misspelt', yaml: slo({ alerting: '    tiers:\n      - { severity: pager, budgetPercent: 2, long: 1h } # <-\n' }), field: 'spec.alerting.tiers[0].severity', message: /did you mean "page"/ },
  { name: 'minEvents fractional', yaml: slo({ alerting: '    minEvents: 2.5 # <-\n' }), field: 'spec.alerting.minEvents', message: /whole number, got 2.5/ },
  { name: 'runbook that does not exist', yaml: slo({ alerting: '    runbook: playbooks/nope.md # <-\n' }), field: 'spec.alerting.runbook', message: /"playbooks\/nope.md" does not exist/ },
  {
    name: 'post-mortem template that does not exist',
    yaml: slo({ alerting: '    postmortemTemplate: playbooks/pm.hbs # <-\n' }),
    field: 'spec.alerting.postmortemTemplate',
    message: /does not exist/,
  },
  {
    name: 'timeslice longer than the shortest alert window',
    yaml: slo({ spec: '  timeslice: 10m # <-\n', indicator: '    freshness: { query: max(x), maxAge: 1h }\n' }),
    field: 'spec.timeslice',
    message: /no longer than the shortest alert window \(5m\), got 10m/,
  },
  {
    name: 'remediation target misspelt',
    yaml: slo({ spec: '  remediation:\n    rolback: { kind: Deployment, namespace: recs, name: hstu-ranker } # <-\n' }),
    field: 'spec.remediation.rolback',
    message: /did you mean "rollback"/,
  },
  {
    name: 'rollback of a kind burnwatch cannot roll back',
    yaml: slo({ spec: '  remediation:\n    rollback: { kind: Deploymnet, namespace: recs, name: hstu-ranker } # <-\n' }),
    field: 'spec.remediation.rollback.kind',
    message: /must be one of Deployment, Rollout, InferenceService, got "Deploymnet" \(did you mean "Deployment"\?\)/,
  },
  {
    name: 're-run of something that is not a re-run target',
    yaml: slo({ spec: '  remediation:\n    rerun: { kind: Job, namespace: training, name: daily } # <-\n' }),
    field: 'spec.remediation.rerun.kind',
    message: /must be one of CronJob, AirflowDag, WorkflowTemplate, got "Job"/,
  },
  {
    name: 'environment variable where no address or secret belongs',
    yaml: slo({ alerting: `    runbook: "\${RUNBOOK_DIR}/x.md" # <-\n` }),
    field: 'spec.alerting.runbook',
    message: /environment variables are expanded only in a DataSource's url, headers/,
  },
  {
    // Alone, an unset variable makes the DataSource "not configured" (a warning; test/spec/not-configured.test.ts).
    name: 'unset environment variable beside a malformed one',
    yaml: `apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: prom }\nspec:\n  prometheus: { url: "\${PROM_URL_UNSET}", headers: { X: "\${1BAD}" } } # <-\n`,
    field: 'spec.prometheus.url',
    message: /environment variable PROM_URL_UNSET is not set/,
  },
  { name: 'unknown apiVersion', yaml: slo().replace('apiVersion: burnwatch/v1', 'apiVersion: burnwatch/v2 # <-'), field: 'apiVersion', message: /did you mean "burnwatch\/v1"/ },
  { name: 'unknown kind', yaml: slo().replace('kind: SLO', 'kind: Slo # <-'), field: 'kind', message: /did you mean "SLO"/ },
  { name: 'YAML duplicate key', yaml: slo().replace('  objective: 99.9', '  objective: 99.9\n  objective: 99 # <-'), field: '', message: /YAML: Map keys must be unique/ },
  { name: 'YAML tab indentation', yaml: slo().replace('  objective: 99.9', '\tobjective: 99.9 # <-'), field: '', message: /YAML: .*[Tt]ab/ },
  {
    name: 'DataSource with two backends',
    yaml: 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: metrics }\nspec: # <-\n  prometheus: { url: "http://localhost:9090" }\n  postgres: { url: "postgres://x" }\n',
    field: 'spec',
    message: /exactly one of prometheus, bigquery, postgres or airflow/,
  },
  {
    name: 'DataSource with a bad URL',
    yaml: 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: metrics }\nspec:\n  prometheus: { url: "localhost 9090" } # <-\n',
    field: 'spec.prometheus.url',
    message: /must be a URL/,
  },
  {
    name: 'DataSource URL error does not print the password',
    yaml: 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: registry }\nspec:\n  postgres: { url: "mysql://burnwatch:s3cret@db:3306/registry" } # <-\n',
    field: 'spec.postgres.url',
    message: /^must be a postgres:\/\/ connection URL \(or sqlite:\/\/<file>, pglite:\/\/<dir>\), got "mysql:\/\/burnwatch:\*\*\*@db:3306\/registry"$/,
  },
  {
    name: 'DataSource header error does not print the value',
    yaml: 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: metrics }\nspec:\n  prometheus:\n    url: "http://localhost:9090"\n    headers: { Authorization: 12345 } # <-\n',
    field: 'spec.prometheus.headers.Authorization',
    message: /^must be a string$/,
  },
  {
    name: 'DataSource with a bad byte limit',
    yaml: 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: metrics }\nspec:\n  bigquery: { projectId: p, maximumBytesBilled: 10 gigs } # <-\n',
    field: 'spec.bigquery.maximumBytesBilled',
    message: /size such as 10GB/,
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-spec-'));
  await mkdir(path.join(dir, 'slos'));
  await mkdir(path.join(dir, 'playbooks'));
  await writeFile(path.join(dir, 'slos', 'sources.yaml'), SOURCES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('invalid specs name file, line and field', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const file = `slos/case-${i}.yaml`;
      await writeFile(path.join(dir, file), c.yaml);
      const line = c.yaml.split('\n').findIndex((l) => l.includes('# <-')) + 1;
      expect(line).toBeGreaterThan(0);
      const { problems, slos } = await loadSpecs(['slos/sources.yaml', file], { cwd: dir, env: c.env ?? {} });
      const errors = problems.filter((p) => p.severity === 'error');
      const match = errors.find((p: Problem) => p.message.match(c.message));
      expect(match, `no error matching ${c.message} in:\n${errors.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`).join('\n')}`).toBeDefined();
      expect(match).toMatchObject({ file, line, path: c.field });
      expect(slos).toEqual([]);
    });
  });
});

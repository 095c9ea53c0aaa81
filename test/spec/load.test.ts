// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} expansion
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSpecs } from '../../src/spec/load.ts';
import { formatProblem } from '../../src/spec/problem.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-load-'));
  await mkdir(path.join(dir, 'slos', 'team'), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = (file: string, text: string) => writeFile(path.join(dir, file), text);

function sloDoc(name: string, service = 'hstu-ranker', extra = ''): string {
  return `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ${name}, service: ${service} }
spec:
  objective: 99.9
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
${extra}`;
}

describe('loadSpecs', () => {
  it('loads the examples in slos/ without errors or warnings', async () => {
    const { slos, sources, problems } = await loadSpecs(['slos'], { cwd: REPO, env: {} });
    expect(problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    expect(slos.map((s) => s.id).sort()).toEqual(
      [
        'candidate-retrieval/requests-availability',
        'embeddings/item-embeddings-freshness',
        'hstu-ranker/model-freshness',
        'hstu-ranker/offline-ndcg',
        'hstu-ranker/ranking-availability',
        'hstu-ranker/ranking-latency',
        'hstu-ranker/training-throughput',
        'interaction-logging/impression-logging',
        'product-search/search-availability',
        'product-search/search-latency-p99',
        'training-platform/training-run-success',
      ].sort(),
    );
    expect(sources.map((s) => `${s.name}:${s.type}`).sort()).toEqual(['prometheus:prometheus', 'registry:postgres', 'warehouse:bigquery']);
    const kinds = new Set(slos.map((s) => s.indicator.kind));
    expect(kinds).toEqual(new Set(['latency', 'ratio', 'freshness', 'throughput', 'threshold']));
  });

  it('normalizes queries into QueryRefs bound to their source and language', async () => {
    const { slos } = await loadSpecs(['slos'], { cwd: REPO, env: {} });
    const byId = new Map(slos.map((s) => [s.id, s]));
    const mixed = byId.get('interaction-logging/impression-logging')!.indicator;
    expect(mixed.kind).toBe('ratio');
    if (mixed.kind !== 'ratio') return;
    expect(mixed.good).toMatchObject({ source: 'warehouse', language: 'sql' });
    expect(mixed.good!.text).toContain('@start');
    expect(mixed.total).toEqual({ source: 'prometheus', language: 'promql', text: 'sum(increase(ranker_impressions_served_total[$window]))' });
    const registry = byId.get('training-platform/training-run-success')!.indicator;
    expect(registry.kind === 'ratio' && registry.bad).toMatchObject({ source: 'registry', language: 'sql' });
    const latency = byId.get('hstu-ranker/ranking-latency')!;
    expect(latency.indicator).toEqual({
      kind: 'latency',
      source: 'prometheus',
      metric: 'ranker_request_duration_seconds',
      selector: 'route="/rank"',
      thresholdSeconds: 0.15,
    });
    expect(latency.remediation).toEqual({ rollback: { kind: 'Deployment', namespace: 'recs', name: 'hstu-ranker' } });
    const throughput = byId.get('hstu-ranker/training-throughput')!.indicator;
    expect(throughput.kind === 'throughput' && throughput.activeWhen?.text).toBe('max(training_job_active{job="hstu-ranker-daily"}) > 0');
  });

  it('applies the documented defaults', async () => {
    await write('slos/a.yaml', sloDoc('avail'));
    const { slos, sources, problems } = await loadSpecs(['slos'], { cwd: dir, env: { PROMETHEUS_URL: 'http://127.0.0.1:9999' } });
    expect(problems).toEqual([]);
    const [slo] = slos;
    expect(slo).toMatchObject({
      id: 'hstu-ranker/avail',
      objective: 0.999,
      objectivePercent: 99.9,
      window: '30d',
      windowSeconds: 2_592_000,
      source: 'prometheus',
      timesliceSeconds: 60,
      intervalSeconds: 60,
      labels: {},
      origin: { file: path.join('slos', 'a.yaml'), line: 1 },
    });
    expect(slo!.alerting.tiers.map((t) => [t.severity, t.long, t.short, t.factor])).toEqual([
      ['page', '1h', '5m', 14.4],
      ['page', '6h', '30m', 6],
      ['ticket', '1d', '2h', 3],
      ['ticket', '3d', '6h', 1],
    ]);
    // 1/(14.4 × 0.001) = 69.4: below 70 events in 1h one bad event would page.
    expect(slo!.alerting.minEvents).toBe(70);
    expect(slo!.alerting.noDataAfter).toBe(3);
    expect(sources).toEqual([{ type: 'prometheus', name: 'prometheus', url: 'http://127.0.0.1:9999', timeoutSeconds: 30, headers: {} }]);
  });

  it('defaults a tier short window to long / 12', async () => {
    await write('slos/a.yaml', sloDoc('avail', 'x', '  alerting:\n    tiers:\n      - { severity: ticket, budgetPercent: 10, long: 1d }\n'));
    const { slos } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(slos[0]!.alerting.tiers).toEqual([
      { severity: 'ticket', budgetPercent: 10, long: '1d', short: '2h', longSeconds: 86_400, shortSeconds: 7200, factor: 3 },
    ]);
  });

  it('reports every error of a file with several broken documents, and still loads the valid ones', async () => {
    await write(
      'slos/mixed.yaml',
      [
        sloDoc('good-one'),
        sloDoc('broken-one').replace('objective: 99.9', 'objective: 150'),
        sloDoc('good-two'),
        sloDoc('broken-two').replace('total: sum', 'totl: sum'),
      ].join('---\n'),
    );
    await write('slos/team/other.yaml', sloDoc('good-three', 'search'));
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(slos.map((s) => s.id)).toEqual(['hstu-ranker/good-one', 'hstu-ranker/good-two', 'search/good-three']);
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => [p.line, p.path])).toEqual([
      [15, 'spec.objective'],
      [37, 'spec.indicator.ratio.total'],
      [39, 'spec.indicator.ratio.totl'],
    ]);
    expect(errors.map(formatProblem)).toContain(`${path.join('slos', 'mixed.yaml')}:15:14 spec.objective: must be below 100, got 150`);
  });

  it('checks queries and sources of a document that also has schema errors', async () => {
    await write(
      'slos/a.yaml',
      `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: avail, service: x }
spec:
  objective: 100
  indicator:
    ratio:
      bad: sum(rate(a[$window])
      total: { sql: "select count(*) as total from t where ts < @ned", source: warehose }
`,
    );
    const { problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(problems.map((p) => [p.line, p.path, p.code])).toEqual([
      [5, 'spec.objective', 'schema'],
      [8, 'spec.indicator.ratio.bad', 'promql'],
      [9, 'spec.indicator.ratio.total.source', 'reference'],
    ]);
  });

  it('keeps loading after a YAML syntax error in another document', async () => {
    await write('slos/a.yaml', `${sloDoc('one')}---\nkey: [unclosed\n---\n${sloDoc('two')}`);
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(slos.map((s) => s.name)).toEqual(['one', 'two']);
    expect(problems.some((p) => p.code === 'yaml' && p.line >= 11)).toBe(true);
  });

  it('rejects an id used twice across files and names both places', async () => {
    await write('slos/a.yaml', sloDoc('avail'));
    await write('slos/team/b.yaml', `# a copy\n${sloDoc('avail')}`);
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(slos).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: path.join('slos', 'team', 'b.yaml'), line: 4, path: 'metadata.name', code: 'duplicate' });
    expect(problems[0]!.message).toContain(`"hstu-ranker/avail" (service/name) is already used at ${path.join('slos', 'a.yaml')}:3:`);
  });

  it('allows the same name in two services', async () => {
    await write('slos/a.yaml', `${sloDoc('avail', 'ranker')}---\n${sloDoc('avail', 'retrieval')}`);
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(problems).toEqual([]);
    expect(slos.map((s) => s.id)).toEqual(['ranker/avail', 'retrieval/avail']);
  });

  it('rejects a DataSource declared twice', async () => {
    const ds = 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: warehouse }\nspec:\n  bigquery: { projectId: p }\n';
    await write('slos/a.yaml', ds);
    await write('slos/b.yaml', ds);
    const { problems, sources } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(problems).toMatchObject([{ file: path.join('slos', 'b.yaml'), line: 3, path: 'metadata.name', code: 'duplicate' }]);
    expect(sources.filter((s) => s.name === 'warehouse')).toHaveLength(1);
  });

  it('says an SLO cannot load because its DataSource is broken, not that it is missing', async () => {
    await write('slos/a.yaml', 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: warehouse }\nspec:\n  bigquery: { projectID: p }\n');
    await write('slos/b.yaml', sloDoc('fresh', 'x').replace(/ {2}indicator:[\s\S]*/, '  source: warehouse\n  indicator:\n    freshness: { query: "select 1", maxAge: 1h }\n'));
    const { problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`)).toEqual([
      expect.stringMatching(/a\.yaml:5 spec\.bigquery\.projectId: is required/),
      expect.stringMatching(/a\.yaml:5 spec\.bigquery\.projectID: unknown field "projectID" \(did you mean "projectId"\?\)/),
      expect.stringMatching(/b\.yaml:6 spec\.source: DataSource "warehouse" has errors/),
    ]);
  });

  describe('environment expansion', () => {
    const doc = (url: string) => `apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: prometheus }\nspec:\n  prometheus: { url: "${url}" }\n`;

    it('expands ${VAR} from the given environment', async () => {
      await write('slos/a.yaml', doc('${PROM}/api'));
      const { sources, problems } = await loadSpecs(['slos'], { cwd: dir, env: { PROM: 'http://127.0.0.1:9090' } });
      expect(problems).toEqual([]);
      expect(sources[0]).toMatchObject({ name: 'prometheus', url: 'http://127.0.0.1:9090/api' });
    });

    it('uses the default of ${VAR:-default} when the variable is unset or empty', async () => {
      await write('slos/a.yaml', doc('${PROM:-http://127.0.0.1:9091}'));
      for (const env of [{}, { PROM: '' }]) {
        const { sources } = await loadSpecs(['slos'], { cwd: dir, env });
        expect(sources[0]).toMatchObject({ url: 'http://127.0.0.1:9091' });
      }
      const { sources } = await loadSpecs(['slos'], { cwd: dir, env: { PROM: 'http://127.0.0.1:1' } });
      expect(sources[0]).toMatchObject({ url: 'http://127.0.0.1:1' });
    });

    it('keeps $${ literal and leaves $window alone', async () => {
      await write('slos/a.yaml', sloDoc('avail', 'x', '  description: "costs $${HOME} per $window"\n'));
      const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: { HOME: '/root' } });
      expect(problems).toEqual([]);
      expect(slos[0]!.description).toBe('costs ${HOME} per $window');
      expect(slos[0]!.indicator.kind === 'ratio' && slos[0]!.indicator.total.text).toContain('[$window]');
    });

    it('reads ${window} as PromQL\'s $window, not as a variable', async () => {
      await write('slos/a.yaml', sloDoc('avail').replace('[$window]))\n', '[${window}]))\n'));
      const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
      expect(problems).toEqual([]);
      expect(slos[0]!.indicator.kind === 'ratio' && slos[0]!.indicator.bad!.text).toBe('sum(increase(ranker_requests_total{code=~"5.."}[$window]))');
    });

    it('names the variable and the field when a variable is unset, and declares the source not configured', async () => {
      await write('slos/a.yaml', doc('${PROMETHEUS_ADDRESS}'));
      const { problems, sources } = await loadSpecs(['slos'], { cwd: dir, env: {} });
      expect(problems).toMatchObject([{ severity: 'warning', line: 5, path: 'spec.prometheus.url', code: 'env' }]);
      expect(problems[0]!.message).toMatch(/PROMETHEUS_ADDRESS is not set/);
      // Not silently replaced by the implicit default: declared, never contacted, its SLOs unknown.
      expect(sources).toMatchObject([{ name: 'prometheus', notConfigured: 'not configured: PROMETHEUS_ADDRESS is not set' }]);
    });
  });

  it('warns (without failing) when minEvents lets one bad event page', async () => {
    await write('slos/a.yaml', sloDoc('avail', 'x', '  alerting:\n    minEvents: 10\n'));
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(slos).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'warning', code: 'low-traffic', line: 11, path: 'spec.alerting.minEvents' });
    expect(problems[0]!.message).toMatch(/fewer than 70 events in 1h, one bad event fires the page tier/);
  });

  it('warns when the timeslice does not divide the alert windows', async () => {
    await write('slos/a.yaml', sloDoc('fresh').replace(/ {2}indicator:[\s\S]*/, '  timeslice: 2m\n  indicator:\n    freshness: { query: max(x), maxAge: 1h }\n'));
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(slos).toHaveLength(1);
    expect(problems.filter((p) => p.code !== 'low-traffic')).toMatchObject([
      { severity: 'warning', line: 6, path: 'spec.timeslice', message: '2m does not divide 5m evenly: those windows count a partial slice' },
    ]);
  });

  it('accepts runbooks relative to the repository root and URLs', async () => {
    await mkdir(path.join(dir, 'playbooks'));
    await write('playbooks/avail.md', '# runbook\n');
    await write('slos/a.yaml', sloDoc('avail', 'x', '  alerting:\n    runbook: playbooks/avail.md\n    postmortemTemplate: https://wiki.example.com/pm\n'));
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(problems).toEqual([]);
    expect(slos[0]!.alerting).toMatchObject({ runbook: 'playbooks/avail.md', postmortemTemplate: 'https://wiki.example.com/pm' });
  });

  it('accepts a latency selector with or without braces', async () => {
    const latency = (selector: string) =>
      sloDoc('lat').replace(/ {2}indicator:[\s\S]*/, `  indicator:\n    latency: { metric: ranker_request_duration_seconds, selector: '${selector}', threshold: 0.15 }\n`);
    await write('slos/a.yaml', latency('{route="/rank", model_version!="canary"}'));
    await write('slos/b.yaml', latency('route="/rank", model_version!="canary"').replace('name: lat', 'name: lat2'));
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(problems).toEqual([]);
    expect(slos.map((s) => s.indicator.kind === 'latency' && s.indicator.selector)).toEqual([
      'route="/rank", model_version!="canary"',
      'route="/rank", model_version!="canary"',
    ]);
  });

  it('resolves aliases within a document and reports one that points into another document', async () => {
    const three = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: three, service: x }
spec:
  objective: 99.9
  indicator:
    ratio:
      bad: &q sum(increase(a[$window]))
      total: *q
`;
    await write('slos/a.yaml', `${sloDoc('one', 'x', '  alerting: &alerting\n    channel: "#recs"\n')}---\n${sloDoc('two', 'x', '  alerting: *alerting\n')}---\n${three}`);
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(slos.map((s) => s.name)).toEqual(['one', 'three']);
    expect(slos[1]!.indicator.kind === 'ratio' && slos[1]!.indicator.total.text).toBe('sum(increase(a[$window]))');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: 'error', code: 'yaml', file: path.join('slos', 'a.yaml') });
    expect(problems[0]!.line).toBeGreaterThanOrEqual(13);
    expect(problems[0]!.line).toBeLessThanOrEqual(23);
  });

  it('reports a path that does not exist', async () => {
    const { problems } = await loadSpecs(['nope'], { cwd: dir, env: {} });
    expect(problems).toMatchObject([{ file: 'nope', code: 'file', message: 'no such file or directory' }]);
  });

  it('reads only *.yaml and *.yml under directories, recursively', async () => {
    await write('slos/team/a.yml', sloDoc('one'));
    await write('slos/README.md', 'not yaml: [');
    const { slos, problems } = await loadSpecs(['slos'], { cwd: dir, env: {} });
    expect(problems).toEqual([]);
    expect(slos.map((s) => s.origin.file)).toEqual([path.join('slos', 'team', 'a.yml')]);
  });
});

// The real command line: `node bin/burnwatch.mjs validate|convert`, as CI and users run it.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin', 'burnwatch.mjs');

function burnwatch(args: string[], cwd = REPO) {
  const env = { ...process.env };
  delete env.PROMETHEUS_URL;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-cli-'));
  await mkdir(path.join(dir, 'slos'));
  await writeFile(
    path.join(dir, 'slos', 'ranker.yaml'),
    `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ranker-latency, service: hstu-ranker }
spec:
  objective: 100
  indicator:
    latency: { metric: ranker_request_duration_seconds, threshold: 150ms }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ranker-availability, service: hstu-ranker }
spec:
  objective: 99.9
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
  alerting:
    minEvents: 5
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('burnwatch validate', () => {
  it('passes on the examples in slos/ (the default path) with exit 0', () => {
    const { code, stdout } = burnwatch(['validate']);
    expect(stdout).toMatch(/^valid: 11 SLOs and 3 DataSources loaded; 0 errors, \d+ warnings?\n$/m);
    expect(code).toBe(0);
  });

  it('prints file:line:col field: message and exits 1 on errors', () => {
    const { code, stdout } = burnwatch(['validate'], dir);
    expect(code).toBe(1);
    expect(stdout).toContain(`${path.join('slos', 'ranker.yaml')}:5:14 spec.objective: must be below 100, got 100\n`);
    expect(stdout).toContain(`${path.join('slos', 'ranker.yaml')}:19:16 spec.alerting.minEvents: warning: with fewer than 70 events in 1h`);
    expect(stdout).toMatch(/invalid: 1 SLO and 1 DataSource loaded; 1 error, 1 warning\n$/);
  });

  it('exits 1 for a path that does not exist', () => {
    const { code, stdout } = burnwatch(['validate', 'slos/none.yaml'], dir);
    expect(stdout).toContain(`${path.join('slos', 'none.yaml')}:1:1 no such file or directory`);
    expect(code).toBe(1);
  });

  it('exits 0 when there are only warnings', () => {
    const ok = burnwatch(['validate', 'slos/imported'], REPO);
    expect(ok.stdout).toMatch(/warning:/);
    expect(ok.code).toBe(0);
  });

  it('warns that a BigQuery maximumBytesBilled below 10 MiB refuses every query, naming file, line and field', async () => {
    await mkdir(path.join(dir, 'warehouse'), { recursive: true });
    await writeFile(
      path.join(dir, 'warehouse', 'sources.yaml'),
      `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: logs }
spec:
  bigquery:
    projectId: recs-analytics
    maximumBytesBilled: 10MB
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: evals }
spec:
  bigquery: { projectId: recs-analytics, maximumBytesBilled: 10MiB }
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: tiny }
spec:
  bigquery: { projectId: recs-analytics, maximumBytesBilled: 1000 }
`,
    );
    const file = path.join('warehouse', 'sources.yaml');
    const { code, stdout } = burnwatch(['validate', 'warehouse'], dir);
    expect(stdout).toContain(
      `${file}:7:25 spec.bigquery.maximumBytesBilled: warning: 10MB (10,000,000 bytes) is below the 10,485,760 bytes (10 MiB) BigQuery bills at least for every query, so BigQuery would refuse every query of this source (bytesBilledLimitExceeded); set it to 10MiB or more\n`,
    );
    expect(stdout).toContain(`${file}:19:62 spec.bigquery.maximumBytesBilled: warning: 1,000 bytes is below`);
    expect(stdout).toMatch(/valid: 0 SLOs and 4 DataSources loaded; 0 errors, 2 warnings\n$/);
    expect(code).toBe(0); // advice: the sources still load

    const json = JSON.parse(burnwatch(['validate', 'warehouse', '--format', 'json'], dir).stdout);
    expect(json.problems.map((p: { code: string; severity: string; line: number }) => [p.severity, p.code, p.line])).toEqual([
      ['warning', 'cost', 7],
      ['warning', 'cost', 19],
    ]);
  });

  it('prints JSON with --format json', () => {
    const { code, stdout } = burnwatch(['validate', 'slos', '--format', 'json'], dir);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ valid: false, errors: 1, warnings: 1 });
    expect(report.problems[0]).toEqual({
      severity: 'error',
      code: 'schema',
      file: path.join('slos', 'ranker.yaml'),
      line: 5,
      column: 14,
      path: 'spec.objective',
      message: 'must be below 100, got 100',
      text: `${path.join('slos', 'ranker.yaml')}:5:14 spec.objective: must be below 100, got 100`,
    });
    expect(report.slos).toEqual([
      { id: 'hstu-ranker/ranker-availability', kind: 'ratio', objective: 99.9, window: '30d', file: path.join('slos', 'ranker.yaml'), line: 9 },
    ]);
    expect(report.sources).toEqual([{ name: 'prometheus', type: 'prometheus' }]);
  });

  it('rejects an unknown --format', () => {
    const { code, stderr } = burnwatch(['validate', '--format', 'xml']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--format must be text or json, got xml/);
  });
});

describe('burnwatch convert', () => {
  it('prints native YAML and the dropped fields on stderr', () => {
    const { code, stdout, stderr } = burnwatch(['convert', 'slos/imported/sloth-candidate-retrieval.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# converted by burnwatch from sloth/);
    expect(stdout).toContain('apiVersion: burnwatch/v1\nkind: SLO\n');
    expect(stdout).toContain('bad: sum(rate(retrieval_requests_total{code=~"(5..|429)"}[$window]))');
    // Sloth's alert name is kept: nothing is dropped from this file.
    expect(stdout).toContain('name: CandidateRetrievalHighErrorRate');
    expect(stderr).toBe('');
  });

  it('exits 1 when a document cannot be converted', async () => {
    await writeFile(path.join(dir, 'plugin.yaml'), 'version: prometheus/v1\nservice: x\nslos:\n  - name: p\n    objective: 99\n    sli:\n      plugin: { id: x }\n');
    const { code, stderr } = burnwatch(['convert', 'plugin.yaml'], dir);
    expect(code).toBe(1);
    expect(stderr).toMatch(/plugin\.yaml:7:21 slos\[0\]\.sli\.plugin\.id: Sloth SLI plugins/);
  });

  it('says when the file does not exist', () => {
    const { code, stderr } = burnwatch(['convert', 'nope.yaml'], dir);
    expect(code).toBe(1);
    expect(stderr).toBe('nope.yaml: no such file\n');
  });
});

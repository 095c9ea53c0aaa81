// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about ${VAR} expansion
// A DataSource that names an unset variable without a default (the examples' warehouse:
// `projectId: ${BURNWATCH_BQ_PROJECT}`) is "not configured": a warning, not an error; its SLOs are
// unknown with that reason, the source is never contacted, and every other SLO keeps evaluating.
// Through the real CLI (`burnwatch check`, a child process) on a real SQLite file for the
// configured SLO, and a loopback HTTP server standing where BigQuery would be asked.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationHint } from '../../src/app/configuration-hint.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { REPO_ROOT } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const BIN = fileURLToPath(new URL('../../bin/burnwatch.mjs', import.meta.url));
const NET_GUARD = fileURLToPath(new URL('../setup/net-guard.ts', import.meta.url));

const specs = (bigQueryUrl: string, sqliteFile: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: warehouse }
spec:
  bigquery:
    projectId: "\${BW_TEST_UNSET_PROJECT}"
    apiEndpoint: "${bigQueryUrl}"
    location: US
    timeout: 5s
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: registry }
spec:
  postgres: { url: "sqlite://${sqliteFile}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: relevance, service: ranking }
spec:
  objective: 95
  window: 1d
  source: warehouse
  indicator:
    ratio:
      good: SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM logs.impressions WHERE served_at >= @start AND served_at < @end
      total: SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM logs.impressions WHERE served_at >= @start AND served_at < @end
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: runs, service: training }
spec:
  objective: 90
  window: 1d
  source: registry
  alerting: { tiers: [] }
  indicator:
    ratio:
      good: SELECT sum(ok) AS good, count(*) AS total FROM runs WHERE started_at >= @start AND started_at < @end
      total: SELECT sum(ok) AS good, count(*) AS total FROM runs WHERE started_at >= @start AND started_at < @end
`;

describe('a DataSource whose variable is not set', () => {
  let dir: string;
  let server: http.Server;
  let requests = 0;
  let url: string;
  const at = new Date('2026-11-21T00:00:00Z');

  beforeAll(async () => {
    dir = await makeTempDir('bw-not-configured-');
    server = http.createServer((_, res) => {
      requests += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file = path.join(dir, 'registry.db');
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE runs (started_at INTEGER, ok INTEGER)');
    const insert = db.prepare('INSERT INTO runs VALUES (?, ?)');
    for (let i = 0; i < 24; i++) insert.run(at.getTime() - (i + 1) * 3_600_000, 1);
    db.close();
    await writeFile(path.join(dir, 'slos.yaml'), specs(url, file));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('loads as a warning naming the variable and the field, and marks the source not configured', async () => {
    const { slos, sources, problems } = await loadSpecs([path.join(dir, 'slos.yaml')], { cwd: dir, env: {} });
    expect(problems).toMatchObject([{ severity: 'warning', code: 'env', line: 6, path: 'spec.bigquery.projectId' }]);
    expect(problems[0]!.message).toMatch(/^DataSource not configured: environment variable BW_TEST_UNSET_PROJECT is not set/);
    expect(slos.map((s) => s.id).sort()).toEqual(['ranking/relevance', 'training/runs']);
    expect(sources.find((s) => s.name === 'warehouse')).toMatchObject({ notConfigured: 'not configured: BW_TEST_UNSET_PROJECT is not set' });
    expect(sources.find((s) => s.name === 'registry')?.notConfigured).toBeUndefined();
  });

  it('stays an error when the same document has another problem with the environment', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: p }\nspec:\n  prometheus: { url: "${BW_TEST_UNSET_URL}", headers: { X: "${1BAD}" } }\n');
    const { problems, sources } = await loadSpecs([file], { cwd: dir, env: {} });
    expect(problems.map((p) => p.severity)).toEqual(['error', 'error']);
    expect(sources.find((s) => s.name === 'p')).toBeUndefined();
  });

  it('burnwatch check: its SLO is unknown "not configured", the source is never asked, the other SLO evaluates', async () => {
    const { BW_TEST_UNSET_PROJECT: _, ...env } = process.env;
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', NET_GUARD, BIN, 'check', '--slos', path.join(dir, 'slos.yaml'), '--at', at.toISOString(), '--format', 'json'],
        { env: { ...env, METADATA_SERVER_DETECTION: 'none' }, cwd: dir },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    const result = JSON.parse(out.stdout) as { slos: Array<{ id: string; status: string; error?: string; sli?: number }> };
    const byId = new Map(result.slos.map((s) => [s.id, s]));
    expect(byId.get('ranking/relevance')).toMatchObject({ status: 'unknown' });
    expect(byId.get('ranking/relevance')!.error).toContain('not configured: BW_TEST_UNSET_PROJECT is not set');
    expect(byId.get('training/runs')).toMatchObject({ status: 'ok', sli: 1 });
    expect(requests).toBe(0);
    expect(out.code).toBe(0);
  });

  it('validate --check-sources does not dry-run it: a warning, no request', async () => {
    const { BW_TEST_UNSET_PROJECT: _, ...env } = process.env;
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', NET_GUARD, BIN, 'validate', path.join(dir, 'slos.yaml'), '--check-sources'],
        { env: { ...env, METADATA_SERVER_DETECTION: 'none' }, cwd: dir },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(`${out.stdout}${out.stderr}`).toContain('not configured: BW_TEST_UNSET_PROJECT is not set: not checked');
    expect(requests).toBe(0);
    expect(out.code).toBe(0);
  });

  it('the examples in slos/ never name a real warehouse: the start-up hint says what to set', async () => {
    const { slos, sources } = await loadSpecs(['slos'], { cwd: REPO_ROOT, env: {} });
    const warehouse = sources.find((s) => s.name === 'warehouse')!;
    expect(warehouse).toMatchObject({ type: 'bigquery', notConfigured: 'not configured: BURNWATCH_BQ_PROJECT is not set' });
    const hint = configurationHint(slos, sources, [
      { name: 'prometheus', reachable: false, error: 'connection refused' },
      { name: 'registry', reachable: true },
    ]);
    expect(hint!.message).toMatch(/^burnwatch runs, but \d+ of \d+ SLOs cannot be evaluated yet and show as unknown: /);
    expect(hint!.message).toContain('set BURNWATCH_BQ_PROJECT for DataSource warehouse (bigquery, ');
    expect(hint!.message).toContain('set PROMETHEUS_URL to your Prometheus (prometheus does not answer, ');
    expect(hint!.sources.find((s) => s.source === 'warehouse')!.slos).toEqual(
      expect.arrayContaining(['embeddings/item-embeddings-freshness', 'hstu-ranker/offline-ndcg', 'interaction-logging/impression-logging']),
    );
    expect(configurationHint(slos, sources.map((s) => ({ ...s, notConfigured: undefined })), [])).toBeUndefined();
  });
});

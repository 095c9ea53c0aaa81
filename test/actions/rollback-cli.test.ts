// `burnwatch rollback` as a user runs it: the real binary in a child process, KUBECONFIG pointing
// at the fake API server, the embedded store in a temp dir.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/domain/clock.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { seedDeployment } from './workloads.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let k8s: FakeK8s;
let dir: string;
// PostgreSQL (DATABASE_URL) rather than the embedded store: each run is a new process, and a
// opening a store costs time on a busy machine.
let db: TestDatabase;

beforeAll(async () => {
  k8s = await startFakeK8s();
  dir = await makeTempDir('bw-cli-');
  db = await createPostgresDatabase('bw_cli');
  await fs.writeFile(
    path.join(dir, 'kubeconfig'),
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: fake, cluster: { server: "${k8s.url}", insecure-skip-tls-verify: true } }]`,
      'users: [{ name: me, user: { token: fake-token } }]',
      'contexts: [{ name: fake, context: { cluster: fake, user: me } }]',
      'current-context: fake',
    ].join('\n'),
  );
  await fs.writeFile(
    path.join(dir, 'actions.yaml'),
    `actions:\n  rules:\n    - { actions: [rollback], namespaces: [recs], users: ["cli:${(await import('node:os')).userInfo().username}"] }\n`,
  );
  const clock = fixedClock('2026-11-20T10:00:00Z');
  seedDeployment(k8s, clock, { namespace: 'recs', name: 'hstu-ranker', versions: ['v41', 'v42'] });
  seedDeployment(k8s, clock, { namespace: 'other', name: 'web', versions: ['v1', 'v2'] });
});
afterAll(async () => {
  await k8s.close();
  await db.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

function burnwatch(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/burnwatch.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: path.join(dir, 'kubeconfig'), DATABASE_URL: db.url, BURNWATCH_DATA_DIR: path.join(dir, 'data'), BURNWATCH_ACTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
const model = () => k8s.get('Deployment', 'recs', 'hstu-ranker')!.spec.template.metadata.labels['model-version'];

// Each run is a new Node process; on a busy 2-core machine that is seconds each.
describe('burnwatch rollback', { timeout: 180_000 }, () => {
  it('dry-runs, then rolls back the SLO’s workload once, then reports it as already done', async () => {
    const config = ['--config', path.join(dir, 'actions.yaml')];
    const dry = await burnwatch(['rollback', 'hstu-ranker/ranking-latency', '--dry-run', '--yes', ...config]);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toContain('Roll back Deployment recs/hstu-ranker from revision 2 (model v42) to revision 1 (model v41)');
    expect(dry.stdout).toContain('model=registry.example/hstu-ranker:v41');
    expect(dry.stdout).toContain('DRY RUN');
    expect(dry.code).toBe(0);
    expect(model()).toBe('v42');
    expect(k8s.requests.filter((r) => r.verb === 'patch').map((r) => r.dryRun)).toEqual([true]);

    // without --yes and without a terminal, nothing happens
    const unconfirmed = await burnwatch(['rollback', 'recs/deployment/hstu-ranker', ...config]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stdout).toContain('Not confirmed; nothing was changed.');

    const real = await burnwatch(['rollback', 'recs/deployment/hstu-ranker', '--yes', '--no-verify', ...config]);
    expect(real.stdout).toContain('Patched Deployment recs/hstu-ranker to the template of revision 1');
    expect(real.code).toBe(0);
    expect(model()).toBe('v41');

    const again = await burnwatch(['rollback', 'recs/deployment/hstu-ranker', '--yes', ...config]);
    expect(again.stdout).toContain('already rolled back');
    expect(again.code).toBe(0);
    expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(2);
  });

  it('refuses a namespace the config does not allow, and a malformed target', async () => {
    const refused = await burnwatch(['rollback', 'other/deployment/web', '--yes', '--config', path.join(dir, 'actions.yaml')]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('not allowed to rollback in namespace other');
    const bad = await burnwatch(['rollback', 'recs/hstu-ranker', '--yes', '--config', path.join(dir, 'actions.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('no SLO "recs/hstu-ranker"');
  });
});

// `burnwatch rollback` in a two-person namespace: the first person's run waits for approval and
// says how to give it; the second person approves with --approve <id>; it runs once and waits
// for the rollout. (In-process: runRollback with the real client-node, fake API server, real PG.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actionsConfigSchema } from '../../src/actions/actions-config.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import { type RollbackDeps, runRollback } from '../../src/cli/commands/rollback.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import type { Store } from '../../src/store/open-store.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { openTestStore } from './harness.ts';
import { seedDeployment } from './workloads.ts';

let store: Store;
let closeStore: () => Promise<void>;
let k8s: FakeK8s;
const clock = fixedClock('2026-11-20T10:00:00Z');
beforeAll(async () => {
  ({ store, close: closeStore } = await openTestStore('postgres'));
  k8s = await startFakeK8s({ now: () => clock.now() });
  seedDeployment(k8s, clock, { namespace: 'recs', name: 'ranker', versions: ['v40', 'v41', 'v42'] });
});
afterAll(async () => {
  await k8s.close();
  await closeStore();
});

function deps(user: string, lines: string[]): RollbackDeps {
  return {
    clients: kubeClients(k8s.kubeConfig()),
    db: store.db,
    config: actionsConfigSchema.parse({
      rules: [{ actions: ['rollback'], namespaces: ['recs'], users: ['cli:alice', 'cli:bob'] }],
      productionNamespaces: ['recs'],
      twoPersonRule: true,
      verify: { timeoutSeconds: 60, pollSeconds: 5, settleSeconds: 0 },
    }),
    clock,
    actor: { id: user, groups: [] },
    sloTarget: async () => {
      throw new Error('not used');
    },
    ask: async () => true,
    out: (line) => lines.push(line),
    sleep: async (ms) => {
      clock.advance(ms / 1000);
      k8s.completeRollout('Deployment', 'recs', 'ranker');
    },
  };
}

it('waits for a second person, who approves with --approve', async () => {
  const first: string[] = [];
  expect(await runRollback('recs/deployment/ranker', { toRevision: 1 }, deps('cli:alice', first))).toBe(0);
  expect(first[0]).toBe('Roll back Deployment recs/ranker from revision 3 (model v42) to revision 1 (model v40)');
  expect(first).toContain('      model=registry.example/ranker:v40');
  const approveLine = first.find((l) => l.includes('--approve'))!;
  const id = Number(approveLine.match(/--approve (\d+)/)![1]);
  expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(0);

  const again: string[] = [];
  await runRollback('', { approve: id }, deps('cli:alice', again));
  expect(again.join('\n')).toContain('a second authorized person must approve');
  expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(0);

  const second: string[] = [];
  expect(await runRollback('', { approve: id }, deps('cli:bob', second))).toBe(0);
  expect(second).toContain('Patched Deployment recs/ranker to the template of revision 1 (generation 4)');
  expect(second.at(-1)).toBe('Rollout finished (rolled out: 3 of 3 replicas available).');
  expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(1);

  const late: string[] = [];
  expect(await runRollback('', { approve: id }, deps('cli:bob', late))).toBe(0);
  expect(late.at(-1)).toMatch(/^Already done: .* by cli:bob/);
});

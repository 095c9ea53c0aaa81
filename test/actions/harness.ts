// One place that wires an action runner to a real store (the embedded SQLite store) and the real
// client-node talking to the fake API server.
import fs from 'node:fs/promises';
import { fixedClock } from '../../src/domain/clock.ts';
import { createActionRunner } from '../../src/actions/action-runner.ts';
import { type ActionsConfig, actionsConfigSchema } from '../../src/actions/actions-config.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { createPostgresDatabase, makeTempDir } from '../helpers/test-databases.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';

export const T0 = '2026-11-20T10:00:00Z';

export const alice = { id: 'U0ALICE', groups: ['S0ONCALL'], display: 'alice' };
export const bob = { id: 'U0BOB', groups: ['S0ONCALL'], display: 'bob' };
export const mallory = { id: 'U0MALLORY', groups: ['S0OTHER'], display: 'mallory' };

export const baseConfig = (overrides: Partial<ActionsConfig> = {}): ActionsConfig =>
  actionsConfigSchema.parse({
    rules: [{ actions: ['*'], namespaces: ['ml-*'], groups: ['S0ONCALL'] }],
    verify: { timeoutSeconds: 300, pollSeconds: 5, settleSeconds: 300 },
    ...overrides,
  });

/** The embedded SQLite store by default; `postgres` uses a throwaway database on the machine's PostgreSQL. */
export async function openTestStore(kind: 'sqlite' | 'postgres' = 'sqlite'): Promise<{ store: Store; close(): Promise<void> }> {
  const dir = await makeTempDir('bw-actions-');
  const pgDb = kind === 'postgres' ? await createPostgresDatabase('bw_actions') : undefined;
  const store = await openStore({ dataDir: dir, databaseUrl: pgDb?.url });
  return {
    store,
    close: async () => {
      await store.close();
      await pgDb?.drop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export async function harness(store: Store, config: ActionsConfig = baseConfig(), fakeOptions: { token?: string } = {}) {
  const clock = fixedClock(T0);
  const k8s: FakeK8s = await startFakeK8s({ now: () => clock.now() });
  const clients = kubeClients(k8s.kubeConfig({ token: fakeOptions.token }));
  /** Each wait lets time pass; the test says what the controllers do meanwhile. */
  const duringWait: Array<() => void> = [];
  const runner = createActionRunner({
    db: store.db,
    clients,
    config,
    clock,
    sleep: async (ms) => {
      clock.advance(ms / 1000);
      duringWait.shift()?.();
    },
  });
  return { clock, k8s, clients, runner, duringWait, close: () => k8s.close() };
}

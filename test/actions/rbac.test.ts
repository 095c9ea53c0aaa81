// deploy/rbac.yaml is exactly what the actions need: with its rules (and nothing else) every
// action works in a bound namespace, every granted verb is used, and without them the API
// server answers 403 and the action fails safely with a message that points at the manifest.
import fs from 'node:fs/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createActionRunner } from '../../src/actions/action-runner.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import type { ActionRequest } from '../../src/actions/plan.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import type { Store } from '../../src/store/open-store.ts';
import { type FakeK8s, grantsFromRbacManifests, type K8sObject, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { alice, baseConfig, openTestStore, T0 } from './harness.ts';
import { predictor, seedCronJob, seedDeployment, seedInferenceService, seedRollout } from './workloads.ts';

let store: Store;
let closeStore: (() => Promise<void>) | undefined;
let docs: K8sObject[];
beforeAll(async () => {
  docs = parseAllDocuments(await fs.readFile(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
});
let k8s: FakeK8s;
// A store per test (the same cluster state in two tests means the same action keys), on the
// real PostgreSQL so the actions' SQL runs there too.
beforeEach(async () => {
  ({ store, close: closeStore } = await openTestStore('postgres'));
});
afterEach(async () => {
  await k8s?.close();
  await closeStore?.();
});

const SA = { kind: 'ServiceAccount' as const, name: 'burnwatch', namespace: 'burnwatch' };
const requests = (ns: string): ActionRequest[] => [
  { action: 'rollback', target: { kind: 'Deployment', namespace: ns, name: 'ranker' } },
  { action: 'rollback', target: { kind: 'Rollout', namespace: ns, name: 'ranker' } },
  { action: 'rollback', target: { kind: 'InferenceService', namespace: ns, name: 'ranker' } },
  { action: 'rerun', target: { kind: 'CronJob', namespace: ns, name: 'train-ranker' }, scope: `rbac-${ns}` },
];

async function setup(grants: ReturnType<typeof grantsFromRbacManifests>) {
  const clock = fixedClock(T0);
  k8s = await startFakeK8s({ now: () => clock.now(), users: { admin: { name: 'admin' }, sa: { name: 'system:serviceaccount:burnwatch:burnwatch', grants } } });
  for (const ns of ['ml-serving', 'ml-other']) {
    seedDeployment(k8s, clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    seedRollout(k8s, clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    seedInferenceService(k8s, clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'], canary: 10 });
    seedCronJob(k8s, { namespace: ns, name: 'train-ranker', version: 'v43' });
  }
  const runner = createActionRunner({
    db: store.db,
    clients: kubeClients(k8s.kubeConfig({ token: 'sa' })),
    config: baseConfig({ verify: { timeoutSeconds: 1, pollSeconds: 1, settleSeconds: 0 } }),
    clock,
    sleep: async (ms) => clock.advance(ms / 1000),
  });
  return { runner, clock };
}

describe('deploy/rbac.yaml', () => {
  it('grants exactly what every action uses, in the namespaces it is bound to', async () => {
    const grants = grantsFromRbacManifests(docs, SA);
    expect(grants.map((g) => g.namespace)).toEqual(['recs', 'training', 'ml-serving', 'ml-training', 'burnwatch']);
    const { runner } = await setup(grants);
    for (const request of requests('ml-serving')) {
      const prepared = await runner.prepare(alice, request);
      if (prepared.status !== 'ready') throw new Error(`${request.target.kind}: ${prepared.message}`);
      const done = await runner.confirm(alice, prepared.action.id);
      expect(done.status, `${request.target.kind}: ${done.message}`).toBe('done');
      await runner.verify(prepared.action.id);
    }
    const sa = k8s.requests.filter((r) => r.user === 'system:serviceaccount:burnwatch:burnwatch');
    expect(sa.filter((r) => r.status === 403)).toEqual([]);
    // every granted (group, resource, verb) was needed
    const used = new Set(sa.map((r) => `${r.group}/${r.resource}/${r.verb}`));
    const granted = docs
      .find((d) => d.kind === 'ClusterRole')!
      .rules.flatMap((r: K8sObject) => r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${r.apiGroups[0]}/${res}/${v}`)));
    expect([...used].sort()).toEqual([...granted].sort());
  });

  it('gets 403 outside the bound namespaces and without the rules, and fails safely saying why', async () => {
    const { runner } = await setup(grantsFromRbacManifests(docs, SA));
    for (const request of requests('ml-other')) {
      const prepared = await runner.prepare(alice, request);
      expect(prepared).toMatchObject({ status: 'error', code: 'forbidden' });
      expect(prepared.message).toContain('deploy/rbac.yaml');
    }
    await k8s.close();
    // with read access but no write access, planning works and executing is refused by the API server
    const readOnly = grantsFromRbacManifests(docs, SA).map((g) => ({
      ...g,
      rules: g.rules.map((r) => ({ ...r, verbs: r.verbs.filter((v) => v === 'get' || v === 'list') })),
    }));
    const second = await setup(readOnly);
    for (const request of requests('ml-serving')) {
      const prepared = await second.runner.prepare(alice, request);
      if (prepared.status !== 'ready') throw new Error(prepared.message);
      const failed = await second.runner.confirm(alice, prepared.action.id);
      expect(failed.status).toBe('failed');
      expect(failed.message).toMatch(/forbidden: User "system:serviceaccount:burnwatch:burnwatch" cannot (patch|create)/);
    }
    expect(k8s.get('Deployment', 'ml-serving', 'ranker')!.spec.template.metadata.labels['model-version']).toBe('v42');
    expect(k8s.get('InferenceService', 'ml-serving', 'ranker')!.spec.predictor).toEqual({ ...predictor('v42'), canaryTrafficPercent: 10 });
  });
});

describe('deploy/actions.example.yaml', () => {
  it('is a valid actions config whose namespaces are the ones deploy/rbac.yaml binds', async () => {
    const { loadActionsConfigFile } = await import('../../src/actions/actions-config.ts');
    const config = await loadActionsConfigFile(new URL('../../deploy/actions.example.yaml', import.meta.url).pathname, {});
    const bound = grantsFromRbacManifests(docs, SA)
      .filter((g) => g.rules.some((r) => r.resources.includes('deployments')))
      .map((g) => g.namespace);
    expect(new Set(config.rules.flatMap((r) => r.namespaces))).toEqual(new Set(bound));
    expect(config).toMatchObject({ mode: 'live', twoPersonRule: true, productionNamespaces: ['recs', 'ml-serving'] });
  });
});

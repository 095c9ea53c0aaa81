// Argo Rollouts, KServe InferenceServices and CronJob re-runs through the same runner.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimForExecution, markApproved } from '../../src/actions/action-store.ts';
import { PREVIOUS_PREDICTOR } from '../../src/actions/inference-service-rollback.ts';
import type { Store } from '../../src/store/open-store.ts';
import { alice, baseConfig, bob, harness, openTestStore } from './harness.ts';
import { podTemplate, predictor, seedCronJob, seedInferenceService, seedRollout } from './workloads.ts';

let store: Store;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  ({ store, close: closeStore } = await openTestStore('postgres'));
});
afterAll(() => closeStore());
let h: Awaited<ReturnType<typeof harness>>;
afterEach(() => h?.close());
let n = 0;
const nextNs = () => `ml-o${++n}`;

describe('Argo Rollout rollback', () => {
  it('aborts the canary, then undoes to the stable revision, and verifies it healthy', async () => {
    h = await harness(store);
    const ns = nextNs();
    seedRollout(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v40', 'v41', 'v42'] });
    const prepared = await h.runner.prepare(alice, { action: 'rollback', target: { kind: 'Rollout', namespace: ns, name: 'ranker' } });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    expect(prepared.plan.summary).toBe(`Abort Rollout ${ns}/ranker and roll back from revision 3 (model v42) to the stable revision 2 (model v41)`);
    expect((await h.runner.confirm(alice, prepared.action.id)).status).toBe('done');
    const writes = h.k8s.requests.filter((r) => r.verb === 'patch');
    expect(writes.map((r) => `${r.resource} ${r.contentType}`)).toEqual([
      'rollouts/status application/merge-patch+json',
      'rollouts application/json-patch+json',
    ]);
    const rollout = h.k8s.get('Rollout', ns, 'ranker')!;
    expect(rollout.status.abort).toBe(true);
    expect(rollout.spec.template).toEqual(podTemplate('ranker', 'v41'));
    h.duringWait.push(() => h.k8s.completeRollout('Rollout', ns, 'ranker'));
    const v = await h.runner.verify(prepared.action.id, { burnRate: async () => 0.2 });
    expect(v).toMatchObject({ rollout: 'available', burnStopped: true });
    expect(h.k8s.get('Rollout', ns, 'ranker')!.status.phase).toBe('Healthy');
  });

  it('says so when the abort went through but the undo failed (500 mid-way)', async () => {
    h = await harness(store);
    const ns = nextNs();
    seedRollout(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const prepared = await h.runner.prepare(alice, { action: 'rollback', target: { kind: 'Rollout', namespace: ns, name: 'ranker' } });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    h.k8s.failNext({ verb: 'patch', resource: 'rollouts', status: 500 });
    const failed = await h.runner.confirm(alice, prepared.action.id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('aborted the update (traffic back on the stable ReplicaSet), but the undo to revision 1 failed');
    expect(h.k8s.get('Rollout', ns, 'ranker')!.status.abort).toBe(true);
    // retrying plans again (the abort is already in place) and finishes the undo
    const retry = await h.runner.prepare(alice, { action: 'rollback', target: { kind: 'Rollout', namespace: ns, name: 'ranker' } });
    if (retry.status !== 'ready') throw new Error(retry.message);
    expect(retry.plan.change.abort).toBe(false);
    expect((await h.runner.confirm(alice, retry.action.id)).status).toBe('done');
    expect(h.k8s.get('Rollout', ns, 'ranker')!.spec.template).toEqual(podTemplate('ranker', 'v41'));
  });
});

describe('KServe InferenceService rollback', () => {
  it('sends all traffic back to the previous revision when a canary is running', async () => {
    h = await harness(store);
    const ns = nextNs();
    const isvc = seedInferenceService(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'], canary: 20 });
    expect(isvc.status.components.predictor.traffic.map((t: { percent: number }) => t.percent)).toEqual([20, 80]);
    const prepared = await h.runner.prepare(alice, { action: 'rollback', target: { kind: 'InferenceService', namespace: ns, name: 'ranker' } });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    expect(prepared.plan.summary).toBe(
      `Send all traffic of InferenceService ${ns}/ranker back to revision ranker-predictor-00001 (canary ranker-predictor-00002, model v42 from 20% to 0%)`,
    );
    expect((await h.runner.confirm(alice, prepared.action.id)).status).toBe('done');
    expect(h.k8s.get('InferenceService', ns, 'ranker')!.spec.predictor.canaryTrafficPercent).toBe(0);
    h.duringWait.push(() => h.k8s.completeRollout('InferenceService', ns, 'ranker'));
    expect(await h.runner.verify(prepared.action.id)).toMatchObject({
      rollout: 'available',
      rolloutMessage: 'ready, 100% of traffic on ranker-predictor-00001',
    });
    const again = await h.runner.prepare(bob, { action: 'rollback', target: { kind: 'InferenceService', namespace: ns, name: 'ranker' } });
    expect(again.status).toBe('noop');
  });

  it('restores the previous predictor spec when there is no canary, and refuses when none is recorded', async () => {
    h = await harness(store);
    const ns = nextNs();
    seedInferenceService(h.k8s, h.clock, {
      namespace: ns,
      name: 'ranker',
      versions: ['v41', 'v42'],
      annotations: { [PREVIOUS_PREDICTOR]: JSON.stringify(predictor('v41')) },
    });
    seedInferenceService(h.k8s, h.clock, { namespace: ns, name: 'scorer', versions: ['v1', 'v2'] });
    const prepared = await h.runner.prepare(alice, { action: 'rollback', target: { kind: 'InferenceService', namespace: ns, name: 'ranker' } });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    expect(prepared.plan.from).toMatchObject({ modelVersion: 'v42' });
    expect(prepared.plan.to).toMatchObject({ modelVersion: 'v41', revision: 'ranker-predictor-00001' });
    expect((await h.runner.confirm(alice, prepared.action.id)).status).toBe('done');
    expect(h.k8s.get('InferenceService', ns, 'ranker')!.spec.predictor).toEqual(predictor('v41'));
    const none = await h.runner.prepare(alice, { action: 'rollback', target: { kind: 'InferenceService', namespace: ns, name: 'scorer' } });
    expect(none).toMatchObject({ status: 'error', code: 'no_history' });
  });
});

describe('Re-run training from a CronJob', () => {
  it('creates one Job like kubectl create job --from=cronjob, however often it is clicked', async () => {
    h = await harness(store);
    const ns = nextNs();
    const cronJob = seedCronJob(h.k8s, { namespace: ns, name: 'train-ranker', version: 'v43' });
    const request = { action: 'rerun' as const, target: { kind: 'CronJob' as const, namespace: ns, name: 'train-ranker' }, scope: 'incident-17' };
    const prepared = await h.runner.prepare(alice, request);
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    const jobName = prepared.plan.change.job.metadata.name as string;
    expect(jobName).toMatch(/^train-ranker-manual-[0-9a-f]{5}$/);
    expect(prepared.plan.summary).toBe(`Create Job ${ns}/${jobName} from CronJob ${ns}/train-ranker (model v43); last successful run 2026-11-19T03:41:00Z`);
    const results = await Promise.all([h.runner.confirm(alice, prepared.action.id), h.runner.confirm(bob, prepared.action.id)]);
    expect(results.map((r) => r.status).sort()).toEqual(['already', 'done']);
    expect(await h.runner.prepare(bob, request)).toMatchObject({ status: 'done' });
    const jobs = h.k8s.list('Job', ns);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.metadata.annotations).toMatchObject({ 'cronjob.kubernetes.io/instantiate': 'manual', team: 'ranking' });
    expect(job.metadata.ownerReferences).toEqual([
      { apiVersion: 'batch/v1', kind: 'CronJob', name: 'train-ranker', uid: cronJob.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(job.spec.template.spec.containers[0].image).toBe('registry.example/trainer:v43');
    // the API server's Job defaulting ran on our Job (it is a real Job to the apiserver)
    expect(job.spec.template.metadata.labels['job-name']).toBe(jobName);
    h.k8s.put({ ...job, status: { active: 1, startTime: '2026-11-20T10:00:05Z' } });
    expect(await h.runner.verify(prepared.action.id)).toMatchObject({ rollout: 'available' });
  });

  it('a crash after the Job was created is recovered as done, and a dry run creates nothing', async () => {
    h = await harness(store);
    const ns = nextNs();
    seedCronJob(h.k8s, { namespace: ns, name: 'train-ranker', version: 'v43' });
    const request = { action: 'rerun' as const, target: { kind: 'CronJob' as const, namespace: ns, name: 'train-ranker' }, scope: 'incident-18' };
    const prepared = await h.runner.prepare(alice, request);
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    await markApproved(store.db, prepared.action.id);
    await claimForExecution(store.db, prepared.action.id, alice.id, h.clock.now());
    h.k8s.put(prepared.plan.change.job);
    h.clock.advance(600);
    const [recovered] = await h.runner.resumeInterrupted();
    expect(recovered).toMatchObject({ state: 'done' });
    expect(h.k8s.requests.filter((r) => r.verb === 'create')).toHaveLength(0);

    const dry = await harness(store, baseConfig({ mode: 'dry-run' }));
    try {
      seedCronJob(dry.k8s, { namespace: ns, name: 'train-ranker', version: 'v43' });
      const p = await dry.runner.prepare(alice, { ...request, scope: 'incident-19' });
      if (p.status !== 'ready') throw new Error(p.message);
      expect(await dry.runner.confirm(alice, p.action.id)).toMatchObject({ status: 'done', dryRun: true });
      expect(dry.k8s.requests.filter((r) => r.verb === 'create').map((r) => [r.status, r.dryRun])).toEqual([[201, true]]);
      expect(dry.k8s.list('Job', ns)).toHaveLength(0);
    } finally {
      await dry.close();
    }
  });
});

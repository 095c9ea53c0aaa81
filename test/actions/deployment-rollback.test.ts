// Rolling back a Deployment from Slack or the terminal: plan, safety, execute, verify, audit —
// the real client-node against the fake API server, the real store on embedded SQLite.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimForExecution, markApproved } from '../../src/actions/action-store.ts';
import type { ActionRequest, Plan } from '../../src/actions/plan.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import type { Store } from '../../src/store/open-store.ts';
import { alice, baseConfig, bob, harness, mallory, openTestStore, T0 } from './harness.ts';
import { podTemplate, seedDeployment } from './workloads.ts';

let store: Store;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  ({ store, close: closeStore } = await openTestStore());
});
afterAll(() => closeStore());

let n = 0;
let h: Awaited<ReturnType<typeof harness>>;
let ns: string;
beforeEach(async () => {
  // A namespace per test: the store is shared, the action keys must not collide.
  ns = `ml-t${++n}`;
});
afterEach(() => h?.close());

const rollback = (name = 'ranker', extra: Partial<Extract<ActionRequest, { action: 'rollback' }>> = {}): ActionRequest => ({
  action: 'rollback',
  target: { kind: 'Deployment', namespace: ns, name },
  ...extra,
});
const patches = () => h.k8s.requests.filter((r) => r.verb === 'patch');
const image = () => h.k8s.get('Deployment', ns, 'ranker')!.spec.template.spec.containers[0].image;

describe('Deployment rollback', () => {
  it('plans the previous revision of three, patches once with a test op, verifies the rollout and the burn, audits it', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v40', 'v41', 'v42'] });
    const prepared = await h.runner.prepare(alice, rollback());
    expect(prepared.status).toBe('ready');
    if (prepared.status !== 'ready') return;
    const plan: Plan = prepared.plan;
    expect(plan.summary).toBe(`Roll back Deployment ${ns}/ranker from revision 3 (model v42) to revision 2 (model v41)`);
    expect(plan.from).toMatchObject({ revision: '3', modelVersion: 'v42', images: ['model=registry.example/ranker:v42', 'proxy=envoy:1.31'] });
    // revision 2 stopped serving when revision 3 was created, 10 minutes after it.
    expect(plan.to).toMatchObject({ revision: '2', modelVersion: 'v41', lastLive: '2026-11-20T10:20:00Z' });
    expect(plan.warnings).toEqual([]);
    expect(patches()).toHaveLength(0);

    const done = await h.runner.confirm(alice, prepared.action.id);
    expect(done).toMatchObject({ status: 'done', dryRun: false });
    expect(image()).toBe('registry.example/ranker:v41');
    const [patch] = patches();
    expect(patches()).toHaveLength(1);
    expect(patch!.contentType).toBe('application/json-patch+json');
    expect((patch!.body as Array<{ op: string; path: string }>).map((op) => `${op.op} ${op.path}`)).toEqual([
      'test /spec/template',
      'replace /spec/template',
      'replace /metadata/annotations',
    ]);
    // the copied template has no pod-template-hash (the controller adds its own)
    expect(h.k8s.get('Deployment', ns, 'ranker')!.spec.template.metadata.labels).toEqual({ app: 'ranker', 'model-version': 'v41' });

    h.duringWait.push(() => h.k8s.completeRollout('Deployment', ns, 'ranker'));
    const verification = await h.runner.verify(prepared.action.id, { burnRate: async () => 0.4, threshold: 14.4 });
    expect(verification).toMatchObject({ rollout: 'available', burnRate: 0.4, burnStopped: true });
    expect(verification!.message).toContain('the burn stopped');
    // like `kubectl rollout undo`: the old ReplicaSet is now the newest revision
    expect(h.k8s.get('Deployment', ns, 'ranker')!.metadata.annotations['deployment.kubernetes.io/revision']).toBe('4');

    const audit = (await listAudit(store.db)).filter((a) => a.target === `${ns}/Deployment/ranker`);
    expect(audit.map((a) => `${a.actor} ${a.action} ${a.result}`)).toEqual([
      'U0ALICE action.rollback planned',
      'U0ALICE action.rollback done',
      'burnwatch action.rollback verified',
    ]);
  });

  it('rolls back to a chosen revision', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v40', 'v41', 'v42'] });
    const prepared = await h.runner.prepare(alice, rollback('ranker', { toRevision: 1 }));
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    expect(prepared.plan.to).toMatchObject({ revision: '1', modelVersion: 'v40' });
    expect((await h.runner.confirm(alice, prepared.action.id)).status).toBe('done');
    expect(image()).toBe('registry.example/ranker:v40');
    const missing = await h.runner.prepare(alice, rollback('ranker', { toRevision: 9 }));
    expect(missing).toMatchObject({ status: 'error', code: 'revision_not_found' });
    expect(missing.message).toContain('revisions: 1, 2, 3');
  });

  it('refuses a paused Deployment and changes nothing', async () => {
    h = await harness(store);
    const d = seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    h.k8s.put({ ...d, spec: { ...d.spec, paused: true } });
    const prepared = await h.runner.prepare(alice, rollback());
    expect(prepared).toMatchObject({ status: 'error', code: 'paused' });
    expect(prepared.message).toContain('kubectl rollout resume deployment/ranker');
    expect(patches()).toHaveLength(0);
  });

  it('reports a rollback already done instead of doing anything twice', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v40', 'v41', 'v42'] });
    const offered = await h.runner.prepare(alice, rollback());
    if (offered.status !== 'ready') throw new Error(offered.message);
    const pinned = { fromRevision: offered.plan.from!.revision, toHolder: offered.plan.to!.holder! };
    await h.runner.confirm(alice, offered.action.id);
    h.k8s.completeRollout('Deployment', ns, 'ranker');

    // the same button again (the Deployment is at revision 4 now, with revision 2's template)
    const again = await h.runner.prepare(bob, rollback('ranker', { pinned }));
    expect(again.status).toBe('noop');
    expect(again.message).toContain('already rolled back');
    expect(again.message).toContain('done by U0ALICE');
    // confirming the old action once more
    expect(await h.runner.confirm(bob, offered.action.id)).toMatchObject({ status: 'already' });
    expect(patches()).toHaveLength(1);
  });

  it('a pinned plan refuses when the Deployment moved on to another revision', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v40', 'v41', 'v42', 'v43'] });
    const rs = h.k8s.list('ReplicaSet', ns).find((r) => r.metadata.annotations['deployment.kubernetes.io/revision'] === '2')!;
    const stale = await h.runner.prepare(alice, rollback('ranker', { pinned: { fromRevision: '3', toHolder: rs.metadata.name } }));
    expect(stale).toMatchObject({ status: 'error', code: 'stale_plan' });
  });

  it('runs once when two people click at the same moment', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const [a, b] = await Promise.all([h.runner.prepare(alice, rollback()), h.runner.prepare(bob, rollback())]);
    if (a.status !== 'ready' || b.status !== 'ready') throw new Error('not ready');
    expect(a.action.id).toBe(b.action.id);
    const results = await Promise.all([
      h.runner.confirm(alice, a.action.id),
      h.runner.confirm(bob, b.action.id),
      h.runner.confirm(alice, a.action.id),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['already', 'already', 'done']);
    expect(patches()).toHaveLength(1);
  });

  it('refuses an unauthorized person privately, audits the attempt, and changes nothing', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const refused = await h.runner.prepare(mallory, rollback());
    expect(refused.status).toBe('refused');
    expect(refused.message).toContain(`not allowed to rollback in namespace ${ns}`);
    // nor can they confirm an action someone else planned
    const planned = await h.runner.prepare(alice, rollback());
    if (planned.status !== 'ready') throw new Error(planned.message);
    expect((await h.runner.confirm(mallory, planned.action.id)).status).toBe('refused');
    expect(patches()).toHaveLength(0);
    const audit = (await listAudit(store.db)).filter((a) => a.target === `${ns}/Deployment/ranker` && a.actor === 'U0MALLORY');
    expect(audit.map((a) => [a.result, a.details?.['stage']])).toEqual([
      ['refused', 'plan'],
      ['refused', 'confirm'],
    ]);
  });

  it('needs a second authorized person in a production namespace', async () => {
    h = await harness(store, baseConfig({ productionNamespaces: ['ml-*'], twoPersonRule: true }));
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const planned = await h.runner.prepare(alice, rollback());
    if (planned.status !== 'ready') throw new Error(planned.message);
    expect(await h.runner.confirm(alice, planned.action.id)).toMatchObject({ status: 'awaiting_approval', approvers: ['U0ALICE'] });
    // the same person approving twice is still one person
    expect(await h.runner.confirm(alice, planned.action.id)).toMatchObject({ status: 'awaiting_approval' });
    expect(patches()).toHaveLength(0);
    expect(await h.runner.confirm(mallory, planned.action.id)).toMatchObject({ status: 'refused' });
    expect(await h.runner.confirm(bob, planned.action.id)).toMatchObject({ status: 'done' });
    expect(patches()).toHaveLength(1);
  });

  it('fails safely when the API server errors on the patch (500), and can be retried', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const planned = await h.runner.prepare(alice, rollback());
    if (planned.status !== 'ready') throw new Error(planned.message);
    h.k8s.failNext({ verb: 'patch', resource: 'deployments', status: 500 });
    const failed = await h.runner.confirm(alice, planned.action.id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('answered 500');
    expect(image()).toBe('registry.example/ranker:v42');
    // retry: a fresh plan for the same change, executed once
    const retry = await h.runner.prepare(alice, rollback());
    if (retry.status !== 'ready') throw new Error(retry.message);
    expect(retry.action.id).toBe(planned.action.id);
    expect((await h.runner.confirm(alice, retry.action.id)).status).toBe('done');
    expect(image()).toBe('registry.example/ranker:v41');
  });

  it('fails safely on a 409 from the API server', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const planned = await h.runner.prepare(alice, rollback());
    if (planned.status !== 'ready') throw new Error(planned.message);
    h.k8s.failNext({ verb: 'patch', resource: 'deployments', status: 409 });
    const failed = await h.runner.confirm(alice, planned.action.id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('changed meanwhile');
    expect(image()).toBe('registry.example/ranker:v42');
  });

  it('does not overwrite a change made between plan and confirm (the test op fails)', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const planned = await h.runner.prepare(alice, rollback());
    if (planned.status !== 'ready') throw new Error(planned.message);
    // someone deploys v43 while the modal is open
    const d = h.k8s.get('Deployment', ns, 'ranker')!;
    h.k8s.put({ ...d, spec: { ...d.spec, template: podTemplate('ranker', 'v43') } });
    const failed = await h.runner.confirm(alice, planned.action.id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('changed since the plan was made');
    expect(image()).toBe('registry.example/ranker:v43');
  });

  it('dry run: the API server validates with dryRun=All, nothing changes, and it says so', async () => {
    h = await harness(store, baseConfig({ mode: 'dry-run' }));
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const planned = await h.runner.prepare(alice, rollback());
    if (planned.status !== 'ready') throw new Error(planned.message);
    expect(planned.dryRun).toBe(true);
    const done = await h.runner.confirm(alice, planned.action.id);
    expect(done).toMatchObject({ status: 'done', dryRun: true });
    expect(done.message).toMatch(/^DRY RUN \(nothing changed\)/);
    expect(patches().map((p) => p.query['dryRun'])).toEqual(['All']);
    expect(image()).toBe('registry.example/ranker:v42');
    // every dry run is its own action: it never blocks another dry run or a real run
    expect((await h.runner.prepare(alice, rollback())).status).toBe('ready');
  });

  it('after a crash, an executing action is verified against the cluster, never executed again', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v40', 'v41', 'v42'] });
    const p1 = await h.runner.prepare(alice, rollback());
    if (p1.status !== 'ready') throw new Error(p1.message);
    // crashed after the patch reached the API server: simulate by applying the patch's effect
    // another action on another Deployment crashed before its patch
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'scorer', versions: ['v1', 'v2'] });
    const p2 = await h.runner.prepare(alice, rollback('scorer'));
    if (p2.status !== 'ready') throw new Error(p2.message);
    await markApproved(store.db, p1.action.id);
    await claimForExecution(store.db, p1.action.id, alice.id, h.clock.now());
    const d = h.k8s.get('Deployment', ns, 'ranker')!;
    h.k8s.put({ ...d, spec: { ...d.spec, template: p1.plan.change.patch[1].value } });
    await markApproved(store.db, p2.action.id);
    await claimForExecution(store.db, p2.action.id, alice.id, h.clock.now());

    expect(await h.runner.resumeInterrupted()).toEqual([]); // within the grace period: maybe still running
    h.clock.advance(180);
    const resolved = await h.runner.resumeInterrupted();
    expect(resolved.map((r) => [r.target, r.state])).toEqual([
      [`${ns}/Deployment/ranker`, 'done'],
      [`${ns}/Deployment/scorer`, 'failed'],
    ]);
    expect(patches()).toHaveLength(0);
    expect((await h.runner.confirm(alice, p1.action.id)).status).toBe('already');
  });

  it('warns when Argo CD or Flux manage the Deployment', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, {
      namespace: ns,
      name: 'ranker',
      versions: ['v41', 'v42'],
      labels: { 'argocd.argoproj.io/instance': 'ranking-prod' },
    });
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'scorer', versions: ['v1', 'v2'], labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } });
    const argo = await h.runner.prepare(alice, rollback());
    const flux = await h.runner.prepare(alice, rollback('scorer'));
    if (argo.status !== 'ready' || flux.status !== 'ready') throw new Error('not ready');
    expect(argo.plan.warnings[0]).toContain('Argo CD (application ranking-prod)');
    expect(flux.plan.warnings[0]).toContain('flux suspend kustomization apps');
  });

  it('reports a rollout that does not finish in time, and an unknown burn rate as unknown', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const planned = await h.runner.prepare(alice, rollback());
    if (planned.status !== 'ready') throw new Error(planned.message);
    await h.runner.confirm(alice, planned.action.id);
    const stuck = await h.runner.verify(planned.action.id, { burnRate: async () => 20 });
    expect(stuck).toMatchObject({ rollout: 'timed_out', burnStopped: null });
    expect(h.clock.now().getTime() - new Date(T0).getTime()).toBeGreaterThanOrEqual(300_000);
  });

  it('says the burn has not stopped, and unknown when the SLO source does not answer; each action is verified once', async () => {
    h = await harness(store);
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    seedDeployment(h.k8s, h.clock, { namespace: ns, name: 'scorer', versions: ['v1', 'v2'] });
    const verified = async (name: string, opts: Parameters<typeof h.runner.verify>[1]) => {
      const planned = await h.runner.prepare(alice, rollback(name));
      if (planned.status !== 'ready') throw new Error(planned.message);
      await h.runner.confirm(alice, planned.action.id);
      h.k8s.completeRollout('Deployment', ns, name);
      return { id: planned.action.id, verification: await h.runner.verify(planned.action.id, opts) };
    };
    const burning = await verified('ranker', { burnRate: async () => 20, threshold: 14.4 });
    expect(burning.verification).toMatchObject({ burnStopped: false, burnRate: 20 });
    expect((await verified('scorer', { burnRate: async () => null })).verification).toMatchObject({ burnStopped: null });
    // asked again, the stored result: the burn is not read again and nothing is audited twice
    let read = 0;
    const again = await h.runner.verify(burning.id, { burnRate: async () => ++read });
    expect(again).toEqual(burning.verification);
    expect(read).toBe(0);
    const verifiedRows = (await listAudit(store.db)).filter((a) => a.target === `${ns}/Deployment/ranker` && a.result === 'verified');
    expect(verifiedRows).toHaveLength(1);
  });
});


// The verification of a rollback outlives the process that started it: a crash mid-verify leaves
// it owed in the store, the next process of the same replica (or, once the lease ran out, any
// replica) finishes it with the rollout budget that is left, and it is told exactly once even when
// two replicas resume at the same moment. Real client-node against the fake API server, the
// machine's PostgreSQL with one connection pool per replica.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActionRunner, createActionRunner, type Verification, type VerifyOptions } from '../../src/actions/action-runner.ts';
import { type ActionRow, claimForExecution, getAction, markApproved } from '../../src/actions/action-store.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import type { ActionRequest } from '../../src/actions/plan.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { alice, baseConfig, T0 } from './harness.ts';
import { seedDeployment } from './workloads.ts';

// timeout 300 s, poll 5 s, settle 300 s
const config = baseConfig();
const at = (seconds: number) => new Date(new Date(T0).getTime() + seconds * 1000).toISOString();

let db: TestDatabase;
let k8s: FakeK8s;
const stores: Store[] = [];
const clock = fixedClock(T0);
let ns: string;
let n = 0;

beforeAll(async () => {
  db = await createPostgresDatabase('bw_verify_resume');
  k8s = await startFakeK8s({ now: () => clock.now() });
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await k8s?.close();
  await db?.drop();
});
beforeEach(() => {
  ns = `ml-v${++n}`;
  clock.set(T0);
});

/** One burnwatch process: its own pool on the shared database, its identity, its way of waiting. */
async function replica(owner: string | undefined, sleep?: (ms: number) => Promise<void>): Promise<{ runner: ActionRunner; store: Store }> {
  const store = await openStore({ databaseUrl: db.url, dataDir: await makeTempDir('bw-verify-') });
  stores.push(store);
  const runner = createActionRunner({ db: store.db, clients: kubeClients(k8s.kubeConfig()), config, clock, ...(owner ? { owner } : {}), ...(sleep ? { sleep } : {}) });
  return { runner, store };
}

/** Time passes in every wait; after `waits` of them the process dies (its wait never returns). */
function dyingAfter(waits: number): { sleep: (ms: number) => Promise<void>; died: Promise<void> } {
  let count = 0;
  let died!: () => void;
  const dead = new Promise<void>((r) => (died = r));
  return {
    died: dead,
    sleep: async (ms) => {
      clock.advance(ms / 1000);
      if (++count > waits) {
        died();
        await new Promise(() => {});
      }
    },
  };
}

/** Time passes in every wait; the controller may finish the rollout meanwhile. */
const passing = (rollout: boolean) => async (ms: number) => {
  clock.advance(ms / 1000);
  if (rollout) k8s.completeRollout('Deployment', ns, 'ranker');
};

const rollback = (): ActionRequest => ({ action: 'rollback', target: { kind: 'Deployment', namespace: ns, name: 'ranker' } });

/** Plans and executes a rollback of ns/ranker (v42 → v41); the Deployment has not rolled out yet. */
async function executed(runner: ActionRunner): Promise<number> {
  seedDeployment(k8s, fixedClock(new Date(clock.now().getTime() - 3_600_000)), { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
  const prepared = await runner.prepare(alice, rollback());
  if (prepared.status !== 'ready') throw new Error(prepared.message);
  const done = await runner.confirm(alice, prepared.action.id);
  if (done.status !== 'done') throw new Error(done.message);
  return prepared.action.id;
}

const told: Array<{ by: string; id: number; verification: Verification }> = [];
const telling = (by: string, extra: VerifyOptions = {}): VerifyOptions => ({
  burnRate: async () => 0.4,
  threshold: 14.4,
  report: async (action: ActionRow, verification: Verification) => {
    told.push({ by, id: action.id, verification });
  },
  ...extra,
});
const toldAbout = (id: number) => told.filter((t) => t.id === id);
const verifiedAudits = async (store: Store, id: number) =>
  (await listAudit(store.db)).filter((a) => a.action === 'action.rollback' && a.result === 'verified' && (a.details as { actionId?: number }).actionId === id);

describe('verification after a restart', () => {
  it('is finished by the restarted process of the same replica, with the rollout budget that was left', async () => {
    const crash = dyingAfter(2);
    const a = await replica('replica-a', crash.sleep);
    const id = await executed(a.runner);
    void a.runner.verify(id, telling('a'));
    await crash.died; // mid-verify, 15 s after the change, the rollout not finished
    const dead = (await getAction(a.store.db, id))!;
    expect(dead).toMatchObject({ verifyState: 'pending', verifyOwner: expect.stringMatching(/^replica-a#/), verification: null });
    expect(toldAbout(id)).toEqual([]);

    clock.set(at(250)); // burnwatch is back 4 minutes later, under the same identity
    const again = await replica('replica-a', passing(false));
    const resumed = await again.runner.resumeVerifications(() => telling('a-again'));
    expect(resumed.map((r) => r.action.id)).toEqual([id]);
    // the budget counts from the change: 300 s after it, not 300 s after the restart
    expect(resumed[0]!.verification).toMatchObject({ rollout: 'timed_out', resumed: true, at: at(300) });
    expect(resumed[0]!.verification!.message).toBe(
      'Rollout not finished after 300s (waiting for the controller to observe the change). (Verification resumed after a burnwatch restart.)',
    );
    expect(toldAbout(id).map((t) => t.by)).toEqual(['a-again']);
    expect(await verifiedAudits(again.store, id)).toHaveLength(1);
    const row = (await getAction(again.store.db, id))!;
    expect(row).toMatchObject({ verifyState: 'reported', verifyReportedAt: new Date(at(300)), verifyOwner: expect.stringMatching(/^replica-a#/) });
    expect(row.verifyOwner).not.toBe(dead.verifyOwner);

    // a further restart finds nothing owed
    expect(await (await replica('replica-a')).runner.resumeVerifications(() => telling('a-third'))).toEqual([]);
    expect(toldAbout(id)).toHaveLength(1);
  });

  it('waits for the lease of another replica to run out, then exactly one of two resuming replicas tells it', async () => {
    const crash = dyingAfter(0);
    const a = await replica('replica-a', crash.sleep);
    const id = await executed(a.runner);
    void a.runner.verify(id, telling('a'));
    await crash.died;

    const b = await replica('replica-b', passing(true));
    const c = await replica('replica-c', passing(true));
    clock.set(at(30)); // replica-a may only be slow: its lease (wait + 60 s) still runs
    expect(await b.runner.resumeVerifications(() => telling('b'))).toEqual([]);

    clock.set(at(70));
    const [byB, byC] = await Promise.all([b.runner.resumeVerifications(() => telling('b')), c.runner.resumeVerifications(() => telling('c'))]);
    const finished = [...byB, ...byC];
    expect(finished).toHaveLength(1);
    expect(finished[0]!.verification).toMatchObject({ rollout: 'available', burnRate: 0.4, burnStopped: true, resumed: true });
    expect(finished[0]!.verification!.message).toContain('Short-window burn rate 0.40 (below 14.4): the burn stopped.');
    const winner = toldAbout(id);
    expect(winner).toHaveLength(1);
    expect(['b', 'c']).toContain(winner[0]!.by);
    expect(await verifiedAudits(b.store, id)).toHaveLength(1);
    const row = await getAction(c.store.db, id);
    expect(row).toMatchObject({ verifyState: 'reported', verifyOwner: expect.stringMatching(new RegExp(`^replica-${winner[0]!.by}#`)) });
    expect(row!.verification).toEqual(finished[0]!.verification);
  });

  it('tells a result stored before the crash as it was, without measuring again', async () => {
    const a = await replica('replica-a', passing(true));
    const id = await executed(a.runner);
    // the result is stored and audited, then the process dies before Slack heard of it
    await expect(a.runner.verify(id, telling('a', { report: async () => Promise.reject(new Error('killed')) }))).rejects.toThrow('killed');
    const stored = (await getAction(a.store.db, id))!;
    expect(stored).toMatchObject({ verifyState: 'pending', verification: expect.objectContaining({ rollout: 'available' }) });

    let reads = 0;
    const again = await replica('replica-a', passing(true));
    const resumed = await again.runner.resumeVerifications(() => telling('a-again', { burnRate: async () => ++reads }));
    expect(resumed.map((r) => r.verification)).toEqual([stored.verification]);
    expect(reads).toBe(0);
    expect(toldAbout(id).map((t) => [t.by, t.verification])).toEqual([['a-again', stored.verification]]);
    expect(await verifiedAudits(again.store, id)).toHaveLength(1);
  });

  it('verifies an action a crash left executing once it is found in place', async () => {
    const a = await replica('replica-a');
    seedDeployment(k8s, fixedClock(new Date(clock.now().getTime() - 3_600_000)), { namespace: ns, name: 'ranker', versions: ['v41', 'v42'] });
    const prepared = await a.runner.prepare(alice, rollback());
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    // claimed and patched, then the process died before recording it
    await markApproved(a.store.db, prepared.action.id);
    await claimForExecution(a.store.db, prepared.action.id, alice.id, clock.now());
    const d = k8s.get('Deployment', ns, 'ranker')!;
    k8s.put({ ...d, spec: { ...d.spec, template: prepared.plan.change.patch[1].value }, metadata: { ...d.metadata, generation: d.metadata.generation + 1 } });

    clock.set(at(180));
    const again = await replica('replica-a', passing(true));
    expect((await again.runner.resumeInterrupted()).map((r) => r.state)).toEqual(['done']);
    const resumed = await again.runner.resumeVerifications(() => telling('a-again'));
    expect(resumed.map((r) => [r.action.id, r.verification?.rollout])).toEqual([[prepared.action.id, 'available']]);
    expect(toldAbout(prepared.action.id)).toHaveLength(1);
  });

  it('is never taken over by a resume of the process that is about to verify it itself', async () => {
    const a = await replica('replica-a', passing(true));
    const id = await executed(a.runner);
    // between the change and its verification (the click's process is telling Slack it is done)
    expect(await a.runner.resumeVerifications(() => telling('a-resume'))).toEqual([]);
    const verification = await a.runner.verify(id, telling('a'));
    expect(verification).toMatchObject({ rollout: 'available', burnStopped: true });
    expect(verification).not.toHaveProperty('resumed');
    expect(toldAbout(id).map((t) => t.by)).toEqual(['a']);
  });

  it('stops waiting at shutdown and leaves the verification owed for the next start', async () => {
    // the real timer: closing must not wait out the 5 s poll
    const a = await replica('replica-a');
    const id = await executed(a.runner);
    const gets = () => k8s.requests.filter((r) => r.verb === 'get' && r.path.includes(`/namespaces/${ns}/deployments/ranker`)).length;
    const before = gets();
    const verifying = a.runner.verify(id, telling('a'));
    const deadline = Date.now() + 30_000;
    while (gets() === before) {
      if (Date.now() > deadline) throw new Error('the verification never looked at the rollout');
      await new Promise((r) => setTimeout(r, 20));
    }
    a.runner.close();
    expect(await verifying).toBeUndefined();
    expect(await getAction(a.store.db, id)).toMatchObject({ verifyState: 'pending', verification: null });
    expect(toldAbout(id)).toEqual([]);
    expect(await a.runner.resumeVerifications(() => telling('a'))).toEqual([]);
  });
});

import fs from 'node:fs';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeK8s, grantsFromRbacManifests, startFakeK8s } from '../../../test/fakes/k8s-api-server.ts';
import { fixedClock } from '../../domain/clock.ts';
import { LeaseElector } from './lease-elector.ts';

const MICROTIME = /\.\d{6}Z$/;

describe('Lease leader election against the fake API server', () => {
  let k8s: FakeK8s;
  const clock = fixedClock('2026-11-20T10:00:00Z');
  const logger = pino({ level: process.env.DEBUG_LEASE ? 'debug' : 'silent' });
  const elector = (identity: string, token = 'fake-token') =>
    new LeaseElector({
      api: k8s.kubeConfig({ namespace: 'burnwatch', token }).makeApiClient(CoordinationV1Api),
      namespace: 'burnwatch',
      name: 'burnwatch-leader',
      identity,
      clock,
      logger,
      leaseDurationSeconds: 15,
    });

  beforeAll(async () => {
    // The service account's token carries exactly the grants of deploy/rbac.yaml.
    const rbac = parseAllDocuments(fs.readFileSync(new URL('../../../deploy/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
    const grants = grantsFromRbacManifests(rbac, { kind: 'ServiceAccount', name: 'burnwatch', namespace: 'burnwatch' });
    k8s = await startFakeK8s({
      now: () => clock.now(),
      users: { 'fake-token': { name: 'tester' }, 'sa-token': { name: 'system:serviceaccount:burnwatch:burnwatch', grants } },
    });
  });
  afterAll(() => k8s.close());
  beforeEach(() => {
    k8s.remove('Lease', 'burnwatch', 'burnwatch-leader');
  });

  it('elects one leader, keeps it while it renews, and hands over when it goes silent', async () => {
    const a = elector('a');
    const b = elector('b');
    expect(await a.tryAcquireOrRenew()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    let lease = k8s.get('Lease', 'burnwatch', 'burnwatch-leader')!;
    expect(lease.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(lease.spec.renewTime).toMatch(MICROTIME);

    clock.advance(10);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    clock.advance(10);
    expect(await b.tryAcquireOrRenew()).toBe(false); // a renewed 10 s ago

    // a goes silent: it stops acting after its renew deadline (10 s), before b can take over (15 s).
    clock.advance(6);
    expect(a.isLeader()).toBe(false);
    expect(await b.tryAcquireOrRenew()).toBe(false); // b saw the record change 6 s ago... wait for a full duration
    clock.advance(10);
    expect(await b.tryAcquireOrRenew()).toBe(true);
    lease = k8s.get('Lease', 'burnwatch', 'burnwatch-leader')!;
    expect(lease.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(await a.tryAcquireOrRenew()).toBe(false);
    expect(b.isLeader()).toBe(true);
  });

  it('lets exactly one of two candidates win the race for an expired lease (409 for the other)', async () => {
    const a = elector('a');
    expect(await a.tryAcquireOrRenew()).toBe(true);
    const b = elector('b');
    const c = elector('c');
    await b.tryAcquireOrRenew();
    await c.tryAcquireOrRenew();
    clock.advance(20);
    const results = await Promise.all([b.tryAcquireOrRenew(), c.tryAcquireOrRenew()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(k8s.requests.some((r) => r.method === 'PUT' && r.status === 409)).toBe(true);
  });

  it('releases the lease on stop so a follower takes over at once', async () => {
    const a = elector('a');
    const b = elector('b');
    await a.start(() => {});
    expect(a.isLeader()).toBe(true);
    expect(await b.tryAcquireOrRenew()).toBe(false);
    await a.stop();
    expect(a.isLeader()).toBe(false);
    expect(k8s.get('Lease', 'burnwatch', 'burnwatch-leader')!.spec.holderIdentity).toBe('');
    expect(await b.tryAcquireOrRenew()).toBe(true);
  });

  it('needs no more than the leader-election Role of deploy/rbac.yaml', async () => {
    const a = elector('a', 'sa-token');
    const b = elector('b', 'sa-token');
    await a.start(() => {});
    expect(a.isLeader()).toBe(true);
    clock.advance(5);
    expect(await a.tryAcquireOrRenew()).toBe(true);
    await a.stop();
    expect(await b.tryAcquireOrRenew()).toBe(true);
    const asServiceAccount = k8s.requests.filter((r) => r.user?.includes('serviceaccount'));
    expect(new Set(asServiceAccount.map((r) => r.verb))).toEqual(new Set(['get', 'create', 'update']));
    expect(asServiceAccount.filter((r) => r.status === 403)).toEqual([]);
  });
});

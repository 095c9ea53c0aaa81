// The fake API server answers the real client-node the way kube-apiserver would.
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeK8s, type K8sObject, startFakeK8s } from './k8s-api-server.ts';

const deployment = (image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'ranker', namespace: 'ml', labels: { app: 'ranker' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'ranker' } },
    template: {
      metadata: { labels: { app: 'ranker' } },
      spec: {
        containers: [
          { name: 'model', image, env: [{ name: 'MODEL_VERSION', value: 'v1' }] },
          { name: 'sidecar', image: 'envoy:1' },
        ],
      },
    },
  },
});

async function status(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return { code: e.code, body: JSON.parse(e.body as string) };
    throw e;
  }
  throw new Error('expected an ApiException');
}

describe('fake Kubernetes API server', () => {
  let k8s: FakeK8s;
  let apps: AppsV1Api;
  beforeEach(async () => {
    k8s = await startFakeK8s();
    apps = k8s.kubeConfig().makeApiClient(AppsV1Api);
  });
  afterEach(() => k8s.close());

  it('creates, reads and lists by label selector; 404 and 409 AlreadyExists as Status objects', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: 'ml', body: deployment('ranker:1') });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.generation).toBe(1);
    const read = await apps.readNamespacedDeployment({ namespace: 'ml', name: 'ranker' });
    expect(read.spec?.template.spec?.containers[0]?.image).toBe('ranker:1');
    expect((await apps.listNamespacedDeployment({ namespace: 'ml', labelSelector: 'app in (ranker,x)' })).items).toHaveLength(1);
    expect((await apps.listNamespacedDeployment({ namespace: 'ml', labelSelector: 'app!=ranker' })).items).toHaveLength(0);
    const missing = await status(apps.readNamespacedDeployment({ namespace: 'ml', name: 'nope' }));
    expect(missing).toMatchObject({ code: 404, body: { kind: 'Status', reason: 'NotFound', message: 'deployments.apps "nope" not found' } });
    const again = await status(apps.createNamespacedDeployment({ namespace: 'ml', body: deployment('ranker:1') }));
    expect(again).toMatchObject({ code: 409, body: { reason: 'AlreadyExists' } });
  });

  it('rejects a stale resourceVersion with 409 Conflict and bumps generation on spec changes only', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: 'ml', body: deployment('ranker:1') });
    const updated = await apps.replaceNamespacedDeployment({ namespace: 'ml', name: 'ranker', body: { ...created, spec: deployment('ranker:2').spec } });
    expect(updated.metadata?.generation).toBe(2);
    const stale = await status(apps.replaceNamespacedDeployment({ namespace: 'ml', name: 'ranker', body: created }));
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    const labelled = await apps.patchNamespacedDeployment(
      { namespace: 'ml', name: 'ranker', body: { metadata: { labels: { team: 'rank' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(labelled.metadata?.generation).toBe(2);
  });

  it('applies JSON patch with a test op (422 on mismatch), strategic merge by container name, and dryRun=All', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: 'ml', body: deployment('ranker:1') });
    const failed = await status(
      apps.patchNamespacedDeployment({
        namespace: 'ml',
        name: 'ranker',
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: 'stale' },
          { op: 'replace', path: '/spec/replicas', value: 1 },
        ],
      }),
    );
    expect(failed.code).toBe(422);
    const ok = await apps.patchNamespacedDeployment({
      namespace: 'ml',
      name: 'ranker',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: created.metadata?.resourceVersion },
        { op: 'replace', path: '/spec/replicas', value: 1 },
      ],
    });
    expect(ok.spec?.replicas).toBe(1);
    const smp = await apps.patchNamespacedDeployment(
      { namespace: 'ml', name: 'ranker', body: { spec: { template: { spec: { containers: [{ name: 'model', image: 'ranker:3' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.template.spec?.containers.map((c) => c.image)).toEqual(['ranker:3', 'envoy:1']);
    expect(smp.spec?.template.spec?.containers[0]?.env).toEqual([{ name: 'MODEL_VERSION', value: 'v1' }]);
    const dry = await apps.patchNamespacedDeployment({
      namespace: 'ml',
      name: 'ranker',
      dryRun: 'All',
      body: [{ op: 'replace', path: '/spec/replicas', value: 7 }],
    });
    expect(dry.spec?.replicas).toBe(7);
    expect(k8s.get('Deployment', 'ml', 'ranker')?.spec.replicas).toBe(1);
  });

  it('answers 403 with the apiserver message when RBAC does not allow the verb', async () => {
    k8s.users['limited'] = {
      name: 'system:serviceaccount:burnwatch:burnwatch',
      grants: [{ namespace: 'ml', rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }] }],
    };
    await apps.createNamespacedDeployment({ namespace: 'ml', body: deployment('ranker:1') });
    const limited = k8s.kubeConfig({ token: 'limited' }).makeApiClient(AppsV1Api);
    await limited.readNamespacedDeployment({ namespace: 'ml', name: 'ranker' });
    const denied = await status(limited.deleteNamespacedDeployment({ namespace: 'ml', name: 'ranker' }));
    expect(denied.code).toBe(403);
    expect(denied.body['message']).toBe(
      'deployments.apps "ranker" is forbidden: User "system:serviceaccount:burnwatch:burnwatch" cannot delete resource "deployments" in API group "apps" in the namespace "ml"',
    );
    expect((await status(limited.readNamespacedDeployment({ namespace: 'other', name: 'ranker' }))).code).toBe(403);
  });

  it('validates Lease MicroTime (6 fractional digits) with 400', async () => {
    const leases = k8s.kubeConfig().makeApiClient(CoordinationV1Api);
    const bad = await status(
      leases.createNamespacedLease({
        namespace: 'bw',
        body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', renewTime: new Date() as unknown as V1MicroTime } },
      }),
    );
    expect(bad.code).toBe(400);
    const good = await leases.createNamespacedLease({
      namespace: 'bw',
      body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', renewTime: new V1MicroTime(Date.now()) } },
    });
    expect(good.spec?.holderIdentity).toBe('a');
  });

  it('completes a Deployment rollout like the controller: new ReplicaSet with the next revision', async () => {
    await apps.createNamespacedDeployment({ namespace: 'ml', body: deployment('ranker:1') });
    k8s.completeRollout('Deployment', 'ml', 'ranker');
    await apps.patchNamespacedDeployment(
      { namespace: 'ml', name: 'ranker', body: { spec: { template: { spec: { containers: [{ name: 'model', image: 'ranker:2' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const d = k8s.completeRollout('Deployment', 'ml', 'ranker');
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.status).toMatchObject({ observedGeneration: 2, availableReplicas: 3, updatedReplicas: 3 });
    const rs = await apps.listNamespacedReplicaSet({ namespace: 'ml', labelSelector: 'app=ranker' });
    expect(rs.items.map((r) => [r.metadata?.annotations?.['deployment.kubernetes.io/revision'], r.spec?.replicas])).toEqual(
      expect.arrayContaining([
        ['1', 0],
        ['2', 3],
      ]),
    );
    // Deleting the Deployment garbage-collects its ReplicaSets through ownerReferences.
    await apps.deleteNamespacedDeployment({ namespace: 'ml', name: 'ranker' });
    expect((await apps.listNamespacedReplicaSet({ namespace: 'ml' })).items).toHaveLength(0);
  });

  it('serves custom resources: merge patch works, strategic merge is 415, /status is separate', async () => {
    const custom = k8s.kubeConfig().makeApiClient(CustomObjectsApi);
    const route = { group: 'serving.kserve.io', version: 'v1beta1', namespace: 'ml', plural: 'inferenceservices' };
    await custom.createNamespacedCustomObject({
      ...route,
      body: { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'ranker' }, spec: { predictor: { model: { storageUri: 'gs://m/v1' } } } },
    });
    const smp = await status(
      custom.patchNamespacedCustomObject({ ...route, name: 'ranker', body: { spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
    );
    expect(smp.code).toBe(415);
    await custom.patchNamespacedCustomObject(
      { ...route, name: 'ranker', body: { spec: { predictor: { canaryTrafficPercent: 10 } }, status: { hacked: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const got = (await custom.getNamespacedCustomObject({ ...route, name: 'ranker' })) as K8sObject;
    expect(got['spec'].predictor).toEqual({ model: { storageUri: 'gs://m/v1' }, canaryTrafficPercent: 10 });
    expect(got['status']).toBeUndefined();
  });

  it('injects faults and records requests', async () => {
    await apps.createNamespacedDeployment({ namespace: 'ml', body: deployment('ranker:1') });
    k8s.failNext({ verb: 'get', resource: 'deployments', status: 500 });
    expect((await status(apps.readNamespacedDeployment({ namespace: 'ml', name: 'ranker' }))).code).toBe(500);
    await apps.readNamespacedDeployment({ namespace: 'ml', name: 'ranker' });
    const batch = k8s.kubeConfig().makeApiClient(BatchV1Api);
    expect((await batch.listNamespacedCronJob({ namespace: 'ml' })).items).toEqual([]);
    expect(k8s.requests.map((r) => `${r.verb} ${r.resource} ${r.status}`)).toEqual([
      'create deployments 201',
      'get deployments 500',
      'get deployments 200',
      'list cronjobs 200',
    ]);
  });
});

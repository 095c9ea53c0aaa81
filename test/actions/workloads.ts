// Workloads with a rollout history in the fake API server, built the way a cluster gets them:
// each model version is a new spec, then the controller hook finishes its rollout.
import type { fixedClock } from '../../src/domain/clock.ts';
import type { FakeK8s, K8sObject } from '../fakes/k8s-api-server.ts';

export const podTemplate = (app: string, version: string, extra: K8sObject = {}) => ({
  metadata: { labels: { app, 'model-version': version } },
  spec: {
    containers: [
      { name: 'model', image: `registry.example/${app}:${version}`, env: [{ name: 'MODEL_VERSION', value: version }] },
      { name: 'proxy', image: 'envoy:1.31' },
    ],
    ...extra,
  },
});

function setTemplate(k8s: FakeK8s, kind: 'Deployment' | 'Rollout', ns: string, name: string, template: K8sObject) {
  const current = k8s.get(kind, ns, name)!;
  k8s.put({ ...current, spec: { ...current.spec, template }, metadata: { ...current.metadata, generation: current.metadata.generation + 1 } });
}

/** A Deployment whose revisions 1..n serve the given model versions, 10 minutes apart; the last is live. */
export function seedDeployment(
  k8s: FakeK8s,
  clock: ReturnType<typeof fixedClock>,
  opts: { namespace: string; name: string; versions: string[]; labels?: Record<string, string>; annotations?: Record<string, string> },
): K8sObject {
  const { namespace, name, versions } = opts;
  k8s.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name, ...opts.labels }, annotations: { ...opts.annotations } },
    spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: podTemplate(name, versions[0]!) },
  });
  k8s.completeRollout('Deployment', namespace, name);
  for (const v of versions.slice(1)) {
    clock.advance(600);
    setTemplate(k8s, 'Deployment', namespace, name, podTemplate(name, v));
    k8s.completeRollout('Deployment', namespace, name);
  }
  return k8s.get('Deployment', namespace, name)!;
}

/** An Argo Rollout: stable on versions[0..n-2] (each promoted), canary of the last one paused in progress. */
export function seedRollout(k8s: FakeK8s, clock: ReturnType<typeof fixedClock>, opts: { namespace: string; name: string; versions: string[] }) {
  const { namespace, name, versions } = opts;
  k8s.put({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: name } },
      template: podTemplate(name, versions[0]!),
      strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }] } },
    },
  });
  k8s.completeRollout('Rollout', namespace, name);
  for (const [i, v] of versions.slice(1).entries()) {
    clock.advance(600);
    setTemplate(k8s, 'Rollout', namespace, name, podTemplate(name, v));
    k8s.completeRollout('Rollout', namespace, name, { promote: i < versions.length - 2 });
  }
  return k8s.get('Rollout', namespace, name)!;
}

export const predictor = (version: string) => ({ model: { modelFormat: { name: 'pytorch' }, storageUri: `gs://models/ranker/${version}` } });

/** An InferenceService rolled out on versions[0], then versions[1] deployed: as a canary at `canary` %, or fully. */
export function seedInferenceService(
  k8s: FakeK8s,
  clock: ReturnType<typeof fixedClock>,
  opts: { namespace: string; name: string; versions: [string, string]; canary?: number; annotations?: Record<string, string> },
) {
  const { namespace, name, versions } = opts;
  k8s.put({
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, namespace, annotations: { ...opts.annotations } },
    spec: { predictor: predictor(versions[0]) },
  });
  k8s.completeRollout('InferenceService', namespace, name);
  clock.advance(600);
  const current = k8s.get('InferenceService', namespace, name)!;
  const next = { ...predictor(versions[1]), ...(opts.canary === undefined ? {} : { canaryTrafficPercent: opts.canary }) };
  k8s.put({ ...current, metadata: { ...current.metadata, generation: 2 }, spec: { predictor: next } });
  return k8s.completeRollout('InferenceService', namespace, name);
}

export function seedCronJob(k8s: FakeK8s, opts: { namespace: string; name: string; version: string }) {
  return k8s.put({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: opts.name, namespace: opts.namespace },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: {
        metadata: { labels: { app: opts.name }, annotations: { team: 'ranking' } },
        spec: {
          backoffLimit: 2,
          template: {
            metadata: { labels: { app: opts.name } },
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'train', image: `registry.example/trainer:${opts.version}`, env: [{ name: 'MODEL_VERSION', value: opts.version }] }],
            },
          },
        },
      },
    },
    status: { lastSuccessfulTime: '2026-11-19T03:41:00Z' },
  });
}

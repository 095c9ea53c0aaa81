// Workloads are read and written as raw JSON through the generic (custom objects) client, which
// uses the same URLs as the typed clients (/apis/apps/v1/namespaces/ns/deployments/x). The pod
// template that a rollback copies and tests against is then exactly what the API server stores,
// with no round trip through the typed models (which turn timestamps into Dates and back).
import type { KubeClients } from './kube-clients.ts';
import { kubernetes, toActionError } from './kube-clients.ts';

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON
export type KObject = Record<string, any>;

export interface Gvr {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const GVR = {
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
  ReplicaSet: { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' },
  CronJob: { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob' },
  Job: { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' },
  Rollout: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', kind: 'Rollout' },
  InferenceService: { group: 'serving.kserve.io', version: 'v1beta1', plural: 'inferenceservices', kind: 'InferenceService' },
} as const satisfies Record<string, Gvr>;

const route = (gvr: Gvr, namespace: string) => ({ group: gvr.group, version: gvr.version, plural: gvr.plural, namespace });
const what = (verb: string, gvr: Gvr, namespace: string, name?: string) => `${verb} ${gvr.kind} ${namespace}${name ? `/${name}` : ''}`;

export async function getObject(c: KubeClients, gvr: Gvr, namespace: string, name: string): Promise<KObject> {
  try {
    return (await c.custom.getNamespacedCustomObject({ ...route(gvr, namespace), name })) as KObject;
  } catch (e) {
    throw toActionError(e, what('get', gvr, namespace, name));
  }
}

export async function listObjects(c: KubeClients, gvr: Gvr, namespace: string, labelSelector?: string): Promise<KObject[]> {
  try {
    const list = (await c.custom.listNamespacedCustomObject({ ...route(gvr, namespace), labelSelector })) as KObject;
    return (list.items ?? []) as KObject[];
  } catch (e) {
    throw toActionError(e, what('list', gvr, namespace));
  }
}

export type PatchType = 'json' | 'merge';

export async function patchObject(
  c: KubeClients,
  gvr: Gvr,
  namespace: string,
  name: string,
  body: unknown,
  opts: { type: PatchType; dryRun: boolean; status?: boolean },
): Promise<KObject> {
  const { PatchStrategy, setHeaderOptions } = kubernetes();
  const header = setHeaderOptions('Content-Type', opts.type === 'json' ? PatchStrategy.JsonPatch : PatchStrategy.MergePatch);
  const params = { ...route(gvr, namespace), name, body, dryRun: opts.dryRun ? 'All' : undefined, fieldManager: 'burnwatch' };
  try {
    const result = opts.status
      ? await c.custom.patchNamespacedCustomObjectStatus(params, header)
      : await c.custom.patchNamespacedCustomObject(params, header);
    return result as KObject;
  } catch (e) {
    throw toActionError(e, what(opts.status ? 'patch status of' : 'patch', gvr, namespace, name));
  }
}

export async function createObject(c: KubeClients, gvr: Gvr, namespace: string, body: KObject, opts: { dryRun: boolean }): Promise<KObject> {
  try {
    return (await c.custom.createNamespacedCustomObject({
      ...route(gvr, namespace),
      body,
      dryRun: opts.dryRun ? 'All' : undefined,
      fieldManager: 'burnwatch',
    })) as KObject;
  } catch (e) {
    throw toActionError(e, what('create', gvr, namespace, body.metadata?.name));
  }
}

export const selectorText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** Objects controlled by `owner` (its ownerReference with controller: true). */
export const controlledBy = (owner: KObject) => (o: KObject) =>
  (o.metadata?.ownerReferences ?? []).some((r: KObject) => r.uid === owner.metadata?.uid && r.controller);

/** JSON with sorted keys: equal objects compare equal whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as KObject;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A pod template without the label its ReplicaSet adds (pod-template-hash / rollouts-pod-template-hash). */
export function withoutHashLabel(template: KObject | undefined, label: string): KObject {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[label];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

export const sameTemplate = (a: KObject | undefined, b: KObject | undefined, hashLabel: string) =>
  stableJson(withoutHashLabel(a, hashLabel)) === stableJson(withoutHashLabel(b, hashLabel));

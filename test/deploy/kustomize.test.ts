// `kubectl kustomize deploy/` (no cluster needed: kustomize only builds) gives manifests that apply
// on an empty cluster: every object is a Kubernetes kind whose fields its OpenAPI model knows
// (the models of @kubernetes/client-node: a round trip through them drops any field Kubernetes
// does not have), every namespace used is created, the RBAC binds every namespace the example
// SLOs remediate in, the SLO ConfigMap holds every file of slos/ unchanged, and the Ingress and
// ServiceMonitor point at the Service's port. kubectl comes from Debian in CI (.ci/run).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
// Not in the package's index: the serializer of the generated OpenAPI models.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadSpecs } from '../../src/spec/load.ts';
import { REPO_ROOT } from '../helpers/burnwatch-process.ts';

const run = promisify(execFile);
// biome-ignore lint/suspicious/noExplicitAny: manifests are open-ended YAML
type Doc = Record<string, any>;

async function kustomize(dir: string): Promise<Doc[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  const parsed = parseAllDocuments(stdout);
  for (const d of parsed) expect(d.errors).toEqual([]);
  return parsed.map((d) => d.toJS() as Doc).filter(Boolean);
}

const MODEL: Record<string, string> = {
  'v1/Namespace': 'V1Namespace',
  'v1/ServiceAccount': 'V1ServiceAccount',
  'v1/Service': 'V1Service',
  'v1/ConfigMap': 'V1ConfigMap',
  'apps/v1/Deployment': 'V1Deployment',
  'policy/v1/PodDisruptionBudget': 'V1PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/Role': 'V1Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'V1RoleBinding',
  'networking.k8s.io/v1/Ingress': 'V1Ingress',
};
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

/** Paths of `given` that a round trip through the Kubernetes model dropped: fields Kubernetes does not have. */
function unknownFields(given: unknown, kept: unknown, at = ''): string[] {
  if (given === null || typeof given !== 'object') return [];
  if (kept === null || typeof kept !== 'object') return [at];
  return Object.entries(given as Doc).flatMap(([key, value]) => {
    const here = Array.isArray(given) ? `${at}[${key}]` : `${at}.${key}`;
    return key in (kept as Doc) ? unknownFields(value, (kept as Doc)[key], here) : [here];
  });
}

function slosFiles(): string[] {
  return fs
    .readdirSync(path.join(REPO_ROOT, 'slos'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

describe('kubectl kustomize deploy/', () => {
  let docs: Doc[];
  let withMonitor: Doc[];
  let tmp: string;
  beforeAll(async () => {
    docs = await kustomize('deploy');
    // The ServiceMonitor variant, as the kustomization's comment describes it (an overlay beside a copy).
    tmp = await mkdtemp(path.join(os.tmpdir(), 'bw-kustomize-'));
    await copyFile(path.join(REPO_ROOT, 'deploy', 'servicemonitor.yaml'), path.join(tmp, 'servicemonitor.yaml'));
    await writeFile(path.join(tmp, 'kustomization.yaml'), `bases: [${path.relative(tmp, path.join(REPO_ROOT, 'deploy'))}]\nresources: [servicemonitor.yaml]\n`);
    withMonitor = await kustomize(tmp);
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });
  const one = (kind: string, name?: string) => docs.find((d) => d.kind === kind && (name === undefined || d.metadata.name === name))!;

  it('builds only kinds an empty cluster has, each with fields its Kubernetes model knows', () => {
    expect(docs.length).toBeGreaterThan(10);
    for (const doc of docs) {
      const model = MODEL[`${doc.apiVersion}/${doc.kind}`];
      expect(model, `${doc.apiVersion} ${doc.kind} ${doc.metadata?.name}`).toBeDefined();
      const kept = ObjectSerializer.serialize(ObjectSerializer.deserialize(doc, model!, ''), model!, '');
      expect({ object: `${doc.kind}/${doc.metadata.name}`, unknown: unknownFields(doc, kept) }).toEqual({ object: `${doc.kind}/${doc.metadata.name}`, unknown: [] });
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
  });

  it('creates every namespace an object lives in', () => {
    const created = new Set(docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name));
    for (const doc of docs.filter((d) => !CLUSTER_SCOPED.has(d.kind))) expect(created, `${doc.kind}/${doc.metadata.name}`).toContain(doc.metadata.namespace);
  });

  it('binds the remediation ClusterRole to burnwatch in every namespace the example SLOs act in', async () => {
    const { slos } = await loadSpecs(['slos'], { cwd: REPO_ROOT, env: {} });
    const targets = new Set(slos.flatMap((s) => [s.remediation?.rollback?.namespace, s.remediation?.rerun?.namespace]).filter((n): n is string => n !== undefined));
    expect([...targets].sort()).toEqual(['recs', 'training']);
    const sa = one('ServiceAccount');
    const bound = docs
      .filter((d) => d.kind === 'RoleBinding' && d.roleRef.kind === 'ClusterRole' && d.roleRef.name === one('ClusterRole').metadata.name)
      .filter((d) => d.subjects.some((s: Doc) => s.kind === 'ServiceAccount' && s.name === sa.metadata.name && s.namespace === sa.metadata.namespace))
      .map((d) => d.metadata.namespace);
    for (const ns of targets) expect(bound).toContain(ns);
  });

  it('mounts every file of slos/, imported ones included, unchanged, as the ConfigMap the Deployment reads', () => {
    const configMap = one('ConfigMap', 'burnwatch-slos');
    const files = slosFiles();
    expect(files).toEqual(expect.arrayContaining(['imported/openslo-search.yaml', 'imported/sloth-candidate-retrieval.yaml']));
    expect(Object.keys(configMap.data).sort()).toEqual(files.map((f) => f.replaceAll('/', '-')).sort());
    for (const f of files) expect(configMap.data[f.replaceAll('/', '-')], f).toBe(fs.readFileSync(path.join(REPO_ROOT, 'slos', f), 'utf8'));
    const pod = one('Deployment').spec.template.spec;
    const volume = pod.volumes.find((v: Doc) => v.configMap?.name === configMap.metadata.name);
    const mount = pod.containers[0].volumeMounts.find((m: Doc) => m.name === volume.name);
    expect(pod.containers[0].env.find((e: Doc) => e.name === 'BURNWATCH_SLOS_DIR').value).toBe(mount.mountPath);
    expect(configMap.metadata.namespace).toBe(one('Deployment').metadata.namespace);
  });

  it('routes the Ingress to the Slack endpoint and the pager webhooks on the Service, and nothing else', () => {
    const ingress = one('Ingress');
    const service = one('Service');
    const paths = ingress.spec.rules.flatMap((r: Doc) => r.http.paths);
    expect(paths.map((p: Doc) => p.path)).toEqual(['/slack/events', '/api/pagerduty/webhook', '/api/opsgenie/webhook']);
    for (const p of paths) {
      expect(p.backend.service.name).toBe(service.metadata.name);
      expect(service.spec.ports.map((port: Doc) => port.name)).toContain(p.backend.service.port.name);
    }
  });

  it('with servicemonitor.yaml: a monitoring.coreos.com/v1 ServiceMonitor that selects the Service and scrapes /metrics', () => {
    const monitor = withMonitor.find((d) => d.kind === 'ServiceMonitor')!;
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    const service = one('Service');
    expect(monitor.metadata.namespace).toBe(service.metadata.namespace);
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels[k]).toBe(v);
    expect(monitor.spec.namespaceSelector.matchNames).toEqual([service.metadata.namespace]);
    expect(monitor.spec.endpoints).toEqual([{ port: service.spec.ports[0].name, path: '/metrics', interval: '30s' }]);
    expect(Object.keys(monitor).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(withMonitor.length).toBe(docs.length + 1);
  });
});

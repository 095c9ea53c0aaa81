// A fake Kubernetes API server on loopback (plain http) that behaves like kube-apiserver for the
// resources burnwatch touches, so the real @kubernetes/client-node can be tested against it.
//
// What it does like the real one: typed paths for core, apps, batch, coordination and two CRDs;
// get / list (labelSelector, fieldSelector on simple paths, limit + continue) / create / replace /
// delete / patch; resourceVersion optimistic concurrency (409 Conflict), AlreadyExists (409),
// NotFound (404), Invalid (422, also for a failed JSON patch `test` op), BadRequest (400, e.g. Lease
// MicroTime without 6 fractional digits); JSON patch, merge patch and strategic merge patch
// (415 for strategic merge on custom resources, as the real server answers); `dryRun=All`
// (validated, not persisted); status subresources (the main endpoint ignores status, /status ignores
// the rest); metadata.generation bumped on spec changes; ownerReferences with cascading delete;
// bearer-token users with RBAC rules (403 Forbidden with the apiserver's message); a request log and
// fault injection for tests; controller-ish hooks (`completeRollout`) that do what the Deployment,
// Argo Rollouts and KServe controllers would do when a rollout finishes.
//
// Approximations (documented in the README too): no watch (the verb answers 405); no server-side
// apply (415); strategic merge knows the merge keys of common core fields only (containers, env,
// ports, volumes, ...), other lists are replaced; validation covers the fields burnwatch relies on,
// not full OpenAPI schemas; no admission, no defaulting beyond a few Deployment/Job fields; delete
// is immediate (no finalizers, no graceful deletion); resourceVersions are one global counter;
// controllers run only when a test calls the hook.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import jsonPatch from 'fast-json-patch';
import { mergePatch, strategicMergePatch } from './k8s-merge.ts';

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON
export type K8sObject = Record<string, any>;

export interface ResourceType {
  group: string; // '' for core
  version: string;
  plural: string;
  kind: string;
  custom: boolean;
  statusSubresource: boolean;
}

export const RESOURCE_TYPES: ResourceType[] = [
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', custom: false, statusSubresource: true },
  { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', custom: false, statusSubresource: true },
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', custom: false, statusSubresource: true },
  { group: 'batch', version: 'v1', plural: 'cronjobs', kind: 'CronJob', custom: false, statusSubresource: true },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', custom: false, statusSubresource: false },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', custom: false, statusSubresource: false },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', kind: 'Rollout', custom: true, statusSubresource: true },
  {
    group: 'serving.kserve.io',
    version: 'v1beta1',
    plural: 'inferenceservices',
    kind: 'InferenceService',
    custom: true,
    statusSubresource: true,
  },
];

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
/** Rules that apply in one namespace (a RoleBinding) or everywhere (namespace undefined: a ClusterRoleBinding). */
export interface Grant {
  namespace?: string;
  rules: PolicyRule[];
}
export interface FakeUser {
  /** The user name in messages, e.g. `system:serviceaccount:burnwatch:burnwatch`. */
  name: string;
  /** undefined = allowed everything (a cluster-admin). */
  grants?: Grant[];
}

export interface RequestRecord {
  method: string;
  path: string;
  verb: string;
  group: string;
  resource: string; // plural, or plural/subresource
  namespace?: string;
  name?: string;
  contentType?: string;
  query: Record<string, string>;
  body?: unknown;
  user?: string;
  status: number;
  dryRun: boolean;
}

export interface Fault {
  verb?: string;
  resource?: string;
  name?: string;
  status: number;
  reason?: string;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface FakeK8sOptions {
  /** bearer token → user. Default: `fake-token` is a cluster-admin named `tester`. */
  users?: Record<string, FakeUser>;
  /** Time for creationTimestamp and controller hooks. */
  now?: () => Date;
}

export interface FakeK8s {
  url: string;
  requests: RequestRecord[];
  users: Record<string, FakeUser>;
  /** Build a client config for this server (token defaults to `fake-token`). */
  kubeConfig(opts?: { token?: string; namespace?: string }): KubeConfig;
  /** Seed or overwrite an object directly (no RBAC, no validation). Returns the stored copy. */
  put(obj: K8sObject): K8sObject;
  get(kind: string, namespace: string, name: string): K8sObject | undefined;
  list(kind: string, namespace?: string): K8sObject[];
  remove(kind: string, namespace: string, name: string): void;
  /** Fail the next matching request(s) with an apiserver Status. */
  failNext(fault: Fault): void;
  /** Runs before each API request is handled (after auth), e.g. to make a concurrent change. */
  beforeRequest: Array<(req: RequestRecord) => void | Promise<void>>;
  /** Act like the workload's controller once the rollout of its current spec has finished. */
  completeRollout(kind: 'Deployment' | 'Rollout' | 'InferenceService', namespace: string, name: string, opts?: { promote?: boolean }): K8sObject;
  close(): Promise<void>;
}

class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: K8sObject;
  constructor(code: number, reason: string, message: string, details?: K8sObject) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

const MICROTIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export async function startFakeK8s(options: FakeK8sOptions = {}): Promise<FakeK8s> {
  const now = options.now ?? (() => new Date());
  const users: Record<string, FakeUser> = options.users ?? { 'fake-token': { name: 'tester' } };
  const store = new Map<string, K8sObject>();
  const requests: RequestRecord[] = [];
  const faults: Fault[] = [];
  const beforeRequest: FakeK8s['beforeRequest'] = [];
  let resourceVersion = 1000;

  const typeByKind = (kind: string): ResourceType => {
    const t = RESOURCE_TYPES.find((r) => r.kind === kind);
    if (!t) throw new Error(`fake k8s: unknown kind ${kind}`);
    return t;
  };
  const keyOf = (t: ResourceType, ns: string, name: string) => `${t.group}/${t.plural}/${ns}/${name}`;
  const groupResource = (t: ResourceType) => (t.group ? `${t.plural}.${t.group}` : t.plural);
  const kindGroup = (t: ResourceType) => (t.group ? `${t.kind}.${t.group}` : t.kind);
  const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);
  const nextRv = () => String(++resourceVersion);

  function stamp(t: ResourceType, obj: K8sObject, ns: string): K8sObject {
    const o = structuredClone(obj);
    o.apiVersion = apiVersionOf(t);
    o.kind = t.kind;
    o.metadata ??= {};
    o.metadata.namespace = ns;
    o.metadata.uid ??= randomUUID();
    o.metadata.creationTimestamp ??= now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    o.metadata.generation ??= 1;
    o.metadata.resourceVersion = nextRv();
    return o;
  }

  function writeInternal(t: ResourceType, obj: K8sObject): K8sObject {
    const o = structuredClone(obj);
    o.metadata.resourceVersion = nextRv();
    store.set(keyOf(t, o.metadata.namespace, o.metadata.name), o);
    return structuredClone(o);
  }

  // ---------- validation ----------
  function validate(t: ResourceType, obj: K8sObject, ns: string): void {
    const name = obj.metadata?.name;
    const invalid = (field: string, value: unknown, detail: string) =>
      new StatusError(422, 'Invalid', `${kindGroup(t)} "${name ?? ''}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`, {
        name,
        group: t.group,
        kind: t.kind,
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }],
      });
    if (obj.kind !== undefined && obj.kind !== t.kind) throw new StatusError(400, 'BadRequest', `the kind of the object (${obj.kind}) does not match the path (${t.kind})`);
    if (obj.metadata?.namespace !== undefined && obj.metadata.namespace !== ns)
      throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    if (typeof name !== 'string' || name.length === 0) throw invalid('metadata.name', name ?? '', 'name or generateName is required');
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
      throw invalid('metadata.name', name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'");
    const checkPodTemplate = (template: K8sObject | undefined, field: string) => {
      const containers = template?.spec?.containers;
      if (!Array.isArray(containers) || containers.length === 0) throw invalid(`${field}.spec.containers`, containers ?? null, 'Required value');
      for (const [i, c] of containers.entries()) {
        if (!c?.name) throw invalid(`${field}.spec.containers[${i}].name`, '', 'Required value');
        if (!c?.image) throw invalid(`${field}.spec.containers[${i}].image`, '', 'Required value');
      }
    };
    if (t.kind === 'Deployment' || t.kind === 'ReplicaSet' || t.kind === 'Rollout') {
      const selector = obj.spec?.selector?.matchLabels;
      if (!selector || typeof selector !== 'object') throw invalid('spec.selector', obj.spec?.selector ?? null, 'Required value');
      const labels = obj.spec?.template?.metadata?.labels ?? {};
      if (!Object.entries(selector).every(([k, v]) => labels[k] === v))
        throw invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`');
      checkPodTemplate(obj.spec?.template, 'spec.template');
    }
    if (t.kind === 'Job') {
      if (name.length > 63) throw invalid('metadata.name', name, 'must be no more than 63 characters');
      checkPodTemplate(obj.spec?.template, 'spec.template');
      const policy = obj.spec?.template?.spec?.restartPolicy;
      if (policy !== 'Never' && policy !== 'OnFailure')
        throw invalid('spec.template.spec.restartPolicy', policy ?? '', 'supported values: "OnFailure", "Never"');
    }
    if (t.kind === 'CronJob') {
      if (name.length > 52) throw invalid('metadata.name', name, 'must be no more than 52 characters');
      if (!obj.spec?.schedule) throw invalid('spec.schedule', '', 'Required value');
      checkPodTemplate(obj.spec?.jobTemplate?.spec?.template, 'spec.jobTemplate.spec.template');
    }
    const microTimes: Array<[string, unknown]> =
      t.kind === 'Lease'
        ? [
            ['acquireTime', obj.spec?.acquireTime],
            ['renewTime', obj.spec?.renewTime],
          ]
        : t.kind === 'Event'
          ? [['eventTime', obj.eventTime]]
          : [];
    for (const [field, value] of microTimes) {
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string' || !MICROTIME.test(value))
        throw new StatusError(
          400,
          'BadRequest',
          `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: parsing time "${String(value)}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${field}`,
        );
    }
  }

  function defaults(t: ResourceType, obj: K8sObject): void {
    if (t.kind === 'Deployment') {
      obj.spec.replicas ??= 1;
      obj.spec.revisionHistoryLimit ??= 10;
      obj.spec.progressDeadlineSeconds ??= 600;
      obj.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    }
    if (t.kind === 'Job') {
      // The Job controller's labels, set by the apiserver's defaulting/strategy.
      const uid = obj.metadata.uid;
      obj.spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
      obj.spec.template.metadata ??= {};
      obj.spec.template.metadata.labels = {
        ...obj.spec.template.metadata.labels,
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': obj.metadata.name,
        'controller-uid': uid,
        'job-name': obj.metadata.name,
      };
      obj.spec.backoffLimit ??= 6;
      obj.spec.completions ??= 1;
      obj.spec.parallelism ??= 1;
    }
  }

  // ---------- RBAC ----------
  function authorize(user: FakeUser, verb: string, t: ResourceType, resource: string, ns: string | undefined, name: string | undefined) {
    if (!user.grants) return;
    const allowed = user.grants.some(
      (g) =>
        (g.namespace === undefined || g.namespace === ns) &&
        g.rules.some(
          (r) =>
            (r.apiGroups.includes('*') || r.apiGroups.includes(t.group)) &&
            (r.resources.includes('*') || r.resources.includes(resource)) &&
            (r.verbs.includes('*') || r.verbs.includes(verb)) &&
            (!r.resourceNames?.length || (name !== undefined && r.resourceNames.includes(name))),
        ),
    );
    if (allowed) return;
    const [plural, sub] = resource.split('/');
    const what = `${t.group ? `${plural}.${t.group}` : plural}${name ? ` "${name}"` : ''}`;
    const scope = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
    throw new StatusError(
      403,
      'Forbidden',
      `${what} is forbidden: User "${user.name}" cannot ${verb} resource "${plural}"${sub ? ` with subresource "${sub}"` : ''} in API group "${t.group}"${scope}`,
      { name, group: t.group, kind: plural },
    );
  }

  // ---------- selectors ----------
  function matchesLabelSelector(labels: Record<string, string>, selector: string): boolean {
    const terms = selector.split(/,(?![^(]*\))/).map((s) => s.trim()).filter(Boolean);
    return terms.every((term) => {
      let m = term.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/);
      if (m) {
        const values = m[3]!.split(',').map((v) => v.trim());
        const has = m[1]! in labels && values.includes(labels[m[1]!]!);
        return m[2] === 'in' ? has : !has;
      }
      m = term.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/);
      if (m) return m[2] === '!=' ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      if (/^[\w./-]+$/.test(term)) return term in labels;
      throw new StatusError(400, 'BadRequest', `unable to parse requirement: invalid label selector "${selector}"`);
    });
  }
  function matchesFieldSelector(obj: K8sObject, selector: string): boolean {
    return selector
      .split(',')
      .filter(Boolean)
      .every((term) => {
        const m = term.match(/^([\w.]+)(==|=|!=)(.*)$/);
        if (!m) throw new StatusError(400, 'BadRequest', `invalid field selector "${selector}"`);
        const value = m[1]!.split('.').reduce<unknown>((o, k) => (o as K8sObject | undefined)?.[k], obj);
        const equal = String(value ?? '') === m[3];
        return m[2] === '!=' ? !equal : equal;
      });
  }

  // ---------- request handling ----------
  function parsePath(pathname: string) {
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      group = '';
      version = parts[1] ?? '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      group = parts[1] ?? '';
      version = parts[2] ?? '';
      rest = parts.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, subresource] = rest;
    const t = RESOURCE_TYPES.find((r) => r.group === group && r.version === version && r.plural === plural);
    if (!t) return undefined;
    return { t, namespace, name, subresource };
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
  function statusBody(e: StatusError) {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: e.message,
      reason: e.reason,
      ...(e.details ? { details: e.details } : {}),
      code: e.code,
    };
  }

  const notFound = (t: ResourceType, name: string) =>
    new StatusError(404, 'NotFound', `${groupResource(t)} "${name}" not found`, { name, group: t.group, kind: t.plural });
  const conflict = (t: ResourceType, name: string) =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${groupResource(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: t.group, kind: t.plural },
    );

  /** Apply an update (replace or patch result) with the apiserver's rules; returns the stored object. */
  function update(t: ResourceType, ns: string, name: string, next: K8sObject, current: K8sObject, subresource: string | undefined, dryRun: boolean) {
    if (next.metadata?.name !== undefined && next.metadata.name !== name)
      throw new StatusError(400, 'BadRequest', `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    const rv = next.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) throw conflict(t, name);
    if ((rv === undefined || rv === '') && t.custom && next.__replace)
      throw new StatusError(422, 'Invalid', `${kindGroup(t)} "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`);
    delete next.__replace;
    let merged: K8sObject;
    if (subresource === 'status') {
      merged = { ...structuredClone(current), status: next.status };
    } else {
      merged = structuredClone(next);
      merged.metadata = {
        ...merged.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        namespace: ns,
        name,
        generation: current.metadata.generation,
      };
      if (t.statusSubresource) {
        if (current.status === undefined) delete merged.status;
        else merged.status = structuredClone(current.status);
      }
      merged.apiVersion = apiVersionOf(t);
      merged.kind = t.kind;
      validate(t, merged, ns);
      const specOf = (o: K8sObject) => {
        const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
        return JSON.stringify(rest);
      };
      if (specOf(merged) !== specOf(current)) merged.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    if (dryRun) return { ...merged, metadata: { ...merged.metadata, resourceVersion: current.metadata.resourceVersion } };
    merged.metadata.resourceVersion = nextRv();
    store.set(keyOf(t, ns, name), merged);
    return structuredClone(merged);
  }

  function applyPatch(t: ResourceType, current: K8sObject, contentType: string, body: string): K8sObject {
    let patch: unknown;
    try {
      patch = JSON.parse(body);
    } catch (e) {
      throw new StatusError(400, 'BadRequest', `error decoding patch: ${(e as Error).message}`);
    }
    const base = structuredClone(current);
    switch (contentType) {
      case 'application/json-patch+json': {
        if (!Array.isArray(patch))
          throw new StatusError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
        try {
          return jsonPatch.applyPatch(base, patch as jsonPatch.Operation[], true, true).newDocument as K8sObject;
        } catch (e) {
          const err = e as Error & { name: string };
          const message = err.name === 'TEST_OPERATION_FAILED' ? 'testing value failed' : err.message.split('\n')[0];
          throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`);
        }
      }
      case 'application/merge-patch+json':
        return mergePatch(base, patch) as K8sObject;
      case 'application/strategic-merge-patch+json':
        if (t.custom)
          throw new StatusError(
            415,
            'UnsupportedMediaType',
            'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
          );
        return strategicMergePatch(base, patch) as K8sObject;
      default:
        throw new StatusError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (the fake does not implement ${contentType})`,
        );
    }
  }

  function listObjects(t: ResourceType, ns: string | undefined): K8sObject[] {
    const prefix = ns === undefined ? `${t.group}/${t.plural}/` : `${t.group}/${t.plural}/${ns}/`;
    return [...store.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, v]) => v)
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  function cascadeDelete(uid: string) {
    for (const [key, obj] of [...store.entries()]) {
      if ((obj.metadata.ownerReferences ?? []).some((r: K8sObject) => r.uid === uid)) {
        store.delete(key);
        cascadeDelete(obj.metadata.uid);
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: RequestRecord) {
    const url = new URL(req.url ?? '/', 'http://x');
    record.query = Object.fromEntries(url.searchParams);
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const user = token === undefined ? undefined : users[token];
    if (!user) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    record.user = user.name;
    const parsed = parsePath(url.pathname);
    if (!parsed) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const { t, namespace: ns, name, subresource } = parsed;
    if (subresource !== undefined && !(subresource === 'status' && t.statusSubresource))
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    const method = req.method ?? 'GET';
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb =
      method === 'GET'
        ? name
          ? 'get'
          : watch
            ? 'watch'
            : 'list'
        : method === 'POST'
          ? 'create'
          : method === 'PUT'
            ? 'update'
            : method === 'PATCH'
              ? 'patch'
              : method === 'DELETE'
                ? name
                  ? 'delete'
                  : 'deletecollection'
                : method.toLowerCase();
    const resource = subresource ? `${t.plural}/${subresource}` : t.plural;
    Object.assign(record, { verb, group: t.group, resource, namespace: ns, name });
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    record.contentType = contentType || undefined;
    const raw = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
    if (raw) {
      try {
        record.body = JSON.parse(raw);
      } catch {
        record.body = raw;
      }
    }
    const dryRunParam = url.searchParams.get('dryRun');
    if (dryRunParam !== null && dryRunParam !== 'All')
      throw new StatusError(400, 'BadRequest', `Invalid dry run value: ${dryRunParam}, supported values: All`);
    const dryRun = dryRunParam === 'All';
    record.dryRun = dryRun;

    authorize(user, verb, t, resource, ns, name);
    for (const hook of beforeRequest) await hook(record);
    const faultIndex = faults.findIndex(
      (f) => (!f.verb || f.verb === verb) && (!f.resource || f.resource === resource) && (!f.name || f.name === name),
    );
    if (faultIndex >= 0) {
      const f = faults[faultIndex]!;
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) faults.splice(faultIndex, 1);
      const reason = f.reason ?? (f.status === 409 ? 'Conflict' : f.status >= 500 ? 'InternalError' : 'BadRequest');
      throw new StatusError(f.status, reason, f.message ?? `injected fault: ${f.status} ${reason}`);
    }

    if (verb === 'watch') throw new StatusError(405, 'MethodNotAllowed', 'the fake API server does not implement watch');
    if (verb === 'deletecollection') throw new StatusError(405, 'MethodNotAllowed', 'the fake API server does not implement deletecollection');

    if (verb === 'list') {
      const labelSelector = url.searchParams.get('labelSelector') ?? '';
      const fieldSelector = url.searchParams.get('fieldSelector') ?? '';
      let items = listObjects(t, ns).filter(
        (o) => matchesLabelSelector(o.metadata.labels ?? {}, labelSelector) && matchesFieldSelector(o, fieldSelector),
      );
      const limit = Number(url.searchParams.get('limit') ?? 0);
      const cont = url.searchParams.get('continue');
      const start = cont ? Number(Buffer.from(cont, 'base64url').toString()) : 0;
      let next: string | undefined;
      if (limit > 0 && start + limit < items.length) next = Buffer.from(String(start + limit)).toString('base64url');
      items = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
      // Built-in list items carry no apiVersion/kind on the wire; custom resources do.
      const wireItems = items.map((o) => {
        if (t.custom) return o;
        const { apiVersion: _a, kind: _k, ...rest } = o;
        return rest;
      });
      return send(res, 200, {
        apiVersion: apiVersionOf(t),
        kind: `${t.kind}List`,
        metadata: { resourceVersion: String(resourceVersion), ...(next ? { continue: next } : {}) },
        items: wireItems,
      });
    }
    if (ns === undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource (namespace required)');

    if (verb === 'create') {
      if (name) throw new StatusError(405, 'MethodNotAllowed', 'POST to a named resource is not allowed');
      const body = record.body as K8sObject;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new StatusError(400, 'BadRequest', 'request body must be an object');
      body.metadata ??= {};
      if (!body.metadata.name && body.metadata.generateName)
        body.metadata.name = body.metadata.generateName + randomUUID().replace(/-/g, '').slice(0, 5);
      validate(t, body, ns);
      if (store.has(keyOf(t, ns, body.metadata.name)))
        throw new StatusError(409, 'AlreadyExists', `${groupResource(t)} "${body.metadata.name}" already exists`, {
          name: body.metadata.name,
          group: t.group,
          kind: t.plural,
        });
      const { resourceVersion: _rv, ...meta } = body.metadata;
      const obj = stamp(t, { ...body, metadata: { ...meta, generation: 1 } }, ns);
      defaults(t, obj);
      if (!dryRun) store.set(keyOf(t, ns, obj.metadata.name), obj);
      return send(res, 201, obj);
    }

    const current = store.get(keyOf(t, ns, name!));
    if (!current) throw notFound(t, name!);

    if (verb === 'get') return send(res, 200, current);
    if (verb === 'delete') {
      if (!dryRun) {
        store.delete(keyOf(t, ns, name!));
        let propagation = url.searchParams.get('propagationPolicy');
        if (!propagation && raw) propagation = (JSON.parse(raw) as K8sObject).propagationPolicy ?? null;
        if (propagation !== 'Orphan') cascadeDelete(current.metadata.uid);
      }
      return send(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: t.group, kind: t.plural, uid: current.metadata.uid },
      });
    }
    if (verb === 'update') {
      const body = record.body as K8sObject;
      if (typeof body !== 'object' || body === null) throw new StatusError(400, 'BadRequest', 'request body must be an object');
      return send(res, 200, update(t, ns, name!, { ...structuredClone(body), __replace: true }, current, subresource, dryRun));
    }
    if (verb === 'patch') {
      const patched = applyPatch(t, current, contentType, raw);
      return send(res, 200, update(t, ns, name!, patched, current, subresource, dryRun));
    }
    throw new StatusError(405, 'MethodNotAllowed', `method ${method} not allowed`);
  }

  const server: Server = createServer((req, res) => {
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      verb: '',
      group: '',
      resource: '',
      query: {},
      status: 0,
      dryRun: false,
    };
    requests.push(record);
    const origSend = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      record.status = status;
      return (origSend as (...a: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
    handle(req, res, record).catch((e: unknown) => {
      if (e instanceof StatusError) send(res, e.code, statusBody(e));
      else send(res, 500, statusBody(new StatusError(500, 'InternalError', `fake k8s bug: ${(e as Error).stack ?? e}`)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // ---------- controller hooks ----------
  function podTemplateHash(template: K8sObject): string {
    const digest = createHash('sha256').update(stableJson(template)).digest();
    return [...digest.subarray(0, 10)].map((b) => HASH_ALPHABET[b % HASH_ALPHABET.length]).join('');
  }

  function rolloutReplicaSets(owner: K8sObject, hashLabel: string, revisionAnnotation: string, promote: boolean) {
    const ns = owner.metadata.namespace;
    const rsType = typeByKind('ReplicaSet');
    const owned = listObjects(rsType, ns).filter((rs) =>
      (rs.metadata.ownerReferences ?? []).some((r: K8sObject) => r.uid === owner.metadata.uid && r.controller),
    );
    const template = structuredClone(owner.spec.template);
    const withoutHash = (tpl: K8sObject) => {
      const c = structuredClone(tpl);
      if (c.metadata?.labels) delete c.metadata.labels[hashLabel];
      return stableJson(c);
    };
    const maxRevision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0)));
    let current = owned.find((rs) => withoutHash(rs.spec.template) === stableJson(template));
    let revision: number;
    if (current) {
      const old = Number(current.metadata.annotations?.[revisionAnnotation] ?? 0);
      revision = old === maxRevision ? old : maxRevision + 1;
      if (revision !== old) {
        current.metadata.annotations = { ...current.metadata.annotations, [revisionAnnotation]: String(revision) };
        const history = current.metadata.annotations[`${revisionAnnotation}-history`];
        current.metadata.annotations[`${revisionAnnotation}-history`] = history ? `${history},${old}` : String(old);
      }
    } else {
      // Like the controllers' collisionCount: another owner's ReplicaSet with the same name gets a new hash.
      let hash = podTemplateHash(template);
      for (let collision = 1; store.has(keyOf(rsType, ns, `${owner.metadata.name}-${hash}`)); collision++) {
        hash = podTemplateHash({ template, collision });
      }
      revision = maxRevision + 1;
      const rsTemplate = structuredClone(template);
      rsTemplate.metadata ??= {};
      rsTemplate.metadata.labels = { ...rsTemplate.metadata.labels, [hashLabel]: hash };
      current = stamp(
        rsType,
        {
          metadata: {
            name: `${owner.metadata.name}-${hash}`,
            labels: { ...template.metadata?.labels, [hashLabel]: hash },
            annotations: { [revisionAnnotation]: String(revision) },
            ownerReferences: [
              { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true },
            ],
          },
          spec: {
            replicas: 0,
            selector: { matchLabels: { ...owner.spec.selector.matchLabels, [hashLabel]: hash } },
            template: rsTemplate,
          },
        },
        ns,
      );
    }
    const replicas = owner.spec.replicas ?? 1;
    const hash = current.metadata.labels?.[hashLabel] as string;
    const isCurrent = (rs: K8sObject) => rs.metadata.uid === current.metadata.uid;
    const stableHash: string | undefined = owner.status?.stableRS;
    for (const rs of [...owned.filter((rs) => !isCurrent(rs)), current]) {
      const keep = isCurrent(rs) || (!promote && rs.metadata.labels?.[hashLabel] === stableHash);
      const n = keep ? (isCurrent(rs) && !promote ? 1 : replicas) : 0;
      rs.spec.replicas = n;
      rs.status = { replicas: n, readyReplicas: n, availableReplicas: n, fullyLabeledReplicas: n, observedGeneration: rs.metadata.generation };
      writeInternal(rsType, rs);
    }
    return { revision, hash, replicas };
  }

  function completeRollout(kind: 'Deployment' | 'Rollout' | 'InferenceService', ns: string, name: string, opts: { promote?: boolean } = {}): K8sObject {
    const t = typeByKind(kind);
    const obj = store.get(keyOf(t, ns, name));
    if (!obj) throw new Error(`fake k8s: ${kind} ${ns}/${name} not found`);
    const o = structuredClone(obj);
    if (kind === 'Deployment') {
      if (o.spec.paused) {
        o.status = { ...o.status, observedGeneration: o.metadata.generation };
        return writeInternal(t, o);
      }
      const { revision, replicas } = rolloutReplicaSets(o, 'pod-template-hash', 'deployment.kubernetes.io/revision', true);
      o.metadata.annotations = { ...o.metadata.annotations, 'deployment.kubernetes.io/revision': String(revision) };
      const at = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      o.status = {
        observedGeneration: o.metadata.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastUpdateTime: at, lastTransitionTime: at },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastUpdateTime: at, lastTransitionTime: at },
        ],
      };
      return writeInternal(t, o);
    }
    if (kind === 'Rollout') {
      const promote = opts.promote ?? true;
      const matchesStable = o.status?.stableRS && podTemplateHashOfStable(o) === stableJson(o.spec.template);
      const { revision, hash, replicas } = rolloutReplicaSets(o, 'rollouts-pod-template-hash', 'rollout.argoproj.io/revision', promote || !!matchesStable);
      o.metadata.annotations = { ...o.metadata.annotations, 'rollout.argoproj.io/revision': String(revision) };
      const fullyPromoted = promote || matchesStable;
      o.status = {
        ...o.status,
        observedGeneration: String(o.metadata.generation),
        currentPodHash: hash,
        stableRS: fullyPromoted ? hash : (o.status?.stableRS ?? hash),
        replicas,
        updatedReplicas: fullyPromoted ? replicas : 1,
        readyReplicas: replicas,
        availableReplicas: replicas,
        phase: fullyPromoted ? 'Healthy' : 'Paused',
        ...(fullyPromoted ? { abort: false, currentStepIndex: (o.spec.strategy?.canary?.steps ?? []).length } : {}),
      };
      if (fullyPromoted) delete o.status.abortedAt;
      return writeInternal(t, o);
    }
    // InferenceService (KServe serverless mode): revisions are named <name>-predictor-0000N.
    const predictor = structuredClone(o.spec.predictor ?? {});
    const canary: number | undefined = predictor.canaryTrafficPercent;
    delete predictor.canaryTrafficPercent;
    const specHash = podTemplateHash(predictor);
    const side = isvcRevisions.get(o.metadata.uid) ?? { n: 0, hash: '' };
    const comp = structuredClone(o.status?.components?.predictor ?? {});
    if (side.hash !== specHash) {
      side.n += 1;
      side.hash = specHash;
      isvcRevisions.set(o.metadata.uid, side);
      comp.latestCreatedRevision = `${name}-predictor-${String(side.n).padStart(5, '0')}`;
    }
    const latest: string = comp.latestCreatedRevision;
    comp.latestReadyRevision = latest;
    const rolledOut: string | undefined = comp.latestRolledoutRevision;
    if (canary !== undefined && canary < 100 && rolledOut && rolledOut !== latest) {
      comp.traffic = [
        { revisionName: latest, percent: canary, latestRevision: true, tag: 'latest' },
        { revisionName: rolledOut, percent: 100 - canary, latestRevision: false, tag: 'prev' },
      ].filter((x) => x.percent > 0);
    } else {
      if (rolledOut !== latest) {
        if (rolledOut) comp.previousRolledoutRevision = rolledOut;
        comp.latestRolledoutRevision = latest;
      }
      comp.traffic = [{ revisionName: latest, percent: 100, latestRevision: true }];
    }
    o.status = {
      ...o.status,
      observedGeneration: o.metadata.generation,
      components: { ...o.status?.components, predictor: comp },
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now().toISOString().replace(/\.\d{3}Z$/, 'Z') }],
    };
    return writeInternal(t, o);
  }
  const isvcRevisions = new Map<string, { n: number; hash: string }>();

  function podTemplateHashOfStable(rollout: K8sObject): string | undefined {
    const rs = listObjects(typeByKind('ReplicaSet'), rollout.metadata.namespace).find(
      (r) => r.metadata.labels?.['rollouts-pod-template-hash'] === rollout.status?.stableRS,
    );
    if (!rs) return undefined;
    const tpl = structuredClone(rs.spec.template);
    delete tpl.metadata?.labels?.['rollouts-pod-template-hash'];
    return stableJson(tpl);
  }

  return {
    url,
    requests,
    users,
    beforeRequest,
    kubeConfig({ token = 'fake-token', namespace = 'default' } = {}) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'user', token }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'user', namespace }],
        currentContext: 'fake',
      });
      return kc;
    },
    put(obj) {
      const t = typeByKind(obj.kind);
      const ns = obj.metadata?.namespace ?? 'default';
      const existing = store.get(keyOf(t, ns, obj.metadata.name));
      const stored = stamp(t, { ...obj, metadata: { uid: existing?.metadata.uid, ...obj.metadata } }, ns);
      store.set(keyOf(t, ns, stored.metadata.name), stored);
      return structuredClone(stored);
    },
    get(kind, ns, name) {
      const o = store.get(keyOf(typeByKind(kind), ns, name));
      return o && structuredClone(o);
    },
    list(kind, ns) {
      return listObjects(typeByKind(kind), ns).map((o) => structuredClone(o));
    },
    remove(kind, ns, name) {
      store.delete(keyOf(typeByKind(kind), ns, name));
    },
    failNext(fault) {
      faults.push({ ...fault });
    },
    completeRollout,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** JSON with sorted keys, so equal objects compare equal whatever their key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as K8sObject)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as K8sObject)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The grants a subject gets from RBAC manifests (Role, ClusterRole, RoleBinding, ClusterRoleBinding
 * documents, e.g. deploy/rbac.yaml parsed with `yaml.parseAllDocuments`).
 */
export function grantsFromRbacManifests(docs: K8sObject[], subject: { kind: 'ServiceAccount'; name: string; namespace: string }): Grant[] {
  const roles = new Map<string, PolicyRule[]>();
  for (const d of docs) {
    if (d?.kind === 'Role') roles.set(`Role/${d.metadata.namespace}/${d.metadata.name}`, d.rules ?? []);
    if (d?.kind === 'ClusterRole') roles.set(`ClusterRole/${d.metadata.name}`, d.rules ?? []);
  }
  const grants: Grant[] = [];
  for (const d of docs) {
    if (d?.kind !== 'RoleBinding' && d?.kind !== 'ClusterRoleBinding') continue;
    const bound = (d.subjects ?? []).some(
      (s: K8sObject) => s.kind === subject.kind && s.name === subject.name && (s.namespace ?? d.metadata.namespace) === subject.namespace,
    );
    if (!bound) continue;
    const ref = d.roleRef;
    const rules = ref.kind === 'Role' ? roles.get(`Role/${d.metadata.namespace}/${ref.name}`) : roles.get(`ClusterRole/${ref.name}`);
    if (!rules) continue;
    grants.push(d.kind === 'RoleBinding' ? { namespace: d.metadata.namespace, rules } : { rules });
  }
  return grants;
}

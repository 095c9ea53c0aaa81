// A wire-level fake of the Argo Server's workflow API: WorkflowTemplates, submit from a template
// (POST /api/v1/workflows/{ns}/submit, labels "k=v,…", serverDryRun), get a Workflow, 409 when
// the name exists, 404 for an unknown template, 401 without the bearer token (grpc-gateway
// error bodies: {code, message}).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeWorkflow {
  metadata: { name: string; namespace: string; labels: Record<string, string>; creationTimestamp: string };
  spec: { workflowTemplateRef: { name: string } };
  status: { phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error'; message?: string; finishedAt?: string };
}

export interface FakeArgoWorkflows {
  url: string;
  requests: Array<{ method: string; path: string; body: unknown; authorization: string | undefined }>;
  addTemplate(namespace: string, name: string, entrypoint?: string): void;
  workflows(namespace: string): FakeWorkflow[];
  setPhase(namespace: string, name: string, phase: FakeWorkflow['status']['phase'], message?: string): void;
  close(): Promise<void>;
}

export async function startFakeArgoWorkflows(opts: { token: string; now?: () => Date }): Promise<FakeArgoWorkflows> {
  const now = opts.now ?? (() => new Date());
  const templates = new Map<string, { entrypoint: string }>();
  const workflows = new Map<string, FakeWorkflow>();
  const requests: FakeArgoWorkflows['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      requests.push({ method: req.method ?? 'GET', path, body, authorization: req.headers.authorization });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== `Bearer ${opts.token}`) return send(401, { code: 16, message: 'token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/' });
      let m = /^\/api\/v1\/workflow-templates\/([^/]+)\/([^/]+)$/.exec(path);
      if (m && req.method === 'GET') {
        const t = templates.get(`${m[1]}/${m[2]}`);
        if (!t) return send(404, { code: 5, message: `workflowtemplates.argoproj.io "${m[2]}" not found` });
        return send(200, { metadata: { name: m[2], namespace: m[1] }, spec: { entrypoint: t.entrypoint } });
      }
      m = /^\/api\/v1\/workflows\/([^/]+)\/submit$/.exec(path);
      if (m && req.method === 'POST') {
        const ns = m[1]!;
        const b = (body ?? {}) as { namespace?: string; resourceKind?: string; resourceName?: string; submitOptions?: { name?: string; generateName?: string; labels?: string; serverDryRun?: boolean } };
        if (b.resourceKind !== 'WorkflowTemplate' && b.resourceKind !== 'ClusterWorkflowTemplate' && b.resourceKind !== 'CronWorkflow') return send(400, { code: 3, message: `resourceKind "${b.resourceKind}" is not supported` });
        if (!templates.has(`${ns}/${b.resourceName}`)) return send(404, { code: 5, message: `workflowtemplates.argoproj.io "${b.resourceName}" not found` });
        const name = b.submitOptions?.name ?? `${b.submitOptions?.generateName ?? `${b.resourceName}-`}${Math.random().toString(36).slice(2, 7)}`;
        if (workflows.has(`${ns}/${name}`)) return send(409, { code: 6, message: `workflows.argoproj.io "${name}" already exists` });
        const labels = Object.fromEntries((b.submitOptions?.labels ?? '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
        const wf: FakeWorkflow = {
          metadata: { name, namespace: ns, labels: { ...labels, 'workflows.argoproj.io/workflow-template': b.resourceName! }, creationTimestamp: now().toISOString() },
          spec: { workflowTemplateRef: { name: b.resourceName! } },
          status: { phase: 'Pending' },
        };
        if (!b.submitOptions?.serverDryRun) workflows.set(`${ns}/${name}`, wf);
        return send(200, wf);
      }
      m = /^\/api\/v1\/workflows\/([^/]+)\/([^/]+)$/.exec(path);
      if (m && req.method === 'GET') {
        const wf = workflows.get(`${m[1]}/${m[2]}`);
        return wf ? send(200, wf) : send(404, { code: 5, message: `workflows.argoproj.io "${m[2]}" not found` });
      }
      return send(404, { code: 5, message: `no route ${req.method} ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    addTemplate: (ns, name, entrypoint = 'main') => void templates.set(`${ns}/${name}`, { entrypoint }),
    workflows: (ns) => [...workflows.values()].filter((w) => w.metadata.namespace === ns),
    setPhase: (ns, name, phase, message) => {
      const wf = workflows.get(`${ns}/${name}`);
      if (!wf) throw new Error(`no workflow ${ns}/${name}`);
      wf.status = { phase, ...(message && { message }), ...((phase === 'Succeeded' || phase === 'Failed' || phase === 'Error') && { finishedAt: now().toISOString() }) };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

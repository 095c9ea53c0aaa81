// Docker and Kubernetes cannot run here, so the packaging is checked by reading it:
// every file parses, and what the manifests promise matches what the service does.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { envSchema, loadConfig } from '../../src/service/config.ts';
import { shippedNodeFlags } from '../../bench/lib/shipped-node-flags.ts';
import { REPO_ROOT } from '../helpers/burnwatch-process.ts';

// biome-ignore lint/suspicious/noExplicitAny: manifests are open-ended YAML
type Doc = Record<string, any>;
const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
function docs(file: string): Doc[] {
  const parsed = parseAllDocuments(read(file));
  for (const d of parsed) expect(d.errors, file).toEqual([]);
  return parsed.map((d) => d.toJS() as Doc).filter(Boolean);
}
// The service's own schema, plus the variables other parts (Slack, actions, reports) read in src/.
const mentioned = fs
  .readdirSync(path.join(REPO_ROOT, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .flatMap((f) => [...fs.readFileSync(path.join(REPO_ROOT, 'src', f), 'utf8').matchAll(/\b(?:BURNWATCH|SLACK)_[A-Z0-9_]+\b/g)].map((m) => m[0]));
const known = new Set([...Object.keys(envSchema.shape), ...mentioned, 'NODE_ENV']);

describe('deployment artefacts', () => {
  const k8s = ['namespace.yaml', 'target-namespaces.yaml', 'rbac.yaml', 'deployment.yaml', 'service.yaml', 'ingress.yaml', 'servicemonitor.yaml', 'secret.example.yaml'].flatMap((f) =>
    docs(`deploy/${f}`),
  );
  const deployment = k8s.find((d) => d.kind === 'Deployment')!;
  const container = deployment.spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.filter((e: Doc) => 'value' in e).map((e: Doc) => [e.name, e.value]));

  it('runs two non-root replicas with probes on the endpoints the service serves', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.ports[0].containerPort).toBe(Number(env.BURNWATCH_PORT));
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(loadConfig({}).shutdownGraceSeconds);
  });

  it('configures only variables the service knows, with values it accepts', () => {
    for (const e of container.env) expect(known, e.name).toContain(e.name);
    expect(() => loadConfig({ ...env, BURNWATCH_IDENTITY: 'pod-0', BURNWATCH_LEASE_NAMESPACE: 'burnwatch', KUBERNETES_SERVICE_HOST: '10.0.0.1' })).not.toThrow();
    const secret = k8s.find((d) => d.kind === 'Secret')!;
    for (const name of Object.keys(secret.stringData)) expect(known, name).toContain(name);
    const compose = docs('docker-compose.yml')[0]!;
    const composeEnv = compose.services.burnwatch.environment as Record<string, string>;
    for (const name of Object.keys(composeEnv)) expect(known, name).toContain(name);
    expect(() => loadConfig(composeEnv)).not.toThrow();
    expect(compose.services.burnwatch.environment.PROMETHEUS_URL).toBe('http://prometheus:9090');
  });

  it('uses the ServiceAccount and Lease the RBAC grants', () => {
    const sa = k8s.find((d) => d.kind === 'ServiceAccount')!;
    expect(deployment.spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    const leaseRole = k8s.find((d) => d.kind === 'Role' && d.rules.some((r: Doc) => r.resources.includes('leases')))!;
    const named = leaseRole.rules.find((r: Doc) => r.resourceNames)!;
    expect(named.resourceNames).toEqual([env.BURNWATCH_LEASE_NAME]);
    expect([...named.verbs].sort()).toEqual(['get', 'update']);
  });

  it('mounts every file of slos/: slos/Kustomization generates the ConfigMap from each (kubectl kustomize: kustomize.test.ts)', () => {
    const files = fs
      .readdirSync(path.join(REPO_ROOT, 'slos'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    const kustomization = docs('slos/Kustomization')[0]!;
    const generator = kustomization.configMapGenerator.find((g: Doc) => g.name === deployment.spec.template.spec.volumes.find((v: Doc) => v.name === 'slos').configMap.name);
    const listed = (generator.files as string[]).map((f) => (f.includes('=') ? f.split('=')[1]! : f)).sort();
    expect(listed).toEqual(files);
    expect(kustomization.namespace).toBe(deployment.metadata.namespace);
    const top = docs('deploy/kustomization.yaml')[0]!;
    expect([...top.resources, ...top.bases]).toEqual(['namespace.yaml', 'target-namespaces.yaml', 'rbac.yaml', 'deployment.yaml', 'service.yaml', 'ingress.yaml', '../slos']);
  });

  it('requests the memory BENCHMARKS.md measured for a 10,000-SLO cycle, and limits above Node defaults', () => {
    // The "Evaluation cost and scale" table: "burnwatch max RSS (shipped flags / Node defaults)".
    const table = read('BENCHMARKS.md').split('\n').filter((l) => l.startsWith('|'));
    const header = table.find((l) => l.includes('burnwatch max RSS'))!.split('|').map((c) => c.trim());
    const column = header.findIndex((c) => c.startsWith('burnwatch max RSS'));
    const row = table.find((l) => /^\|\s*10,000\s*\|/.test(l) && l.split('|').length === header.length)!.split('|').map((c) => c.trim());
    const [shipped, defaults] = row[column]!.split('/').map((v) => Number.parseFloat(v) * 1e6);
    const mib = (q: string) => Number.parseInt(q, 10) * 2 ** 20;
    expect(mib(container.resources.requests.memory)).toBeGreaterThanOrEqual(shipped!);
    expect(mib(container.resources.limits.memory)).toBeGreaterThan(defaults!);
  });

  it('builds a multi-stage, non-root Node 24 image', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM node:24\S*/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(read('deploy/sample-exporter/Dockerfile')).toMatch(/^USER node$/m);
  });

  it('runs the service with the Node flags the scale benchmark measures, in the image and in npm start', () => {
    const flags = shippedNodeFlags(read('Dockerfile'));
    expect(flags).toContain('--optimize-for-size');
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe(`node ${flags.join(' ')} bin/burnwatch.mjs serve`);
  });
});

describe('the production image', () => {
  it('has every package the service imports among the production dependencies (npm ci --omit=dev)', () => {
    // optionalDependencies are installed by `npm ci --omit=dev` too (PGlite, for pglite:// sources).
    const manifest = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
    const pkg = { dependencies: { ...manifest.dependencies, ...manifest.optionalDependencies } };
    const files = fs
      .readdirSync(path.join(REPO_ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('__fixtures__'));
    const missing = new Set<string>();
    for (const file of files) {
      const text = fs.readFileSync(path.join(REPO_ROOT, 'src', file), 'utf8');
      // Static imports, and the packages loaded only when used (`await import('…')`).
      for (const m of text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^'.][^']*)'|\bimport\('([^'.][^']*)'\)/gm)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in pkg.dependencies)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

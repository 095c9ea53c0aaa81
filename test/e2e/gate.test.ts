// The deploy gate against `burnwatch serve` as a real process over a real Prometheus: a bad
// canary (model v2) fails while stable (v1) passes, in Argo Rollouts' web-metric request shape
// (GET, headers, JSON read by successCondition) and Flagger's webhook shape (POST, status code).
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, REPO_ROOT, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { openStore } from '../../src/store/open-store.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { listOutbox } from '../../src/store/repositories/outbox.ts';

const TOKEN = 'gate-e2e-token-0123456789abcdef';
const NOW = Math.floor(Date.now() / 60_000) * 60;
// Two hours ago v1 (stable) started failing 0.5 % of requests (burn 5: no page) and v2 (canary) 2 % (burn 20: pages).
const BURN_START = NOW - 7200;

const slo = (version: string) => `---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability-${version}, service: hstu-ranker }
spec:
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{model_version="${version}",code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total{model_version="${version}"}[$window]))
`;

const SPECS = (promUrl: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${promUrl}" }
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: gone }
spec:
  prometheus: { url: "http://127.0.0.1:9", timeout: 2s }
${slo('v1')}${slo('v2')}${slo('v3')}---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability-blind, service: hstu-ranker }
spec:
  objective: 99.9
  window: 28d
  source: gone
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`;

// v3 spent its whole budget two days ago (1 % errors for a day) and is quiet now: no tier fires,
// but the error budget is exhausted, so its policy freezes deploys.
const POLICY = (below: string) => `apiVersion: burnwatch/v1
kind: BudgetPolicy
metadata: { name: ranking-freeze }
spec:
  slos: [hstu-ranker/availability-v3]
  freezeWhen: { budgetRemainingBelow: ${below} }
  override: { approvers: [alice], maxDuration: 2h }
`;

let prom: PrometheusServer;
let db: TestDatabase;
let dir: string;
let bw: BurnwatchProcess;

beforeAll(async () => {
  const s = scenario({ start: NOW - 3 * 86_400, end: NOW + 3600, step: 60 })
    .counter('ranker_requests_total', { model_version: 'v1', code: '200' }, [profile(20), profile(1).step(BURN_START, 0.995)])
    .counter('ranker_requests_total', { model_version: 'v1', code: '500' }, [profile(20), profile(0).step(BURN_START, 0.005)])
    .counter('ranker_requests_total', { model_version: 'v2', code: '200' }, [profile(20), profile(1).step(BURN_START, 0.98)])
    .counter('ranker_requests_total', { model_version: 'v2', code: '500' }, [profile(20), profile(0).step(BURN_START, 0.02)])
    .counter('ranker_requests_total', { model_version: 'v3', code: '200' }, [profile(20), profile(1).step(NOW - 2 * 86_400, 0.99).step(NOW - 86_400, 1)])
    .counter('ranker_requests_total', { model_version: 'v3', code: '500' }, [profile(20), profile(0).step(NOW - 2 * 86_400, 0.01).step(NOW - 86_400, 0)]);
  prom = await startPrometheus(s);
  db = await createPostgresDatabase('bw_gate');
  dir = await makeTempDir();
  await fs.mkdir(path.join(dir, 'slos'));
  await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), SPECS(prom.url));
  await fs.writeFile(path.join(dir, 'slos', 'policy.yaml'), POLICY('0%'));
  bw = await startBurnwatch({
    DATABASE_URL: db.url,
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_PORT: '0',
    BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
    BURNWATCH_DATA_DIR: path.join(dir, 'data'),
    BURNWATCH_API_TOKEN: TOKEN,
    BURNWATCH_NOTIFY_LOG: 'true',
    BURNWATCH_LOG_LEVEL: 'info',
  });
  await bw.waitForLog(/evaluation cycle done/, 90_000);
});
afterAll(async () => {
  await bw?.kill('SIGTERM');
  await prom?.destroy();
  await db?.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };
const gate = async (query: string, headers: Record<string, string> = auth) => {
  const res = await fetch(`${bw.url}/api/gate?${query}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { pass: boolean; reason: string; checks: Array<Record<string, unknown>> } };
};

// What Flagger's webhook client sends: POST, JSON CanaryWebhookPayload, no custom headers.
const flagger = async (url: string, metadata: Record<string, string>, phase = 'Progressing', headers: Record<string, string> = auth) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: 'hstu-ranker', namespace: 'ranking', phase, checksum: '6d4f8b7c9', metadata }),
  });
  return { status: res.status, body: (await res.json()) as { pass: boolean; reason: string } };
};

describe('GET /api/gate (Argo Rollouts web metric)', () => {
  it('needs the bearer token unless reads are public', async () => {
    expect((await gate('slo=hstu-ranker/availability-v1', {})).status).toBe(401);
    expect((await gate('slo=hstu-ranker/availability-v1', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
  });

  it('passes stable and fails the canary, whose page tier fires, with the figures', async () => {
    const stable = await gate('slo=hstu-ranker/availability-v1');
    expect(stable.status).toBe(200);
    expect(stable.body.pass).toBe(true);
    expect(stable.body.checks[0]).toMatchObject({ kind: 'slo', slo: 'hstu-ranker/availability-v1', pass: true, figures: { status: 'ok' } });
    const burn1h = (stable.body.checks[0]!.figures as { burnRates: Record<string, number> }).burnRates['1h']!;
    expect(burn1h).toBeCloseTo(5, 0);

    const canary = await gate('slo=hstu-ranker/availability-v2&severity=page');
    // Argo reads a 2xx body; `successCondition: result.pass == true` decides.
    expect(canary.status).toBe(200);
    expect(canary.body.pass).toBe(false);
    expect(canary.body.reason).toMatch(/hstu-ranker\/availability-v2: page tier 1h\/5m is firing \(burn rate 2\d(\.\d+)? over 1h/);
    expect(canary.body.checks[0]).toMatchObject({ pass: false, figures: { status: 'page', firing: expect.arrayContaining([expect.objectContaining({ severity: 'page', long: '1h', short: '5m' })]) } });
  });

  it('fails a canary that burns 4× faster than stable, and says so', async () => {
    const r = await gate('canary=hstu-ranker/availability-v2&stable=hstu-ranker/availability-v1');
    expect(r.body.pass).toBe(false);
    expect(r.body.reason).toMatch(/^the canary burns 4(\.\d)?× faster than stable over 1h \(burn rate 2\d(\.\d+)? vs [45](\.\d+)?; limit 2×\)$/);
    const figures = r.body.checks[0]!.figures as { ratio: number; window: string };
    expect(figures.window).toBe('1h');
    expect(figures.ratio).toBeGreaterThan(3.5);
    expect(figures.ratio).toBeLessThan(4.5);
    // Raising the limit above the measured ratio lets the same canary through.
    expect((await gate('canary=hstu-ranker/availability-v2&stable=hstu-ranker/availability-v1&maxRatio=5')).body.pass).toBe(true);
    // Swapped, "canary" v1 burns slower than "stable" v2.
    const swapped = await gate('canary=hstu-ranker/availability-v1&stable=hstu-ranker/availability-v2');
    expect(swapped.body.pass).toBe(true);
    expect(swapped.body.reason).toMatch(/slower than stable/);
  });

  it('fails closed on an SLO it does not know or cannot evaluate', async () => {
    const unknown = await gate('slo=hstu-ranker/no-such-slo');
    expect(unknown.body).toMatchObject({ pass: false, reason: 'unknown SLO hstu-ranker/no-such-slo: not in the loaded catalog' });
    const blind = await gate('slo=hstu-ranker/availability-blind');
    expect(blind.body.pass).toBe(false);
    expect(blind.body.reason).toMatch(/^hstu-ranker\/availability-blind is (unknown|error)/);
    // One unknown among passing checks still fails the whole gate.
    expect((await gate('slo=hstu-ranker/availability-v1,hstu-ranker/availability-blind')).body.pass).toBe(false);
  });

  it('answers 412 on a failing gate with status=1 (curl --fail in CI), 400 on a malformed request', async () => {
    expect((await gate('slo=hstu-ranker/availability-v2&status=1')).status).toBe(412);
    expect((await gate('slo=hstu-ranker/availability-v1&status=1')).status).toBe(200);
    const bad = await gate('canary=hstu-ranker/availability-v2');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/canary= and stable= go together/);
    expect((await gate('slo=hstu-ranker/availability-v1&severity=sev1')).status).toBe(400);
  });
});

describe('POST /api/gate (Flagger webhook)', () => {
  it('answers 200 for a healthy canary and 412 for a bad one, in every gating phase', async () => {
    const url = `${bw.url}/api/gate`;
    for (const phase of ['Initializing', 'Progressing', 'Promoting']) {
      const ok = await flagger(url, { slo: 'hstu-ranker/availability-v1' }, phase);
      expect(ok.status).toBe(200);
      expect(ok.body.pass).toBe(true);
      const bad = await flagger(url, { canary: 'hstu-ranker/availability-v2', stable: 'hstu-ranker/availability-v1' }, phase);
      expect(bad.status).toBe(412);
      expect(bad.body.reason).toMatch(/the canary burns 4(\.\d)?× faster than stable/);
    }
  });

  it('takes parameters from the URL, overridden by the webhook metadata', async () => {
    const url = `${bw.url}/api/gate?slo=hstu-ranker/availability-v2`;
    expect((await flagger(url, {})).status).toBe(412);
    expect((await flagger(url, { slo: 'hstu-ranker/availability-v1' })).status).toBe(200);
  });

  it('rejects a body that is not a Flagger payload, and a missing token', async () => {
    const res = await fetch(`${bw.url}/api/gate`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ slo: 'x' }) });
    expect(res.status).toBe(400);
    expect((await flagger(`${bw.url}/api/gate`, { slo: 'hstu-ranker/availability-v1' }, 'Progressing', {})).status).toBe(401);
  });
});

describe('error-budget policy (kind: BudgetPolicy)', () => {
  const override = (body: Record<string, unknown>, headers: Record<string, string> = auth) =>
    fetch(`${bw.url}/api/gate/overrides`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('freezes an exhausted budget, lets fixes through, and an authorized override unfreezes it (audited)', { timeout: 120_000 }, async () => {
    const frozen = await gate('slo=hstu-ranker/availability-v3');
    expect(frozen.body.pass).toBe(false);
    expect(frozen.body.reason).toMatch(/^hstu-ranker\/availability-v3: deploy freeze since .* \(policy ranking-freeze: -2\d\d(\.\d)?% of the error budget left, freezes at or below 0%\); only changes labelled as fixes \(change=fix\) pass$/);
    expect(frozen.body.checks.map((c) => `${c.kind} ${c.pass}`)).toEqual(['slo true', 'budget false']);
    expect((await gate('slo=hstu-ranker/availability-v3&change=fix')).body.pass).toBe(true);

    // The leader writes the freeze and announces it once in the owner's channels.
    await bw.waitForLog(/"notification budget.freeze.started"/, 60_000);
    expect((await override({ slo: 'hstu-ranker/availability-v3', actor: 'mallory', reason: 'ship it' })).status).toBe(403);
    expect((await override({ slo: 'hstu-ranker/availability-v3', actor: 'alice', reason: 'hotfix', duration: '3h' })).status).toBe(400);
    expect((await override({ slo: 'hstu-ranker/availability-v3', actor: 'alice', reason: 'hotfix' }, {})).status).toBe(401);
    expect((await override({ slo: 'hstu-ranker/availability-v1', actor: 'alice', reason: 'nothing frozen' })).status).toBe(409);
    const ok = await override({ slo: 'hstu-ranker/availability-v3', actor: 'alice', reason: 'checkout hotfix INC-42', duration: '1h' });
    expect(ok.status).toBe(201);
    const open = await gate('slo=hstu-ranker/availability-v3');
    expect(open.body.pass).toBe(true);
    expect(open.body.reason).toMatch(/deploy freeze .* overridden by alice until .*: checkout hotfix INC-42/);

    // The budget "recovers" (the policy now freezes only below -300 %): the freeze ends, announced once.
    await fs.writeFile(path.join(dir, 'slos', 'policy.yaml'), POLICY('-300%'));
    await bw.waitForLog(/"notification budget.freeze.ended"/, 60_000);
    expect((await gate('slo=hstu-ranker/availability-v3')).body.reason).not.toMatch(/freeze/);

    const store = await openStore({ databaseUrl: db.url, dataDir: dir });
    try {
      const audit = (await listAudit(store.db)).filter((a) => a.action.startsWith('budget.'));
      expect(audit.map((a) => `${a.actor} ${a.action} ${a.result}`)).toEqual([
        'burnwatch budget.freeze.start ok',
        'mallory budget.freeze.override denied',
        'alice budget.freeze.override refused', // v1 was not frozen
        'alice budget.freeze.override ok',
        'burnwatch budget.freeze.end ok',
      ]);
      const notes = (await listOutbox(store.db)).filter((m) => m.kind.startsWith('budget.')).sort((a, b) => a.id - b.id);
      expect(notes.map((m) => `${m.kind} ${m.channel}`)).toEqual(['budget.freeze.started log', 'budget.freeze.overridden log', 'budget.freeze.ended log']);
      expect(String(notes[0]!.payload.text)).toMatch(/Deploy freeze\* for \*hstu-ranker\/availability-v3\*/);
    } finally {
      await store.close();
    }
  });
});

// biome-ignore lint/suspicious/noExplicitAny: manifests are open-ended YAML
const manifest = async (file: string): Promise<Array<Record<string, any>>> =>
  parseAllDocuments(await fs.readFile(path.join(REPO_ROOT, file), 'utf8')).map((d) => d.toJS());
const IN_CLUSTER = 'http://burnwatch.burnwatch.svc';

describe('the example manifests in deploy/gate, replayed', () => {
  it("Argo Rollouts: the AnalysisTemplate's web metric fails the bad canary through its successCondition", async () => {
    const [template, rollout] = await manifest('deploy/gate/argo-rollouts-analysis.yaml');
    const metric = template!.spec.metrics[0];
    const args: Record<string, string> = Object.fromEntries(rollout!.spec.strategy.canary.analysis.args.map((a: { name: string; value: string }) => [a.name, a.value]));
    args['api-token'] = TOKEN; // from the Secret, as valueFrom.secretKeyRef gives it
    const fill = (text: string) => text.replace(/\{\{args\.([\w-]+)\}\}/g, (_, name: string) => args[name]!);
    const url = fill(metric.provider.web.url).replace(IN_CLUSTER, bw.url);
    const headers = Object.fromEntries(metric.provider.web.headers.map((h: { key: string; value: string }) => [h.key, fill(h.value)]));
    // What webmetric.go does: GET with the headers; a non-2xx is an Error; the body through jsonPath {$}.
    const res = await fetch(url, { method: 'GET', headers });
    expect(res.status).toBe(200);
    expect(metric.provider.web.jsonPath).toBe('{$}');
    const result = (await res.json()) as Record<string, unknown>;
    const condition = /^result\.(\w+) == true$/.exec(metric.successCondition);
    expect(condition).not.toBeNull();
    expect(result[condition![1]!]).toBe(false);
    expect(String(result.reason)).toMatch(/page tier 1h\/5m is firing.*the canary burns 4(\.\d)?× faster than stable/);
    // The same template with the roles swapped (v1 as the canary of v2) succeeds.
    args['canary-slo'] = 'hstu-ranker/availability-v1';
    args['stable-slo'] = 'hstu-ranker/availability-v2';
    const swapped = (await (await fetch(fill(metric.provider.web.url).replace(IN_CLUSTER, bw.url), { headers })).json()) as Record<string, unknown>;
    expect(swapped[condition![1]!]).toBe(true);
  });

  it("Flagger: each webhook of the Canary, on a public-read follower, answers with the status code Flagger reads", { timeout: 120_000 }, async () => {
    // A second replica on the same store: a follower that serves the leader's stored figures.
    const follower = await startBurnwatch({
      DATABASE_URL: db.url,
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_PORT: '0',
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_DATA_DIR: path.join(dir, 'data-follower'),
      BURNWATCH_PUBLIC_READ: 'true',
      BURNWATCH_NOTIFY_LOG: 'false',
    });
    try {
      const [canary] = await manifest('deploy/gate/flagger-canary.yaml');
      const statuses: Record<string, number> = {};
      for (const hook of canary!.spec.analysis.webhooks as Array<{ type: string; url: string; metadata: Record<string, string> }>) {
        const r = await flagger(hook.url.replace(IN_CLUSTER, follower.url), hook.metadata, 'Progressing', {});
        statuses[hook.type] = r.status;
      }
      // Stable is healthy (pre-rollout passes); the canary burns 4× faster (rollout and promotion held).
      expect(statuses).toEqual({ 'pre-rollout': 200, rollout: 412, 'confirm-promotion': 412 });
    } finally {
      await follower.kill('SIGTERM');
    }
  });
});

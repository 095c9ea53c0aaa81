// burnwatch serve end to end, as real processes: a real Prometheus with a burning
// SLO, the webhook notifier to a local receiver, `kill -9` while notifications are
// pending, restarts and a change of leader. Every notification arrives exactly once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { openStore } from '../../src/store/open-store.ts';
import { listOutbox } from '../../src/store/repositories/outbox.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { signWebhook } from '../../src/notify/webhook-notifier.ts';

const SECRET = 'e2e-webhook-secret-0123456789';
// Data anchored at the real clock: the service evaluates "now". Errors went to 100 % ten minutes ago.
const NOW = Math.floor(Date.now() / 60_000) * 60;
const BURN_START = NOW - 600;

const SLO = (promUrl: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${promUrl}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker }
spec:
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`;

let prom: PrometheusServer;
let receiver: WebhookReceiver;
let dir: string;
const running: BurnwatchProcess[] = [];

beforeAll(async () => {
  const s = scenario({ start: NOW - 3 * 86_400, end: NOW + 3600, step: 60 })
    .counter('ranker_requests_total', { code: '200' }, [profile(20), profile(1).step(BURN_START, 0)])
    .counter('ranker_requests_total', { code: '500' }, [profile(20), profile(0).step(BURN_START, 1)]);
  prom = await startPrometheus(s);
  receiver = await startWebhookReceiver();
  dir = await makeTempDir();
  await fs.mkdir(path.join(dir, 'slos'));
  await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), SLO(prom.url));
});
afterAll(async () => {
  for (const p of running) await p.kill('SIGKILL');
  await receiver?.close();
  await prom?.destroy();
  await fs.rm(dir, { recursive: true, force: true });
});

const baseEnv = () => ({
  DATABASE_URL: undefined,
  BURNWATCH_HOST: '127.0.0.1',
  BURNWATCH_PORT: '0',
  BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
  BURNWATCH_WEBHOOK_URL: receiver.url,
  BURNWATCH_WEBHOOK_SECRET: SECRET,
  BURNWATCH_OUTBOX_BACKOFF: '1s',
  BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
  BURNWATCH_LOG_LEVEL: 'info',
});

async function start(env: Record<string, string | undefined>): Promise<BurnwatchProcess> {
  const p = await startBurnwatch(env);
  running.push(p);
  return p;
}

const keysOf = (reqs: { json: Record<string, unknown> }[]) => reqs.map((r) => String(r.json.idempotencyKey));
const countBy = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());

describe('burnwatch serve, end to end', () => {
  it('survives kill -9 with notifications pending and delivers each exactly once after restart', { timeout: 180_000 }, async () => {
    receiver.requests.length = 0;
    receiver.respond(() => ({ status: 500 }));
    const data = path.join(dir, 'embedded');
    const env = { ...baseEnv(), BURNWATCH_DATA_DIR: data, BURNWATCH_IDENTITY: 'single' };
    const first = await start(env);
    // The page alert fired and the receiver refused it at least twice (retried from the outbox).
    await expect.poll(() => receiver.requests.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    for (const r of receiver.requests) {
      expect(r.json).toMatchObject({ kind: 'alert.firing', slo: 'hstu-ranker/availability', severity: 'page' });
      expect(r.headers['x-burnwatch-signature']).toBe(signWebhook(SECRET, String(r.headers['x-burnwatch-timestamp']), r.body));
    }
    expect(await first.kill('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    const killedAt = Date.now();

    receiver.respond(() => ({ status: 200 }));
    // Same embedded store: the dead holder's lock is recognised and taken over.
    const second = await start(env);
    await second.waitForLog(/notification delivered/);
    await expect.poll(async () => (await (await fetch(`${second.url}/metrics`)).text()).includes('burnwatch_outbox_pending{'), { timeout: 60_000 }).toBe(false);
    expect((await second.kill('SIGTERM')).code).toBe(0);

    const store = await openStore({ dataDir: data });
    const webhook = (await listOutbox(store.db)).filter((m) => m.channel === 'webhook');
    await store.close();
    // Every notification decided before the kill arrived exactly once; nothing was decided anew
    // after the restart (the firing state was restored, not re-fired).
    expect(webhook.length).toBeGreaterThan(0);
    expect(webhook.every((m) => m.deliveredAt !== null && m.createdAt.getTime() < killedAt)).toBe(true);
    expect(keysOf(receiver.accepted()).sort()).toEqual(webhook.map((m) => m.idempotencyKey).sort());
    expect([...countBy(keysOf(receiver.accepted())).values()].every((n) => n === 1)).toBe(true);
  });

  describe.each(['lease', 'advisory'] as const)('two replicas on PostgreSQL, leader elected by %s', (mode) => {
    let k8s: FakeK8s;
    let db: TestDatabase;
    let kubeconfig: string;

    beforeAll(async () => {
      k8s = await startFakeK8s();
      db = await createPostgresDatabase('bw_e2e');
      kubeconfig = path.join(dir, 'kubeconfig.yaml');
      await fs.writeFile(
        kubeconfig,
        `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "${k8s.url}", insecure-skip-tls-verify: true } }]
users: [{ name: burnwatch, user: { token: fake-token } }]
contexts: [{ name: fake, context: { cluster: fake, user: burnwatch, namespace: burnwatch } }]
current-context: fake
`,
      );
    });
    afterAll(async () => {
      await k8s?.close();
      await db?.drop();
    });

    it('only the leader notifies; when it is killed the other takes over within the lease time, without duplicates', { timeout: 180_000 }, async () => {
      receiver.requests.length = 0;
      receiver.respond(() => ({ status: 500 }));
      const env = (identity: string) => ({
        ...baseEnv(),
        DATABASE_URL: db.url,
        KUBECONFIG: kubeconfig,
        BURNWATCH_LEADER: mode,
        BURNWATCH_LEASE_NAMESPACE: 'burnwatch',
        BURNWATCH_LEASE_DURATION: '4s',
        BURNWATCH_IDENTITY: identity,
      });
      const a = await start(env('replica-a'));
      await a.waitForLog(/became the leader/);
      const b = await start(env('replica-b'));
      await expect.poll(() => receiver.requests.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
      expect(new Set(receiver.requests.map((r) => r.headers['x-burnwatch-sender']))).toEqual(new Set(['replica-a']));
      expect(b.lines.some((l) => l.includes('became the leader'))).toBe(false);
      // The follower serves the leader's figures.
      await expect.poll(async () => (await (await fetch(`${b.url}/metrics`)).text()).includes('burnwatch_slo_status{slo="hstu-ranker/availability",status="page"} 1'), { timeout: 30_000 }).toBe(true);

      await a.kill('SIGKILL');
      const killedAt = Date.now();
      receiver.respond(() => ({ status: 200 }));
      // The lease is 4 s; allow a few retry periods on a busy machine.
      await b.waitForLog(/became the leader/, 15_000);
      await b.waitForLog(/notification delivered/);
      await expect.poll(async () => (await (await fetch(`${b.url}/metrics`)).text()).includes('burnwatch_outbox_pending{'), { timeout: 30_000 }).toBe(false);
      expect((await b.kill('SIGTERM')).code).toBe(0);

      const store = await openStore({ databaseUrl: db.url, dataDir: dir });
      const webhook = (await listOutbox(store.db)).filter((m) => m.channel === 'webhook');
      const leadership = (await listAudit(store.db)).filter((a) => a.action.startsWith('leader.')).map((a) => `${a.actor} ${a.action}`);
      await store.close();
      expect(leadership).toEqual(['replica-a leader.acquired', 'replica-b leader.acquired', 'replica-b leader.lost']);
      expect(webhook.length).toBeGreaterThan(0);
      expect(webhook.every((m) => m.deliveredAt !== null && m.createdAt.getTime() < killedAt)).toBe(true);
      expect(receiver.accepted().every((r) => r.headers['x-burnwatch-sender'] === 'replica-b')).toBe(true);
      expect(keysOf(receiver.accepted()).sort()).toEqual(webhook.map((m) => m.idempotencyKey).sort());
      expect([...countBy(keysOf(receiver.accepted())).values()].every((n) => n === 1)).toBe(true);
      if (mode === 'lease') expect(k8s.get('Lease', 'burnwatch', 'burnwatch-leader')!.spec).toMatchObject({ holderIdentity: '', leaseTransitions: 1 });
    });
  });
});

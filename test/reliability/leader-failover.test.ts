// Leadership among replicas of `burnwatch serve` (real processes) on the machine's
// PostgreSQL, each replica behind a TCP proxy of the test's own, with notifications
// pending at every fault: kill -9, SIGTERM (idle, and with a receiver taking 2 s per
// answer), a silent partition of the leader (nothing forwarded, nothing closed) and its
// connections reset. Measures each takeover and the probes during the partition, then
// checks the receiver: every notification arrived, none more than once beyond the single
// retry the idempotency key lets a receiver drop, and never two senders interleaved.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { listOutbox } from '../../src/store/repositories/outbox.ts';

const SECRET = 'ha-webhook-secret-0123456789';
const TOKEN = 'ha-api-token-0123456789abcdef';
const NOW = Math.floor(Date.now() / 60_000) * 60;

interface Readiness {
  leader?: { leader?: boolean; holder?: string | null; mode?: string };
  [key: string]: unknown;
}

interface Replica {
  identity: string;
  proc: BurnwatchProcess;
  proxy: TcpProxy;
  alive: boolean;
  killedAt?: number;
}

/** When a replica led, from its log lines "became the leader" … "lost leadership". */
function termsOf(r: Replica): Array<{ from: number; to: number }> {
  const terms: Array<{ from: number; to: number }> = [];
  let from: number | undefined;
  for (const line of r.proc.lines) {
    let entry: { msg?: string; time?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const at = Date.parse(entry.time ?? '');
    if (entry.msg?.startsWith('became the leader')) from ??= at;
    else if (entry.msg === 'lost leadership' && from !== undefined) {
      terms.push({ from, to: at });
      from = undefined;
    }
  }
  if (from !== undefined) terms.push({ from, to: r.killedAt ?? Number.POSITIVE_INFINITY });
  return terms;
}

let db: TestDatabase;
let store: Store;
let prom: PrometheusServer;
let receiver: WebhookReceiver;
let dir: string;
const replicas: Replica[] = [];
let seq = 0;
let alertSeq = 0;
const figures: Record<string, number[]> = {};
const record = (what: string, ms: number) => {
  figures[what] = [...(figures[what] ?? []), ms];
};

async function startReplica(): Promise<Replica> {
  const target = new URL(db.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const identity = `r${++seq}`;
  const proc = await startBurnwatch({
    DATABASE_URL: proxy.url(db.url),
    BURNWATCH_LEADER: 'postgres',
    BURNWATCH_IDENTITY: identity,
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_PORT: '0',
    BURNWATCH_DATA_DIR: path.join(dir, identity),
    BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
    BURNWATCH_SCHEDULE: '* * * * * *',
    BURNWATCH_WEBHOOK_URL: receiver.url,
    BURNWATCH_WEBHOOK_SECRET: SECRET,
    BURNWATCH_API_TOKEN: TOKEN,
    BURNWATCH_NOTIFY_LOG: 'false',
    BURNWATCH_OUTBOX_BACKOFF: '1s',
    BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
    BURNWATCH_REPORT_ENABLED: 'false',
  });
  const r = { identity, proc, proxy, alive: true };
  replicas.push(r);
  return r;
}

const live = () => replicas.filter((r) => r.alive);

async function readyz(r: Replica): Promise<{ ms: number; status: number; body: Readiness }> {
  const t = Date.now();
  // The body beyond {ready, status} is for operators: with the API token.
  const res = await fetch(`${r.proc.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(10_000) });
  return { ms: Date.now() - t, status: res.status, body: (await res.json()) as Readiness };
}

/** The replica that says it leads; fails if two say so. */
async function leader(): Promise<Replica> {
  let found: Replica | undefined;
  await expect
    .poll(
      async () => {
        const leaders: Replica[] = [];
        for (const r of live()) if ((await readyz(r)).body.leader?.leader === true) leaders.push(r);
        expect(leaders.length).toBeLessThanOrEqual(1);
        found = leaders[0];
        return found !== undefined;
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBe(true);
  return found!;
}

/** When (log time) another replica became the leader after `since`. */
async function takeover(others: Replica[], since: number): Promise<{ replica: Replica; ms: number }> {
  let hit: { replica: Replica; ms: number } | undefined;
  await expect
    .poll(
      () => {
        for (const r of others) {
          for (const line of r.proc.lines) {
            if (!line.includes('became the leader')) continue;
            const at = Date.parse(JSON.parse(line).time);
            if (at >= since - 50) hit = { replica: r, ms: at - since };
          }
        }
        return hit !== undefined;
      },
      { timeout: 40_000, interval: 50 },
    )
    .toBe(true);
  return hit!;
}

/** Enqueues `n` notifications (new firing Alertmanager alerts) through a follower. */
async function notify(via: Replica, n: number): Promise<void> {
  const alerts = Array.from({ length: n }, () => {
    const id = ++alertSeq;
    return { status: 'firing', labels: { alertname: `Ha${id}`, severity: 'warning' }, annotations: {}, startsAt: new Date().toISOString(), fingerprint: `ha-${id}` };
  });
  const res = await fetch(`${via.proc.url}/api/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version: '4', status: 'firing', receiver: 'burnwatch', groupKey: `g${alertSeq}`, alerts }),
  });
  expect(res.status).toBe(200);
}

const pending = async () => (await listOutbox(store.db)).filter((m) => m.deliveredAt === null && m.failedAt === null).length;

beforeAll(async () => {
  db = await createPostgresDatabase('bw_ha');
  const s = scenario({ start: NOW - 86_400, end: NOW + 3600, step: 60 })
    .counter('ranker_requests_total', { code: '200' }, [profile(20)])
    .counter('ranker_requests_total', { code: '500' }, [profile(0.01)]);
  prom = await startPrometheus(s);
  receiver = await startWebhookReceiver();
  receiver.respond(() => ({ status: 200, delayMs: 300 }));
  dir = await makeTempDir('burnwatch-ha-');
  await fs.mkdir(path.join(dir, 'slos'));
  await fs.writeFile(
    path.join(dir, 'slos', 'ranker.yaml'),
    `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${prom.url}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker }
spec:
  objective: 99
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`,
  );
  store = await openStore({ databaseUrl: db.url, dataDir: dir });
}, 120_000);

afterAll(async () => {
  for (const r of replicas) {
    await r.proc.kill('SIGKILL');
    await r.proxy.close();
  }
  await store?.close();
  await receiver?.close();
  await prom?.destroy();
  await db?.drop();
  await fs.rm(dir, { recursive: true, force: true });
  const fmt = (v: number[]) => v.map((x) => `${x}`).join(', ');
  if (Object.keys(figures).length > 0) console.log(`leader failover (ms): ${Object.entries(figures).map(([k, v]) => `${k}: ${fmt(v)}`).join('; ')}`);
});

describe('leader failover between burnwatch serve replicas on PostgreSQL (lease with a fencing token)', () => {
  it('takes over after kill -9, SIGTERM, a silent partition and reset connections; nothing lost, nothing sent twice beyond one retry', { timeout: 600_000 }, async () => {
    await startReplica();
    await startReplica();
    await startReplica();
    let current = await leader();

    // A follower's /readyz names the leader.
    const follower = live().find((r) => r !== current)!;
    expect((await readyz(follower)).body.leader).toMatchObject({ mode: 'postgres', leader: false, holder: current.identity });

    // `mayWinBack`: the old leader, still running and connected, may win the lease back itself.
    const fault = async (kind: string, act: (l: Replica) => Promise<void> | void, opts: { restart?: boolean; mayWinBack?: boolean } = {}) => {
      const old = current;
      await notify(live().find((r) => r !== old)!, 6);
      // Deliveries are under way when the fault comes.
      const before = receiver.requests.length;
      await expect.poll(() => receiver.requests.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 2);
      const at = Date.now();
      await act(old);
      const next = await takeover(live().filter((r) => opts.mayWinBack || r !== old), at);
      record(kind, next.ms);
      if (opts.restart) await startReplica();
      current = await leader();
      expect(current).toBe(next.replica);
      return next;
    };

    // kill -9: the lease's holder session ends with the process.
    for (let round = 0; round < 2; round++) {
      await fault('kill -9 → takeover', async (l) => {
        l.alive = false;
        l.killedAt = Date.now();
        await l.proc.kill('SIGKILL');
      }, { restart: true });
    }

    // SIGTERM, notifications pending: the sends in flight finish, the lease is released, a follower is woken.
    for (let round = 0; round < 2; round++) {
      await fault('SIGTERM → takeover', async (l) => {
        l.alive = false;
        void l.proc.kill('SIGTERM');
      }, { restart: true });
    }

    // SIGTERM with a receiver that takes 2 s per answer and 6 notifications due: bounded by one send, not six.
    receiver.respond(() => ({ status: 200, delayMs: 2000 }));
    await fault('SIGTERM, 2 s receiver → takeover', async (l) => {
      l.alive = false;
      void l.proc.kill('SIGTERM');
    }, { restart: true });
    receiver.respond(() => ({ status: 200, delayMs: 300 }));

    // A silent partition of the leader: nothing forwarded, nothing closed. Twice: the healed replica is a follower the second time round.
    for (let round = 0; round < 2; round++) {
      const cut = current;
      await fault('silent partition → takeover', async (l) => {
        l.proxy.partition();
        // Its probes answer in time, /readyz with 503 and the reason; /healthz still 200.
        const r = await readyz(l);
        record('/readyz of the partitioned leader', r.ms);
        expect(r.status).toBe(503);
        expect(JSON.stringify(r.body)).toMatch(/did not answer within/);
        const h = await fetch(`${l.proc.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        expect(h.status).toBe(200);
      });
      // It stopped acting before anyone took over, and after the partition heals it stays a follower.
      const lostAt = cut.proc.lines.filter((l) => l.includes('lost leadership')).map((l) => Date.parse(JSON.parse(l).time)).at(-1);
      const tookAt = current.proc.lines.filter((l) => l.includes('became the leader')).map((l) => Date.parse(JSON.parse(l).time)).at(-1);
      expect(lostAt).toBeDefined();
      expect(lostAt!).toBeLessThan(tookAt!);
      for (const r of live()) if (r !== cut) record('/readyz during the partition', (await readyz(r)).ms);
      cut.proxy.heal();
      await expect.poll(async () => (await readyz(cut)).body.leader, { timeout: 30_000 }).toMatchObject({ leader: false, holder: current.identity });
    }

    // The leader's connections reset (a NAT drops them): its session ends and it steps down; a
    // follower — or the old leader, reconnected first — holds the lease again within a retry.
    await fault('connections reset → a leader again', (l) => l.proxy.closeAll(), { mayWinBack: true });

    // Everything pending is delivered by whoever leads now.
    await expect.poll(pending, { timeout: 120_000, interval: 500 }).toBe(0);
    const messages = (await listOutbox(store.db)).filter((m) => m.channel === 'webhook');
    expect(messages.length).toBe(alertSeq);
    const arrivals = new Map<string, number>();
    for (const r of receiver.requests) arrivals.set(String(r.json.idempotencyKey), (arrivals.get(String(r.json.idempotencyKey)) ?? 0) + 1);
    const accepted = new Set(receiver.accepted().map((r) => String(r.json.idempotencyKey)));
    const lost = messages.filter((m) => !accepted.has(m.idempotencyKey));
    const twice = [...arrivals.values()].filter((n) => n === 2).length;
    const more = [...arrivals.values()].filter((n) => n > 2).length;
    console.log(`leader failover: ${messages.length} notifications, ${lost.length} lost, ${twice} sent a second time (the single retry), ${more} more often`);
    expect(lost).toEqual([]);
    expect(more).toBe(0);

    // Never two leaders acting: the replicas' terms of leadership (from their logs; a replica
    // killed with -9 leads until the kill) do not overlap, and every delivery came from a
    // replica during its term (a send started just before its end may arrive up to 1 s later).
    const terms = replicas.map((r) => ({ r, terms: termsOf(r) }));
    for (const a of terms) {
      for (const b of terms) {
        if (a === b) continue;
        for (const x of a.terms) for (const y of b.terms) expect(Math.min(x.to, y.to) - Math.max(x.from, y.from)).toBeLessThan(50);
      }
    }
    for (const req of receiver.requests) {
      const sender = terms.find((t) => t.r.identity === req.headers['x-burnwatch-sender']);
      expect(sender?.terms.some((t) => req.receivedAt >= t.from - 20 && req.receivedAt <= t.to + 1000)).toBe(true);
    }
    const leaders = terms.reduce((n, t) => n + t.terms.length, 0);
    console.log(`leader failover: ${leaders} terms of leadership over ${replicas.length} replicas, none overlapping`);
  });
});

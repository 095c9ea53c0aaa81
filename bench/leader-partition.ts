// `node bench/leader-partition.ts`: the two PostgreSQL electors under the same faults, in
// one run — the session advisory lock (the floor: what burnwatch used before) and the
// lease row with a fencing token (the default now). Replica a reaches PostgreSQL through a
// TCP proxy (test/helpers/tcp-proxy.ts), replica b directly; both with the service's
// defaults (15 s lease, 1 s retry). Per fault: when a stopped acting and when b took over,
// in seconds after the fault (a leader again: b, or a winning it back after a reset); "never" = not within 40 s.
import pg from 'pg';
import { pino } from 'pino';
import { AdvisoryLockElector } from '../src/service/leader/advisory-lock-elector.ts';
import type { LeaderElector } from '../src/service/leader/leader-elector.ts';
import { PostgresLeaseElector } from '../src/service/leader/postgres-lease-elector.ts';
import { migrate } from '../src/store/migrate.ts';
import { startTcpProxy } from '../test/helpers/tcp-proxy.ts';
import { createPostgresDatabase } from '../test/helpers/test-databases.ts';

const CAP_MS = 40_000;
const logger = pino({ level: 'silent' });

type Kind = 'advisory lock' | 'lease + token';
type Fault = 'silent partition' | 'connections reset' | 'release (SIGTERM)';

async function until(check: () => boolean, from: number): Promise<number | undefined> {
  while (Date.now() - from < CAP_MS) {
    if (check()) return Date.now() - from;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

export async function benchLeaderPartition(): Promise<Array<{ kind: Kind; fault: Fault; stoppedMs?: number; takeoverMs?: number }>> {
  const rows: Array<{ kind: Kind; fault: Fault; stoppedMs?: number; takeoverMs?: number }> = [];
  const db = await createPostgresDatabase('bw_bench_leader');
  const pool = new pg.Pool({ connectionString: db.url });
  await migrate(pool);
  try {
    for (const kind of ['advisory lock', 'lease + token'] as const) {
      for (const fault of ['silent partition', 'connections reset', 'release (SIGTERM)'] as const) {
        const target = new URL(db.url);
        const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
        const key = Math.floor(Math.random() * 1e9);
        const make = (identity: string, url: string): LeaderElector =>
          kind === 'advisory lock'
            ? new AdvisoryLockElector({ databaseUrl: url, identity, logger, key, retryPeriodSeconds: 1 })
            : new PostgresLeaseElector({ databaseUrl: url, identity, logger, name: `bench-${key}`, leaseDurationSeconds: 15, retryPeriodSeconds: 1 });
        const a = make(`a${key}`, proxy.url(db.url));
        const b = make(`b${key}`, db.url);
        await a.start(() => {});
        await b.start(() => {});
        if (!a.isLeader() || b.isLeader()) throw new Error(`${kind}: a should lead`);
        const at = Date.now();
        if (fault === 'silent partition') proxy.partition();
        else if (fault === 'connections reset') proxy.closeAll();
        else void a.stop();
        // "Leader again": b, or a itself once it had stopped (after a reset it may win its lease back first).
        let stopped = false;
        const [stoppedMs, takeoverMs] = await Promise.all([
          until(() => (stopped ||= !a.isLeader()), at),
          until(() => b.isLeader() || (stopped && a.isLeader()), at),
        ]);
        rows.push({ kind, fault, ...(stoppedMs !== undefined ? { stoppedMs } : {}), ...(takeoverMs !== undefined ? { takeoverMs } : {}) });
        proxy.heal();
        await Promise.all([a.stop(), b.stop()]);
        await proxy.close();
      }
    }
  } finally {
    await pool.end();
    await db.drop();
  }
  return rows;
}

export function leaderPartitionTable(rows: Awaited<ReturnType<typeof benchLeaderPartition>>): string {
  const s = (ms: number | undefined) => (ms === undefined ? `never (> ${CAP_MS / 1000} s)` : `${(ms / 1000).toFixed(2)} s`);
  return [
    'Two replicas on one PostgreSQL, the leader behind a TCP proxy; 15 s lease, 1 s retry. Seconds after the fault.',
    '',
    '| elector | fault | old leader stops acting | a leader again |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.kind} | ${r.fault} | ${s(r.stoppedMs)} | ${s(r.takeoverMs)} |`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`## Leader election under faults\n\n${leaderPartitionTable(await benchLeaderPartition())}`);
}

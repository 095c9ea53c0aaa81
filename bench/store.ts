// The embedded store against PostgreSQL: the writes of evaluation cycles for N SLOs (the
// evaluations, alert state, notifications and audit of runEvaluationCycle, in its one
// transaction), on SQLite (the embedded default) and on the machine's PostgreSQL, in the same run.
// The SLOs' readings come from an in-memory source that answers at once, so what is measured is
// the evaluation and the store; one SLO in a hundred burns (it fires, then keeps firing).
// Also `burnwatch check` over the repository's slos/ (peak RSS), beside a bare Node process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Slo } from '../src/domain/slo.ts';
import { runEvaluationCycle } from '../src/service/evaluation-cycle.ts';
import { createLogger } from '../src/service/logger.ts';
import type { SliReading, SliRequest, SliSource } from '../src/sources/sli-source.ts';
import { openStore, type Store } from '../src/store/open-store.ts';
import { createPostgresDatabase, makeTempDir } from '../test/helpers/test-databases.ts';
import { FLEET_END, fleetSlos } from './lib/fleet.ts';
import { median } from './lib/proc.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function instantSource(): SliSource {
  return {
    name: 'prometheus',
    type: 'prometheus',
    async read(r: SliRequest): Promise<SliReading> {
      const burning = Number(/(\d+)$/.exec(r.slo.id)?.[1] ?? 1) % 100 === 0;
      return new Map(r.windows.map((w) => [w, { good: 1e6 - (burning ? 5e4 : 10), bad: burning ? 5e4 : 10, total: 1e6 }]));
    },
    async ping() {},
    async close() {},
  };
}

async function cycles(store: Store, slos: Slo[], count: number): Promise<number[]> {
  const source = instantSource();
  const deps = {
    db: store.db,
    sources: () => new Map([['prometheus', source]]),
    routes: () => [() => ['log']],
    isLeader: () => true,
    logger: createLogger('silent'),
  };
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(FLEET_END * 1000 + i * 60_000);
    const t0 = performance.now();
    await runEvaluationCycle(deps, slos, at, new AbortController().signal);
    out.push(performance.now() - t0);
  }
  return out;
}

export interface StoreFigures {
  slos: number;
  sqliteMs: number;
  postgresMs: number;
  sqliteFirstMs: number;
  postgresFirstMs: number;
  checkRssMb: number;
  checkFloorRssMb: number;
}

/** Peak RSS (MB) of a command, from GNU time (`check` exits 1 when a source does not answer: still measured). */
function peakRssOf(args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'RSS %M', process.execPath, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, PROMETHEUS_URL: 'http://127.0.0.1:9', REGISTRY_DATABASE_URL: 'postgres://burnwatch@127.0.0.1:9/registry' },
  });
  const m = /RSS (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`${args.join(' ')}: no RSS figure (${r.stderr.slice(-300)})`);
  return Number(m[1]) / 1024;
}

export async function benchStore(n = 10_000, count = 5): Promise<StoreFigures> {
  const slos = fleetSlos(n);
  const dir = await makeTempDir('burnwatch-bench-store-');
  const sqlite = await openStore({ dataDir: dir });
  const pgDb = await createPostgresDatabase('bw_bench_store');
  const postgres = await openStore({ databaseUrl: pgDb.url, dataDir: dir });
  let s: number[];
  let p: number[];
  try {
    // Alternate so that the machine's load falls on both alike.
    s = [];
    p = [];
    const half = Math.ceil(count / 2);
    s.push(...(await cycles(sqlite, slos, half)));
    p.push(...(await cycles(postgres, slos, half)));
  } finally {
    await sqlite.close();
    await postgres.close();
    await pgDb.drop();
    await fs.rm(dir, { recursive: true, force: true });
  }
  const checkRssMb = peakRssOf(['--optimize-for-size', 'bin/burnwatch.mjs', 'check', 'slos', '--format', 'json']);
  const checkFloorRssMb = peakRssOf(['-e', '0']);
  return {
    slos: n,
    sqliteFirstMs: s[0]!,
    postgresFirstMs: p[0]!,
    sqliteMs: median(s.slice(1)),
    postgresMs: median(p.slice(1)),
    checkRssMb,
    checkFloorRssMb,
  };
}

export function storeTable(f: StoreFigures): string {
  const ratio = f.sqliteMs / f.postgresMs;
  return [
    `| evaluation cycle, ${f.slos.toLocaleString('en')} SLOs (readings in memory: evaluation + store writes) | SQLite (embedded) | PostgreSQL (machine's, 127.0.0.1) |`,
    '|---|---:|---:|',
    `| first cycle (inserts every alert state) | ${(f.sqliteFirstMs / 1000).toFixed(2)} s | ${(f.postgresFirstMs / 1000).toFixed(2)} s |`,
    `| following cycles (median) | ${(f.sqliteMs / 1000).toFixed(2)} s | ${(f.postgresMs / 1000).toFixed(2)} s |`,
    '',
    `SQLite / PostgreSQL: ${ratio.toFixed(2)}× — target within 10 % of PostgreSQL: ${ratio <= 1.1 ? 'met' : 'NOT met'}.`,
    '',
    '| command | peak RSS |',
    '|---|---:|',
    `| \`burnwatch check slos\` (the repository's SLOs, SQL SLOs included: in-memory SQLite cache; sources unreachable here) | ${f.checkRssMb.toFixed(0)} MB |`,
    `| floor: bare \`node -e 0\` | ${f.checkFloorRssMb.toFixed(0)} MB |`,
    '',
    `Target \`burnwatch check\` ≤ 200 MB: ${f.checkRssMb <= 200 ? 'met' : 'NOT met'}.`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10_000);
  console.log(storeTable(await benchStore(n)));
}

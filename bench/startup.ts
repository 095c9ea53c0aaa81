// Start-up: from process spawn to the first 200 on /healthz and on /readyz, for `burnwatch serve`
// on a fresh data directory (SQLite file created and migrated) and on an existing one (a restart).
// The floor is a bare Node process that starts an HTTP server and answers 200.
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase, makeTempDir } from '../test/helpers/test-databases.ts';
import { median } from './lib/proc.ts';
import { shippedNodeFlags } from './lib/shipped-node-flags.ts';
import { freePort } from '../src/service/free-port.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BIN = path.join(REPO, 'bin', 'burnwatch.mjs');
const FLOOR = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;


/** Peak resident memory of a running process so far (VmHWM), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Spawns, then polls `paths` every 5 ms; returns ms from spawn to each path's first 200, and the peak RSS by then. */
async function timeToOk(args: string[], env: Record<string, string>, port: number, paths: string[]): Promise<{ at: number[]; rssMb: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore', cwd: REPO });
  const out: number[] = [];
  try {
    for (const p of paths) {
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}${p}`).then((r) => r.status === 200, () => false);
        if (ok) break;
        if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
        if (performance.now() - t0 > 180_000) throw new Error(`${p} not ready after 180 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      out.push(performance.now() - t0);
    }
    return { at: out, rssMb: await peakRssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export interface StartupFigures {
  freshHealthz: number;
  freshReadyz: number;
  restartHealthz: number;
  restartReadyz: number;
  floor: number;
  /** The state in PostgreSQL (DATABASE_URL) instead of the embedded SQLite: a fresh database. */
  postgresHealthz: number;
  /** Peak RSS when /healthz first answered. */
  freshRssMb: number;
  restartRssMb: number;
  postgresRssMb: number;
  floorRssMb: number;
  runs: number;
}

export async function benchStartup(runs = 3): Promise<StartupFigures> {
  const fresh: Array<{ at: number[]; rssMb: number }> = [];
  const restart: Array<{ at: number[]; rssMb: number }> = [];
  const floor: Array<{ at: number[]; rssMb: number }> = [];
  const postgres: Array<{ at: number[]; rssMb: number }> = [];
  // As the image runs it (its ENTRYPOINT's Node flags).
  const serve = [...shippedNodeFlags(), BIN, 'serve'];
  for (let i = 0; i < runs; i++) {
    const dir = await makeTempDir('burnwatch-bench-');
    await fs.mkdir(path.join(dir, 'slos'));
    // The example SLOs of the repository; Prometheus answers on PROMETHEUS_URL (a bare server here
    // stands in for "reachable"), the warehouse sources are not configured, so /readyz reports them.
    await fs.cp(path.join(REPO, 'slos'), path.join(dir, 'slos'), { recursive: true });
    const env = { BURNWATCH_DATA_DIR: path.join(dir, 'data'), BURNWATCH_SLOS_DIR: path.join(dir, 'slos'), BURNWATCH_HOST: '127.0.0.1', BURNWATCH_LEADER: 'none', BURNWATCH_LOG_LEVEL: 'warn' };
    let port = await freePort();
    fresh.push(await timeToOk(serve, { ...env, BURNWATCH_PORT: String(port) }, port, ['/healthz']));
    port = await freePort();
    restart.push(await timeToOk(serve, { ...env, BURNWATCH_PORT: String(port) }, port, ['/healthz']));
    port = await freePort();
    const db = await createPostgresDatabase('bw_bench');
    try {
      postgres.push(await timeToOk(serve, { ...env, DATABASE_URL: db.url, BURNWATCH_PORT: String(port) }, port, ['/healthz']));
    } finally {
      await db.drop();
    }
    port = await freePort();
    floor.push(await timeToOk(['-e', FLOOR], { PORT: String(port) }, port, ['/']));
    await fs.rm(dir, { recursive: true, force: true });
  }
  return {
    freshHealthz: median(fresh.map((f) => f.at[0]!)),
    freshReadyz: Number.NaN,
    restartHealthz: median(restart.map((f) => f.at[0]!)),
    restartReadyz: Number.NaN,
    floor: median(floor.map((f) => f.at[0]!)),
    postgresHealthz: median(postgres.map((f) => f.at[0]!)),
    postgresRssMb: median(postgres.map((f) => f.rssMb)),
    freshRssMb: median(fresh.map((f) => f.rssMb)),
    restartRssMb: median(restart.map((f) => f.rssMb)),
    floorRssMb: median(floor.map((f) => f.rssMb)),
    runs,
  };
}

export function startupTable(f: StartupFigures): string {
  return [
    `| start-up (median of ${f.runs}) | spawn → first 200 on /healthz | peak RSS by then |`,
    '|---|---:|---:|',
    `| \`burnwatch serve\`, fresh data dir (SQLite created + migrations, the example SLOs) | ${f.freshHealthz.toFixed(0)} ms | ${f.freshRssMb.toFixed(0)} MB |`,
    `| \`burnwatch serve\`, restart on the same data dir | ${f.restartHealthz.toFixed(0)} ms | ${f.restartRssMb.toFixed(0)} MB |`,
    `| \`burnwatch serve\` with \`DATABASE_URL\` (PostgreSQL, a fresh database: migrations) | ${f.postgresHealthz.toFixed(0)} ms | ${f.postgresRssMb.toFixed(0)} MB |`,
    `| floor: bare \`node -e\` HTTP server | ${f.floor.toFixed(0)} ms | ${f.floorRssMb.toFixed(0)} MB |`,
    '',
    `Targets (fresh data dir): peak RSS ≤ 150 MB — ${f.freshRssMb <= 150 ? 'met' : 'NOT met'} (${f.freshRssMb.toFixed(0)} MB); ` +
      `/healthz within 1.5 s of the floor — ${f.freshHealthz - f.floor <= 1500 ? 'met' : 'NOT met'} (${((f.freshHealthz - f.floor) / 1000).toFixed(2)} s after it).`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(startupTable(await benchStartup()));
}

// Start-up and footprint, each beside a floor spawned in the same run with the same Node flags (a
// bare `node:http` server answering 200). `burnwatch serve` runs as the image runs it, on the
// repository's example SLOs, from spawn to the first 200 on /healthz; its peak RSS (VmHWM) is read
// twice: when /healthz first answers, and when the first evaluation cycle has finished (the
// example `warehouse` source's first ping loads the BigQuery client after the server listens).
// - first start: a fresh data dir and an empty Node compile cache (the first start after an
//   install or an upgrade: every module's types are stripped and its code compiled);
// - fresh data dir: SQLite created and migrated, the compile cache the first start left;
// - restart on the same data dir; with DATABASE_URL (a fresh PostgreSQL database);
// - `burnwatch check` over `slos/` (spawn → exit, peak RSS from the kernel's rusage).
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
const TIME = '/usr/bin/time';

/** Peak resident memory of a running process so far (VmHWM), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

interface Run {
  /** ms from spawn to the first 200. */
  ms: number;
  /** Peak RSS when it first answered. */
  rssMb: number;
  /** Peak RSS once the first evaluation cycle was done (NaN for the floor). */
  cycleRssMb: number;
}

/** Spawns, polls `url` every 5 ms, then (for burnwatch) waits for the first cycle's log line. */
async function timeToOk(args: string[], env: Record<string, string>, port: number, urlPath: string, waitCycle: boolean): Promise<Run> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'], cwd: REPO });
  let log = '';
  let cycleDone = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4096);
    if (/evaluation cycle done/.test(log)) cycleDone = true;
  });
  const deadline = (what: string) => {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}: ${log}`);
    if (performance.now() - t0 > 180_000) throw new Error(`${what} not within 180 s`);
  };
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}${urlPath}`).then((r) => r.status === 200, () => false);
      if (ok) break;
      deadline(urlPath);
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - t0;
    const rssMb = await peakRssMb(child.pid!);
    let cycleRssMb = Number.NaN;
    if (waitCycle) {
      while (!cycleDone) {
        deadline('the first evaluation cycle');
        await new Promise((r) => setTimeout(r, 20));
      }
      cycleRssMb = await peakRssMb(child.pid!);
    }
    return { ms, rssMb, cycleRssMb };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** A command that exits by itself: wall ms and peak RSS (GNU time's %M, the kernel's maxrss). */
async function timeToExit(args: string[], env: Record<string, string>, dir: string): Promise<{ ms: number; rssMb: number }> {
  const out = path.join(dir, 'time.txt');
  const t0 = performance.now();
  const child = spawn(TIME, ['-f', '%M', '-o', out, process.execPath, ...args], { env: { ...process.env, ...env }, stdio: 'ignore', cwd: REPO });
  await new Promise((r) => child.once('exit', r));
  const ms = performance.now() - t0;
  return { ms, rssMb: Number((await fs.readFile(out, 'utf8')).trim().split('\n').at(-1)) / 1024 };
}

export interface StartupFigures {
  firstStart: Run;
  fresh: Run;
  restart: Run;
  /** The state in PostgreSQL (DATABASE_URL) instead of the embedded SQLite: a fresh database. */
  postgres: Run;
  check: { ms: number; rssMb: number };
  floor: Run;
  runs: number;
  /** /proc/loadavg when the bench started and when it ended. */
  load: [string, string];
}

const loadavg = async () => (await fs.readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

function medianRun(runs: Run[]): Run {
  return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)), cycleRssMb: median(runs.map((r) => r.cycleRssMb)) };
}

export async function benchStartup(runs = 3): Promise<StartupFigures> {
  const load0 = await loadavg();
  const first: Run[] = [];
  const fresh: Run[] = [];
  const restart: Run[] = [];
  const floor: Run[] = [];
  const postgres: Run[] = [];
  const check: Array<{ ms: number; rssMb: number }> = [];
  // As the image runs it (its ENTRYPOINT's Node flags); the floor gets the same flags.
  const flags = shippedNodeFlags();
  const serve = [...flags, BIN, 'serve'];
  for (let i = 0; i < runs; i++) {
    const dir = await makeTempDir('burnwatch-bench-');
    await fs.mkdir(path.join(dir, 'slos'));
    // The example SLOs of the repository; Prometheus is not there and the warehouse sources are not
    // configured: the first cycle finds them unreachable (their SLOs are unknown), as on a laptop.
    await fs.cp(path.join(REPO, 'slos'), path.join(dir, 'slos'), { recursive: true });
    const env = {
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_LEADER: 'none',
      BURNWATCH_LOG_LEVEL: 'info',
      PROMETHEUS_URL: 'http://127.0.0.1:9',
      METADATA_SERVER_DETECTION: 'none',
      NODE_COMPILE_CACHE: path.join(dir, 'compile-cache'),
    };
    const at = (name: string) => ({ ...env, BURNWATCH_DATA_DIR: path.join(dir, name) });
    let port = await freePort();
    first.push(await timeToOk(serve, { ...at('first'), BURNWATCH_PORT: String(port) }, port, '/healthz', true));
    port = await freePort();
    fresh.push(await timeToOk(serve, { ...at('data'), BURNWATCH_PORT: String(port) }, port, '/healthz', true));
    port = await freePort();
    restart.push(await timeToOk(serve, { ...at('data'), BURNWATCH_PORT: String(port) }, port, '/healthz', true));
    port = await freePort();
    const db = await createPostgresDatabase('bw_bench');
    try {
      postgres.push(await timeToOk(serve, { ...at('pg'), DATABASE_URL: db.url, BURNWATCH_PORT: String(port) }, port, '/healthz', true));
    } finally {
      await db.drop();
    }
    check.push(await timeToExit([...flags, BIN, 'check', '--slos', path.join(dir, 'slos')], env, dir));
    port = await freePort();
    floor.push(await timeToOk([...flags, '-e', FLOOR], { PORT: String(port) }, port, '/', false));
    await fs.rm(dir, { recursive: true, force: true });
  }
  return {
    firstStart: medianRun(first),
    fresh: medianRun(fresh),
    restart: medianRun(restart),
    postgres: medianRun(postgres),
    check: { ms: median(check.map((c) => c.ms)), rssMb: median(check.map((c) => c.rssMb)) },
    floor: medianRun(floor),
    runs,
    load: [load0, await loadavg()],
  };
}

export function startupTable(f: StartupFigures): string {
  const mb = (v: number) => (Number.isNaN(v) ? '—' : `${v.toFixed(0)} MB`);
  const row = (name: string, r: Run) => `| ${name} | ${r.ms.toFixed(0)} ms | ${mb(r.rssMb)} | ${mb(r.cycleRssMb)} |`;
  const peak = Math.max(f.fresh.rssMb, f.fresh.cycleRssMb);
  return [
    `| start-up (median of ${f.runs}) | spawn → first 200 on /healthz | peak RSS then | peak RSS after the first cycle |`,
    '|---|---:|---:|---:|',
    row('`npm start` (`burnwatch serve`), fresh data dir (SQLite created + migrated, the example SLOs)', f.fresh),
    row('the same, first start after an install (empty Node compile cache)', f.firstStart),
    row('restart on the same data dir', f.restart),
    row('with `DATABASE_URL` (PostgreSQL, a fresh database: migrations)', f.postgres),
    row('floor: bare `node:http` server, same Node flags', f.floor),
    '',
    `| command (median of ${f.runs}) | spawn → exit | peak RSS |`,
    '|---|---:|---:|',
    `| \`burnwatch check --slos slos/\` | ${f.check.ms.toFixed(0)} ms | ${mb(f.check.rssMb)} |`,
    '',
    `Load average ${f.load[0]} at the start, ${f.load[1]} at the end. Targets (fresh data dir): peak RSS ≤ 150 MB — ` +
      `${peak <= 150 ? 'met' : 'NOT met'} (${peak.toFixed(0)} MB; first start ${Math.max(f.firstStart.rssMb, f.firstStart.cycleRssMb).toFixed(0)} MB); ` +
      `/healthz within 1.5 s of the floor — ${f.fresh.ms - f.floor.ms <= 1500 ? 'met' : 'NOT met'} (${((f.fresh.ms - f.floor.ms) / 1000).toFixed(2)} s after it; ` +
      `first start ${((f.firstStart.ms - f.floor.ms) / 1000).toFixed(2)} s); \`check\` ≤ 200 MB — ${f.check.rssMb <= 200 ? 'met' : 'NOT met'}.`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2] ?? 3);
  console.log(startupTable(await benchStartup(runs)));
}

// Start-up: from process spawn to the first 200 on /healthz and on /readyz, for `burnwatch serve`
// on a fresh data directory (PGlite initdb and migrations) and on an existing one (a restart).
// The floor is a bare Node process that starts an HTTP server and answers 200.
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../test/helpers/test-databases.ts';
import { median } from './lib/proc.ts';
import { freePort } from '../src/service/free-port.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BIN = path.join(REPO, 'bin', 'burnwatch.mjs');
const FLOOR = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`;


/** Spawns, then polls `paths` every 5 ms; returns ms from spawn to each path's first 200. */
async function timeToOk(args: string[], env: Record<string, string>, port: number, paths: string[]): Promise<number[]> {
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
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  return out;
}

export interface StartupFigures {
  freshHealthz: number;
  freshReadyz: number;
  restartHealthz: number;
  restartReadyz: number;
  floor: number;
  runs: number;
}

export async function benchStartup(runs = 5): Promise<StartupFigures> {
  const fresh: number[][] = [];
  const restart: number[][] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await makeTempDir('burnwatch-bench-');
    await fs.mkdir(path.join(dir, 'slos'));
    // The example SLOs of the repository; Prometheus answers on PROMETHEUS_URL (a bare server here
    // stands in for "reachable"), the warehouse sources are not configured, so /readyz reports them.
    await fs.cp(path.join(REPO, 'slos'), path.join(dir, 'slos'), { recursive: true });
    const env = { BURNWATCH_DATA_DIR: path.join(dir, 'data'), BURNWATCH_SLOS_DIR: path.join(dir, 'slos'), BURNWATCH_HOST: '127.0.0.1', BURNWATCH_LEADER: 'none', BURNWATCH_LOG_LEVEL: 'warn' };
    let port = await freePort();
    fresh.push(await timeToOk([BIN, 'serve'], { ...env, BURNWATCH_PORT: String(port) }, port, ['/healthz']));
    port = await freePort();
    restart.push(await timeToOk([BIN, 'serve'], { ...env, BURNWATCH_PORT: String(port) }, port, ['/healthz']));
    port = await freePort();
    floor.push((await timeToOk(['-e', FLOOR], { PORT: String(port) }, port, ['/']))[0]!);
    await fs.rm(dir, { recursive: true, force: true });
  }
  return {
    freshHealthz: median(fresh.map((f) => f[0]!)),
    freshReadyz: Number.NaN,
    restartHealthz: median(restart.map((f) => f[0]!)),
    restartReadyz: Number.NaN,
    floor: median(floor),
    runs,
  };
}

export function startupTable(f: StartupFigures): string {
  return [
    `| start-up (median of ${f.runs}) | spawn → first 200 on /healthz |`,
    '|---|---:|',
    `| \`burnwatch serve\`, fresh data dir (PGlite initdb + migrations, 11 example SLOs) | ${f.freshHealthz.toFixed(0)} ms |`,
    `| \`burnwatch serve\`, restart on the same data dir | ${f.restartHealthz.toFixed(0)} ms |`,
    `| floor: bare \`node -e\` HTTP server | ${f.floor.toFixed(0)} ms |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(startupTable(await benchStartup()));
}

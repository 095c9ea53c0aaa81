// `npm run demo` (node --optimize-for-size bin/burnwatch.mjs demo, 15-minute steps over the week):
// wall time and peak RSS from GNU time, beside a bare `node -e 0` in the same run. `--before <tree>`
// also runs the demo of another checkout (e.g. the commit before the SQLite store) right after.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../test/helpers/test-databases.ts';

const REPO = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface DemoFigures {
  label: string;
  seconds: number;
  rssMb: number;
}

function timed(label: string, cwd: string, args: string[]): DemoFigures {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e RSS %M', process.execPath, ...args], { cwd, encoding: 'utf8' });
  const m = /TIME ([\d.]+) RSS (\d+)/.exec(r.stderr);
  if (!m || r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr.slice(-400)}`);
  return { label, seconds: Number(m[1]), rssMb: Number(m[2]) / 1024 };
}

export async function benchDemo(before?: string): Promise<DemoFigures[]> {
  const dir = await makeTempDir('burnwatch-bench-demo-');
  try {
    const rows = [timed('`npm run demo` (embedded SQLite, sqlite:// telemetry)', REPO, ['--optimize-for-size', 'bin/burnwatch.mjs', 'demo', '--dir', path.join(dir, 'after')])];
    if (before) rows.push(timed(`the same demo at ${path.basename(before)} (PGlite)`, before, ['bin/burnwatch.mjs', 'demo', '--dir', path.join(dir, 'before')]));
    rows.push(timed('floor: bare `node -e 0`', REPO, ['-e', '0']));
    return rows;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function demoTable(rows: DemoFigures[]): string {
  const demo = rows[0]!;
  return [
    '| command | wall time | peak RSS |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.label} | ${r.seconds.toFixed(1)} s | ${r.rssMb.toFixed(0)} MB |`),
    '',
    `Target \`npm run demo\` ≤ 250 MB: ${demo.rssMb <= 250 ? 'met' : 'NOT met'} (${demo.rssMb.toFixed(0)} MB).`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--before');
  console.log(demoTable(await benchDemo(i > 0 ? process.argv[i + 1] : undefined)));
}

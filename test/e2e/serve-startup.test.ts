// Start-up refusals of the real `burnwatch serve` process: a bad setting names its
// variable; a second burnwatch on the same embedded store refuses with a clear message.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const BIN = path.join(REPO_ROOT, 'bin', 'burnwatch.mjs');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('burnwatch serve start-up', () => {
  it('stops on a bad setting, naming the variable, and never echoes a secret', () => {
    const run = spawnSync(process.execPath, [BIN, 'serve'], {
      encoding: 'utf8',
      env: { ...process.env, BURNWATCH_PORT: 'eighty', BURNWATCH_CYCLE_TIMEOUT: '10', DATABASE_URL: 'postgres://u:hunter2-secret@127.0.0.1/x', BURNWATCH_LEADER: 'raft' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('BURNWATCH_PORT: expected a port number');
    expect(run.stderr).toContain('BURNWATCH_CYCLE_TIMEOUT: expected a duration');
    expect(run.stderr).toContain('BURNWATCH_LEADER');
    expect(run.stderr + run.stdout).not.toContain('hunter2-secret');
  });

  it('refuses to open an embedded store another burnwatch holds', { timeout: 180_000 }, async () => {
    const dir = await makeTempDir();
    dirs.push(dir);
    const env = { DATABASE_URL: undefined, BURNWATCH_HOST: '127.0.0.1', BURNWATCH_PORT: '0', BURNWATCH_DATA_DIR: path.join(dir, 'data'), BURNWATCH_SLOS_DIR: path.join(dir, 'slos') };
    const first = await startBurnwatch(env);
    try {
      const second = await startBurnwatch(env, { waitListening: false });
      const { code } = await second.exited;
      expect(code).toBe(3);
      expect(second.lines.join('\n')).toMatch(/is in use by another burnwatch \(pid \d+ on /);
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    } finally {
      expect((await first.kill('SIGTERM')).code).toBe(0);
    }
  });
});

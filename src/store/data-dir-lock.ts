// PGlite has no inter-process lock: two processes on one PGDATA silently lose
// committed rows. We hold an exclusive lock (proper-lockfile: an atomic mkdir whose
// mtime is refreshed) plus an owner file, so a second burnwatch refuses to start and
// a holder killed with -9 on this host is recognised as gone at once instead of
// after the stale timeout.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { StoreError } from './store-error.ts';

interface Owner {
  pid: number;
  hostname: string;
  since: string;
}

const STALE_MS = 10_000;
/** Directories this process holds: our own pid in an owner file is then not a stale leftover. */
const held = new Set<string>();

function alive(pid: number, dir: string): boolean {
  // A previous holder that had our pid (pid 1 in a container) is gone, unless it is us.
  if (pid === process.pid) return held.has(dir);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** Locks `dir` (created if missing) for this process; returns the release function. */
export async function lockDataDir(dir: string, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  await fs.mkdir(dir, { recursive: true });
  const lockfilePath = path.join(dir, 'burnwatch.lock');
  const ownerFile = path.join(dir, 'burnwatch.owner.json');
  const options = { lockfilePath, stale: STALE_MS, realpath: false, onCompromised };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const owner = await readOwner(ownerFile);
    if (owner && owner.hostname === os.hostname() && !alive(owner.pid, dir)) {
      await fs.rm(lockfilePath, { recursive: true, force: true });
      release = await lockfile.lock(dir, options);
    } else {
      const who = owner ? `pid ${owner.pid} on ${owner.hostname}, since ${owner.since}` : 'another process';
      throw new StoreError(
        'locked',
        `the embedded database ${dir} is in use by another burnwatch (${who}). ` +
          'Stop it, or give this one its own BURNWATCH_DATA_DIR, or share a PostgreSQL through DATABASE_URL to run several replicas.',
        { cause: error },
      );
    }
  }
  const owner: Owner = { pid: process.pid, hostname: os.hostname(), since: new Date().toISOString() };
  await fs.writeFile(ownerFile, JSON.stringify(owner));
  held.add(dir);
  return async () => {
    held.delete(dir);
    await fs.rm(ownerFile, { force: true });
    await release();
  };
}

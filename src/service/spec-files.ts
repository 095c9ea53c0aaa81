// A snapshot of the SLO files the loader reads (the same walk: *.yaml / *.yml,
// dot entries skipped, symlinks followed), each with a fingerprint from stat and a
// hash of its content. Comparing two snapshots says which files were added, changed
// or removed, whatever way they were replaced: written in place, renamed over (mv,
// sed -i, editors' temp files, git checkout), swapped behind a symlink (a Kubernetes
// ConfigMap's ..data), or put in a new folder. A file whose stat did not change is
// not read again, so a rescan costs one stat per file.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SpecFile {
  /** dev, inode, size, mtime, ctime of the file the path resolves to. */
  fingerprint: string;
  sha256: string;
}

export type SpecFiles = Map<string, SpecFile>;

export interface SpecFileChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return; // gone between two looks, or not there yet: no files
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
}

/** Reads the files under `dir`, reusing the hashes of `previous` for files whose stat is unchanged. */
export async function snapshotSpecFiles(dir: string, previous: SpecFiles = new Map()): Promise<SpecFiles> {
  const files: string[] = [];
  await walk(dir, files);
  const snapshot: SpecFiles = new Map();
  for (const file of files.sort()) {
    try {
      const s = await fs.stat(file);
      const fingerprint = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
      const before = previous.get(file);
      if (before?.fingerprint === fingerprint) {
        snapshot.set(file, before);
        continue;
      }
      const sha256 = createHash('sha256').update(await fs.readFile(file)).digest('hex');
      snapshot.set(file, { fingerprint, sha256 });
    } catch {
      // removed (or a dangling symlink) while we looked: it counts as absent
    }
  }
  return snapshot;
}

export function diffSpecFiles(before: SpecFiles, after: SpecFiles): SpecFileChanges {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [file, f] of after) {
    const b = before.get(file);
    if (!b) added.push(file);
    else if (b.sha256 !== f.sha256) changed.push(file);
  }
  for (const file of before.keys()) if (!after.has(file)) removed.push(file);
  return { added, changed, removed };
}

export function hasChanges(c: SpecFileChanges): boolean {
  return c.added.length + c.changed.length + c.removed.length > 0;
}

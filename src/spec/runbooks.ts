// A runbook as a link: a URL stays as written; a path to a Markdown file of the
// playbooks folder becomes the console's rendering of it (/runbooks/<file>).
import fs from 'node:fs/promises';
import path from 'node:path';

export function isUrl(runbook: string): boolean {
  return /^https?:\/\//i.test(runbook);
}

/** The path of a runbook inside the playbooks folder, or undefined when it is not one. */
export function playbookPath(runbook: string, playbooksDir: string, cwd = process.cwd()): string | undefined {
  if (isUrl(runbook) || !runbook.endsWith('.md')) return undefined;
  const root = path.resolve(cwd, playbooksDir);
  // Runbook paths are relative to the repository root (where burnwatch runs), like every path in a spec.
  const file = path.resolve(cwd, runbook);
  if (!file.startsWith(`${root}${path.sep}`)) return undefined;
  return path.relative(root, file).split(path.sep).join('/');
}

export async function runbookHref(runbook: string | undefined, playbooksDir: string): Promise<string | undefined> {
  if (!runbook) return undefined;
  if (isUrl(runbook)) return runbook;
  const rel = playbookPath(runbook, playbooksDir);
  if (!rel) return undefined;
  try {
    await fs.access(path.resolve(playbooksDir, rel));
    return `/runbooks/${rel.split('/').map(encodeURIComponent).join('/')}`;
  } catch {
    return undefined;
  }
}

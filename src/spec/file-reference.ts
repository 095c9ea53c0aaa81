// A runbook or post-mortem template named in a spec is a file of the repository: the bot
// posts its contents into Slack, so a path must not reach outside the repository root
// (`/etc/passwd`, `../../secrets`, or a symlink that leads out). Runbooks may also be
// http(s) links; no other scheme (javascript:, file:) is a link a person should click.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface FileAccess {
  exists(absolute: string): boolean;
  /** The path with every symlink resolved (throws when it does not exist). */
  realpath(absolute: string): string;
}

export const realFiles: FileAccess = { exists: existsSync, realpath: (p) => realpathSync(p) };

/** Why `ref` is not a file inside `root` (undefined when it is), worded for a spec problem. */
export function fileReferenceProblem(ref: string, root: string, opts: { allowLinks: boolean; files?: FileAccess }): string | undefined {
  const files = opts.files ?? realFiles;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(ref)?.[1]?.toLowerCase();
  if (scheme && scheme.length > 1) {
    if (opts.allowLinks && (scheme === 'https' || scheme === 'http') && URL.canParse(ref)) return undefined;
    return opts.allowLinks
      ? `${JSON.stringify(ref)}: must be an http(s) link or a file of the repository, not a ${scheme}: reference`
      : `${JSON.stringify(ref)}: must be a file of the repository (a path relative to its root), not a ${scheme}: reference`;
  }
  if (path.isAbsolute(ref) || path.win32.isAbsolute(ref))
    return `${JSON.stringify(ref)} is an absolute path: name a file inside the repository, relative to its root`;
  if (ref.split(/[\\/]+/).includes('..')) return `${JSON.stringify(ref)} goes up with "..": name a file inside the repository, relative to its root`;
  const absolute = path.resolve(root, ref);
  if (!files.exists(absolute)) return `file ${JSON.stringify(ref)} does not exist (paths are relative to the repository root, where burnwatch runs)`;
  let real: string;
  let realRoot: string;
  try {
    real = files.realpath(absolute);
    realRoot = files.realpath(root);
  } catch {
    return `file ${JSON.stringify(ref)} cannot be resolved`;
  }
  const rel = path.relative(realRoot, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return `${JSON.stringify(ref)} is a symlink that leads outside the repository root`;
  return undefined;
}

/** The file's absolute path when it is inside `root`; throws otherwise (the read-time check). */
export function resolveInsideRoot(ref: string, root: string, files: FileAccess = realFiles): string {
  const problem = fileReferenceProblem(ref, root, { allowLinks: false, files });
  if (problem) throw new Error(problem);
  return files.realpath(path.resolve(root, ref));
}

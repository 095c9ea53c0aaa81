// The Node flags burnwatch ships with, read from the image's ENTRYPOINT (package.json's `start`
// carries the same, test/deploy checks it): the benchmark measures the process users run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The arguments between `node` and `bin/burnwatch.mjs` in the Dockerfile's ENTRYPOINT. */
export function shippedNodeFlags(dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8')): string[] {
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!line) throw new Error('the Dockerfile has no ENTRYPOINT in exec form');
  const args = JSON.parse(line[1]!) as string[];
  const script = args.indexOf('bin/burnwatch.mjs');
  if (args[0] !== 'node' || script < 0) throw new Error(`unexpected ENTRYPOINT ${line[1]}`);
  return args.slice(1, script);
}

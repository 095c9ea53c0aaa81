// Loaded with `node --import` (through NODE_OPTIONS) into a burnwatch child process: appends the
// URL of every module the process resolves to the file in BURNWATCH_TEST_MODULES_OUT, one a line,
// as it happens, so the list is complete however the process is stopped.
import fs from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env['BURNWATCH_TEST_MODULES_OUT'];
if (out) {
  const seen = new Set<string>();
  registerHooks({
    resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      if (!seen.has(resolved.url)) {
        seen.add(resolved.url);
        fs.appendFileSync(out, `${resolved.url}\n`);
      }
      return resolved;
    },
  });
}

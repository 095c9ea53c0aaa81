// PGlite (PostgreSQL in WebAssembly) costs about a gigabyte: the service, `burnwatch check` and the
// demo must not load it. Only a `pglite://` SLI source and `burnwatch store import-pglite` do,
// on demand. Each entry point is imported in a fresh Node process that records every module resolved.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ENTRIES = ['src/app/start-service.ts', 'src/cli/commands/check.ts', 'src/cli/commands/serve.ts', 'src/cli/commands/demo.ts', 'src/demo/run-demo.ts'];

describe('the embedded default loads no PGlite', () => {
  it.each(ENTRIES)('%s resolves no @electric-sql/pglite module', (entry) => {
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
      await import(${JSON.stringify(path.resolve(entry))});
      console.log(JSON.stringify({ modules: seen.length, pglite: seen.filter((u) => u.includes('pglite')) }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } });
    expect(child.stderr).not.toMatch(/Error/);
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { modules: number; pglite: string[] };
    expect(out.modules).toBeGreaterThan(10);
    expect(out.pglite).toEqual([]);
  });
});

#!/usr/bin/env node
// Runs the TypeScript sources directly: Node >= 22.18 strips types natively.
// `npm ci` installs Node 24 (the `node` devDependency) first on PATH for npm/npx.
import module from 'node:module';

// Node's compile cache (NODE_COMPILE_CACHE, else <tmpdir>/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1
// turns it off) keeps the type-stripped sources and V8's code for them. Without it every start loads
// the TypeScript stripper (WebAssembly, about 20 MB of a 150 MB budget) and compiles every module
// again; with it only the first start after an install or an upgrade does (entries are checked
// against the file's contents). The image warms it at build time (Dockerfile). Failing to open the
// directory (a read-only file system) only costs that saving.
module.enableCompileCache?.();
const { main } = await import('../src/cli/main.ts');

process.exitCode = await main(process.argv);

// Runs a bench script the way bin/burnwatch.mjs runs burnwatch: with Node's compile cache, so the
// TypeScript stripper and the compilation of every module are not counted in a figure users never
// pay after their first start.   node [flags] bench/lib/as-shipped.mjs <script.ts> [args…]
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

module.enableCompileCache?.();
const [script] = process.argv.splice(2, 1);
await import(pathToFileURL(path.resolve(script)).href);

#!/usr/bin/env node
// Runs the TypeScript sources directly: Node >= 22.18 strips types natively.
// `npm ci` installs Node 24 (the `node` devDependency) first on PATH for npm/npx.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv);

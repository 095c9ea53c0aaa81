// `burnwatch check` over the fleet's SLO files, in a process of its own: the real command line
// (only the check command loaded, the YAML loader, the sources, one evaluation, the JSON
// rendering), with stdout counted rather than printed. Prints one JSON line.
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.ts';
import { FLEET_END } from './lib/fleet.ts';

const { values } = parseArgs({ options: { slos: { type: 'string' } } });
const started = performance.now();
let printed = 0;
const write = process.stdout.write;
process.stdout.write = ((chunk: string | Uint8Array) => {
  printed += chunk.length;
  return true;
}) as typeof process.stdout.write;
process.stderr.write = (() => true) as typeof process.stderr.write; // one warning per 5m-slice SLO
let code: number;
try {
  code = await main(['node', 'burnwatch', 'check', '--slos', values.slos!, '--at', new Date(FLEET_END * 1000).toISOString(), '--format', 'json']);
} finally {
  process.stdout.write = write;
}
const wallMs = performance.now() - started;
console.log(JSON.stringify({ wallMs, code, printed, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

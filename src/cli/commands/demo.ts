// `burnwatch demo` (`npm run demo`): the whole loop in one command, nothing else needed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { isDuration, parseDuration } from '../../domain/duration.ts';
import { runDemo } from '../../demo/run-demo.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function register(program: Command): void {
  program
    .command('demo')
    .description('a week of a recommendation platform with two incidents, evaluated, alerted and reported (no setup needed)')
    .option('--dir <dir>', 'where the demo writes its databases and reports (wiped first)', '.burnwatch/demo')
    .option('--step <duration>', 'evaluation interval over the simulated week (shorter: finer detection, slower)', '15m')
    .option('--prometheus', 'serve the telemetry from a real Prometheus on loopback (needs prometheus and promtool)')
    .action(async (options: { dir: string; step: string; prometheus?: boolean }) => {
      if (!isDuration(options.step)) program.error(`--step: "${options.step}" is not a duration (e.g. 5m)`);
      const print = (line: string) => process.stdout.write(`${line}\n`);
      const started = performance.now();
      const result = await runDemo({ dir: options.dir, root: ROOT, stepSeconds: parseDuration(options.step), prometheus: options.prometheus === true, now: new Date(), print });
      print(`Done in ${((performance.now() - started) / 1000).toFixed(0)}s: ${result.alerts} notifications. Open:`);
      for (const file of result.files) print(`  ${path.relative(process.cwd(), file)}`);
      for (const what of result.notIncluded) print(`Not included: ${what}`);
    });
}

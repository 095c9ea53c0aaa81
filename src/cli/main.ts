// The `burnwatch` command line. Each command lives in src/cli/commands/<name>.ts and
// exports `register(program)`; this file only lists them.
import { Command, CommanderError } from 'commander';
import { dropMetadataLookupWarnings } from './quiet-warnings.ts';

type Register = (program: Command) => void;

const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<{ register: Register }>]> = [
  // one line per command, in the order `burnwatch --help` lists them
  ['validate', () => import('./commands/validate.ts')],
  ['convert', () => import('./commands/convert.ts')],
  ['check', () => import('./commands/check.ts')],
  ['serve', () => import('./commands/serve.ts')],
  ['generate', () => import('./commands/generate.ts')],
  ['backtest', () => import('./commands/backtest.ts')],
  ['demo', () => import('./commands/demo.ts')],
  ['report', () => import('./commands/report.ts')],
  ['rollback', () => import('./commands/rollback.ts')],
  ['postmortem', () => import('./commands/postmortem.ts')],
  ['store', () => import('./commands/store.ts')],
];

export async function main(argv: string[]): Promise<number> {
  dropMetadataLookupWarnings();
  const program = new Command('burnwatch')
    .description('SLO monitoring, burn-rate alerting and incident bot for ML platforms')
    .exitOverride()
    .showHelpAfterError();
  // Only the command asked for is loaded: all of them together pull in Kubernetes, Slack, Vega and
  // OpenTelemetry, 150 MB of memory and a second of start-up. Help or an unknown command loads
  // every one, to list them or suggest the nearest.
  const asked = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const chosen = COMMANDS.filter(([name]) => name === asked);
  for (const [, load] of chosen.length > 0 ? chosen : COMMANDS) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}

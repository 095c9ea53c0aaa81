// The `burnwatch` command line. Each command lives in src/cli/commands/<name>.ts and
// exports `register(program)`; this file only lists them.
import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

const COMMANDS: Array<() => Promise<{ register: Register }>> = [
  // one line per command, in the order `burnwatch --help` lists them
  () => import('./commands/validate.ts'),
  () => import('./commands/convert.ts'),
  () => import('./commands/check.ts'),
  () => import('./commands/serve.ts'),
  () => import('./commands/generate.ts'),
  () => import('./commands/backtest.ts'),
  () => import('./commands/demo.ts'),
  () => import('./commands/report.ts'),
  () => import('./commands/rollback.ts'),
  () => import('./commands/postmortem.ts'),
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command('burnwatch')
    .description('SLO monitoring, burn-rate alerting and incident bot for ML platforms')
    .exitOverride()
    .showHelpAfterError();
  for (const load of COMMANDS) (await load()).register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}

// `burnwatch store import-pglite`: carries the state of an earlier burnwatch (embedded PGlite in
// <data dir>/pgdata) into the SQLite store, once.
import type { Command } from 'commander';
import { importPglite } from '../../store/pglite-import.ts';

export function register(program: Command): void {
  const store = program.command('store').description('the embedded state store');
  store
    .command('import-pglite')
    .description('import the PGlite state of an earlier burnwatch (<data dir>/pgdata) into <data dir>/burnwatch.db, once')
    .option('--data-dir <dir>', 'the data directory', process.env['BURNWATCH_DATA_DIR'] || '.burnwatch')
    .action(async (options: { dataDir: string }) => {
      const result = await importPglite(options.dataDir);
      const copied = Object.entries(result.tables).map(([t, n]) => `${t} ${n}`).join(', ') || 'no rows';
      process.stdout.write(`imported ${copied}\nthe PGlite directory is now ${result.movedTo} (remove it once burnwatch runs well)\n`);
    });
}

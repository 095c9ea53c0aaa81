// `burnwatch serve`: the long-running service (what `npm start` runs).
import type { Command } from 'commander';
import { EXTENSIONS } from '../../app/extensions.ts';
import { SOURCE_FACTORIES } from '../../sources/registry.ts';
import { startService } from '../../app/start-service.ts';
import { ConfigError, loadConfig } from '../../service/config.ts';
import { createLogger, logDestination } from '../../service/logger.ts';
import { installProcessGuard } from '../../service/process-guard.ts';
import { SlackTokenError } from '../../slack/verify-token.ts';
import { loadSpecs } from '../../spec/load.ts';
import { StoreError } from '../../store/store-error.ts';

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the service: evaluate SLOs on a schedule, alert, serve HTTP (configured by environment variables)')
    .option('--port <port>', 'HTTP port (BURNWATCH_PORT)', (v) => Number(v))
    .option('--host <host>', 'HTTP listen address (BURNWATCH_HOST)')
    .option('--slos <dir>', 'SLO directory (BURNWATCH_SLOS_DIR)')
    .option('--data-dir <dir>', 'embedded database directory when DATABASE_URL is unset (BURNWATCH_DATA_DIR)')
    .action(async (flags: { port?: number; host?: string; slos?: string; dataDir?: string }) => {
      let config: ReturnType<typeof loadConfig>;
      try {
        config = loadConfig(process.env, flags);
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`burnwatch: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      }
      const logger = createLogger(config.logLevel, logDestination(config.logFormat));
      installProcessGuard(logger);
      let service: Awaited<ReturnType<typeof startService>>;
      try {
        service = await startService({
          config,
          logger,
          loadSpecs: (dir) => loadSpecs([dir]),
          sourceFactories: SOURCE_FACTORIES,
          extensions: EXTENSIONS,
        });
      } catch (error) {
        if (error instanceof StoreError) {
          logger.fatal({ code: error.code }, error.message);
          process.stderr.write(`burnwatch: ${error.message}\n`);
          process.exitCode = 3;
          return;
        }
        if (error instanceof SlackTokenError) {
          logger.fatal({ code: error.code }, error.message);
          process.stderr.write(`burnwatch: ${error.message}\n`);
          // The store and HTTP parts are already open: leave at once rather than hang on them.
          process.exit(2);
        }
        throw error;
      }
      process.on('SIGHUP', () => void service.reload('SIGHUP'));
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => void service.stop(signal).then(resolve);
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
    });
}

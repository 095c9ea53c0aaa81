// The last line of defence: an error that escapes every handler (an unhandled rejection in
// a library callback, a throw in a timer) is logged, counted and survived, instead of
// taking the process, its leadership and every in-flight request down with it. Requests
// are validated before use, so reaching this is a bug to report, not a way to stop burnwatch.
import type { Logger } from 'pino';

export interface ProcessGuard {
  /** How many errors it has caught so far. */
  caught(): number;
  uninstall(): void;
}

export function installProcessGuard(logger: Logger, proc: NodeJS.Process = process): ProcessGuard {
  let caught = 0;
  const onError = (kind: string) => (error: unknown) => {
    caught += 1;
    const e = error instanceof Error ? error : new Error(String(error));
    logger.error({ err: e.message, stack: e.stack, kind }, `survived an ${kind} (a bug: please report it)`);
  };
  const onException = onError('uncaught exception');
  const onRejection = onError('unhandled rejection');
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return {
    caught: () => caught,
    uninstall: () => {
      proc.off('uncaughtException', onException);
      proc.off('unhandledRejection', onRejection);
    },
  };
}

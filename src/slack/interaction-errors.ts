// Errors in one place (the bolt-js advice): a mistake a person made gets a private,
// friendly message; anything unexpected gets an error id that is also in the log, so
// the person can quote it and we can find the stack.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { IncidentError } from '../incidents/incident-error.ts';

export type Reply = (text: string) => Promise<unknown>;

export function newErrorId(): string {
  return randomBytes(4).toString('hex');
}

export function describeFailure(error: unknown, logger: Logger, context: Record<string, unknown>): string {
  if (error instanceof IncidentError) return `:warning: ${error.message}`;
  const errorId = newErrorId();
  logger.error({ errorId, err: error, ...context }, 'Slack interaction failed');
  return `:x: Something went wrong on our side (error id \`${errorId}\`). It is in burnwatch's log; please quote the id.`;
}

/** Runs `work`; a failure is explained privately through `reply` instead of thrown. */
export async function guarded(logger: Logger, reply: Reply, context: Record<string, unknown>, work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    const text = describeFailure(error, logger, context);
    await reply(text).catch((replyError: unknown) => logger.warn({ err: replyError, ...context }, 'could not tell the user about a failure'));
    return false;
  }
}

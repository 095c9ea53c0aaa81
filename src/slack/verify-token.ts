// Checks the bot token once at start-up (auth.test), so a wrong token stops the service with a
// sentence that names the variable instead of an unhandled rejection inside Bolt. Slack being
// unreachable is not fatal: alerts wait in the outbox until it answers.
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';

export interface BotIdentity {
  userId: string;
  botId: string;
}

export class SlackTokenError extends Error {
  readonly code = 'slack_token_refused';
  constructor(reason: string) {
    super(`Slack refused SLACK_BOT_TOKEN (${reason}): use the app's Bot User OAuth Token (xoxb-…) of an installed app`);
    this.name = 'SlackTokenError';
  }
}

const REFUSALS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

export async function verifyBotToken(token: string, options: WebClientOptions, logger: Logger): Promise<BotIdentity | undefined> {
  // Loaded here, not at start-up: serve imports this module for SlackTokenError, with or without Slack.
  const { WebClient } = await import('@slack/web-api');
  const client = new WebClient(token, { ...options, retryConfig: { retries: 1, maxTimeout: 2000 }, timeout: 10_000 });
  try {
    const answer = await client.auth.test();
    return { userId: String(answer.user_id ?? ''), botId: String(answer.bot_id ?? '') };
  } catch (error) {
    const reason = (error as { data?: { error?: string } }).data?.error;
    if (reason && REFUSALS.has(reason)) throw new SlackTokenError(reason);
    logger.warn({ err: (error as Error).message }, 'cannot verify the Slack token now (Slack unreachable?); notifications wait in the outbox until Slack answers');
    return undefined;
  }
}

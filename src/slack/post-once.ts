// Posts each keyed message (an alert, an incident summary, a post-mortem…) at most once,
// even when Slack accepted a post whose answer never reached burnwatch. Before posting,
// an attempt row is written (its nonce travels in the message metadata); it is removed
// when the ts is stored or when Slack surely did not post. So an attempt row found on a
// retry means "the last post may have landed": the channel's history is searched for the
// nonce and the message adopted instead of posted again.
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import { getMessageRef, type MessageRef, saveMessageRef } from './message-refs.ts';
import { channelIdOf, findPostedMessage, postMetadata, type SearchResult } from './find-posted-message.ts';
import { beginPostAttempt, clearPostAttempt, getPostAttempt } from './post-attempt-store.ts';
import { platformError, surelyNotDone, toNotifyError } from './slack-errors.ts';

export interface OncePosterDeps {
  db: Queryable;
  client: WebClient;
  clock: Clock;
  logger: Logger;
}

export interface OutgoingMessage {
  text: string;
  blocks?: unknown[];
  unfurl_links?: boolean;
}

export class OncePoster {
  readonly #d: OncePosterDeps;
  /** Channel names to ids, learned from conversations.list. */
  readonly #channelIds = new Map<string, string>();

  constructor(deps: OncePosterDeps) {
    this.#d = deps;
  }

  /**
   * The message already posted for `key`: the stored ref or, when an earlier post's outcome is
   * unknown, the message found in the channel (then stored). Undefined when there is none.
   */
  async posted(key: string): Promise<MessageRef | undefined> {
    const { db, clock, logger } = this.#d;
    const stored = await getMessageRef(db, key);
    if (stored) return stored;
    const attempt = await getPostAttempt(db, key);
    if (!attempt) return undefined;
    const result = await this.search(attempt.channel, attempt.nonce, attempt.firstAttemptAt);
    const log = logger.child({ key, channel: attempt.channel, since: attempt.firstAttemptAt.toISOString() });
    if (result.kind === 'found') {
      const ref = { channel: result.channel, ts: result.ts };
      await saveMessageRef(db, key, ref, clock.now());
      await clearPostAttempt(db, key);
      log.info({ ts: ref.ts }, 'found the message of a post whose answer was lost; adopted it instead of posting again');
      return ref;
    }
    if (result.kind === 'absent') log.info({ pages: result.pages }, 'an earlier post did not reach the channel; posting it');
    else log.warn({ reason: result.reason }, 'cannot tell whether an earlier post reached the channel; posting it (it may show twice)');
    return undefined;
  }

  /** Posts the message for `key`; call `posted(key)` first. `pace` runs just before the call. */
  async post(key: string, channel: string, message: OutgoingMessage, pace: () => Promise<void>): Promise<MessageRef> {
    const { db, client, clock } = this.#d;
    const attempt = await beginPostAttempt(db, key, channel, clock.now());
    await pace();
    let answer: { channel?: string; ts?: string };
    try {
      answer = await client.chat.postMessage({ ...message, channel, metadata: postMetadata(key, attempt.nonce) } as never);
    } catch (error) {
      if (surelyNotDone(error)) await clearPostAttempt(db, key);
      throw error;
    }
    const ref = { channel: answer.channel!, ts: answer.ts! };
    await saveMessageRef(db, key, ref, clock.now());
    await clearPostAttempt(db, key);
    return ref;
  }

  /** Gives up on a post that will not be retried (e.g. an alert that resolved before it was shown). */
  async forget(key: string): Promise<void> {
    await clearPostAttempt(this.#d.db, key);
  }

  /**
   * What the channel says. A refusal that will not change (missing_scope, not_in_channel for a
   * channel posted to with chat:write.public) makes the answer "unsure"; anything a retry may fix
   * (429, 5xx, a lost connection) is thrown so the outbox tries again later.
   */
  private async search(channel: string, nonce: string, since: Date): Promise<SearchResult> {
    try {
      const id = await channelIdOf(this.#d.client, channel, this.#channelIds);
      if (!id) return { kind: 'unsure', reason: `no channel named ${channel} is visible to the bot` };
      return await findPostedMessage(this.#d.client, id, nonce, since);
    } catch (error) {
      const refusal = platformError(error);
      if (refusal && !toNotifyError(error).retryable) return { kind: 'unsure', reason: `Slack refused: ${refusal}` };
      throw error;
    }
  }
}

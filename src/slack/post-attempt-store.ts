// Posts whose outcome is not known yet (see migration 026): begun before chat.postMessage,
// cleared once the ts is stored or Slack refused. One row per message key, reused by every
// retry, so the nonce and the time of the first attempt stay the same.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../store/repositories/queryable.ts';

export interface PostAttempt {
  key: string;
  channel: string;
  nonce: string;
  firstAttemptAt: Date;
}

interface Row {
  key: string;
  channel: string;
  nonce: string;
  first_attempt_at: Date;
}

const fromRow = (r: Row): PostAttempt => ({ key: r.key, channel: r.channel, nonce: r.nonce, firstAttemptAt: r.first_attempt_at });

export async function getPostAttempt(q: Queryable, key: string): Promise<PostAttempt | undefined> {
  const { rows } = await q.query<Row>('SELECT * FROM slack_post_attempts WHERE key = $1', [key]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Records that a post is about to be sent; an attempt already recorded for the key is kept as it is. */
export async function beginPostAttempt(q: Queryable, key: string, channel: string, at: Date): Promise<PostAttempt> {
  await q.query(
    'INSERT INTO slack_post_attempts (key, channel, nonce, first_attempt_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
    [key, channel, randomUUID(), at],
  );
  return (await getPostAttempt(q, key))!;
}

export async function clearPostAttempt(q: Queryable, key: string): Promise<void> {
  await q.query('DELETE FROM slack_post_attempts WHERE key = $1', [key]);
}

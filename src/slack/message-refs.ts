// The refs (channel, ts) of messages the bot posted, per key: what it updates in place.
import type { Queryable } from '../store/repositories/queryable.ts';

export interface MessageRef {
  channel: string;
  ts: string;
}

export async function getMessageRef(q: Queryable, key: string): Promise<MessageRef | undefined> {
  const { rows } = await q.query<MessageRef>('SELECT channel, ts FROM slack_messages WHERE key = $1', [key]);
  return rows[0];
}

export async function saveMessageRef(q: Queryable, key: string, ref: MessageRef, at: Date): Promise<void> {
  await q.query(
    'INSERT INTO slack_messages (key, channel, ts, posted_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING',
    [key, ref.channel, ref.ts, at],
  );
}

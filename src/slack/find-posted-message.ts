// Looks in a channel for a message burnwatch posted but whose answer never reached it (the
// connection dropped, or the process died before it stored the ts). Every post carries
// message metadata with a nonce; conversations.history with include_all_metadata, from a
// little before the first attempt, finds it again. Channels named "#name" are looked up
// first (conversations.history wants an id).
import type { WebClient } from '@slack/web-api';

export const METADATA_EVENT_TYPE = 'burnwatch_notification';
/** Our clock and Slack's differ a little: start looking this long before the first attempt. */
const CLOCK_SKEW_SECONDS = 60;
/** Slack recommends at most 200 per page. */
const PAGE_SIZE = 200;
/** 2 000 messages since the first attempt: beyond that, a duplicate is the lesser harm than a lost alert. */
const MAX_HISTORY_PAGES = 10;
const MAX_LIST_PAGES = 50;

export interface PostMetadata {
  event_type: string;
  event_payload: { key: string; nonce: string };
}

export function postMetadata(key: string, nonce: string): PostMetadata {
  return { event_type: METADATA_EVENT_TYPE, event_payload: { key, nonce } };
}

export type SearchResult =
  | { kind: 'found'; channel: string; ts: string }
  | { kind: 'absent'; pages: number }
  /** The channel could not be searched to the end; the reason is for the log. */
  | { kind: 'unsure'; reason: string };

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/** A channel id as conversations.history wants it; undefined when no channel has that name. */
export async function channelIdOf(client: WebClient, channel: string, cache: Map<string, string>): Promise<string | undefined> {
  if (CHANNEL_ID.test(channel)) return channel;
  const name = channel.replace(/^#/, '');
  const known = cache.get(name);
  if (known) return known;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const res = await client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const c of res.channels ?? []) if (c.name && c.id) cache.set(c.name, c.id);
    if (cache.has(name)) return cache.get(name);
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}

/** Slack's ts form ("seconds.micros") of an instant. */
export function slackTs(at: Date): string {
  return (at.getTime() / 1000).toFixed(6);
}

/**
 * Pages through the channel's history since `since` (newest first) for the message whose
 * metadata carries `nonce`. Throws what the Web API throws (429, 5xx, lost connections),
 * so the outbox retries the whole delivery later.
 */
export async function findPostedMessage(client: WebClient, channelId: string, nonce: string, since: Date): Promise<SearchResult> {
  const oldest = slackTs(new Date(since.getTime() - CLOCK_SKEW_SECONDS * 1000));
  let cursor: string | undefined;
  for (let page = 1; page <= MAX_HISTORY_PAGES; page++) {
    const res = await client.conversations.history({ channel: channelId, oldest, include_all_metadata: true, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const m of res.messages ?? []) {
      const payload = m.metadata?.event_type === METADATA_EVENT_TYPE ? (m.metadata.event_payload as { nonce?: unknown } | undefined) : undefined;
      if (payload?.nonce === nonce && m.ts) return { kind: 'found', channel: channelId, ts: m.ts };
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) return { kind: 'absent', pages: page };
  }
  return { kind: 'unsure', reason: `more than ${MAX_HISTORY_PAGES * PAGE_SIZE} messages since the first attempt` };
}

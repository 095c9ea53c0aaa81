// Webhook deliveries from the pagers, remembered by event id so each is acted on once.
import type { Queryable } from './queryable.ts';

/** True the first time an event id is claimed; false for a replay or a retried delivery. */
export async function claimPagerEvent(q: Queryable, e: { eventId: string; source: string; at: Date }): Promise<boolean> {
  const { rows } = await q.query('INSERT INTO pager_webhook_events (event_id, source, received_at) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING RETURNING event_id', [
    `${e.source}:${e.eventId}`,
    e.source,
    e.at,
  ]);
  return rows.length === 1;
}

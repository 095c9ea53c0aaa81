// The pages burnwatch sent to PagerDuty / Opsgenie (outbox rows of their channels), for the
// post-mortem's "who was paged and when".
import type { Queryable } from './queryable.ts';

export interface PagerDelivery {
  channel: string;
  kind: string;
  sloId: string;
  createdAt: Date;
  deliveredAt: Date | null;
  escalationStep: number | null;
}

export async function pagerDeliveries(q: Queryable, sloIds: readonly string[], from: Date, to: Date): Promise<PagerDelivery[]> {
  const { rows } = await q.query<{ channel: string; kind: string; payload: Record<string, unknown>; created_at: Date; delivered_at: Date | null }>(
    `SELECT channel, kind, payload, created_at, delivered_at FROM outbox
      WHERE (channel LIKE 'pagerduty:%' OR channel LIKE 'opsgenie:%') AND created_at >= $1 AND created_at <= $2 ORDER BY id`,
    [from, to],
  );
  const wanted = new Set(sloIds);
  return rows
    .filter((r) => wanted.has(String(r.payload.slo)))
    .map((r) => ({
      channel: r.channel,
      kind: r.kind,
      sloId: String(r.payload.slo),
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      escalationStep: typeof r.payload.escalation === 'number' ? r.payload.escalation : null,
    }));
}

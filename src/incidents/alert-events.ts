// Lifecycle events of alert episodes (alert.fired, alert.acknowledged, alert.silenced,
// alert.resolved) for every channel that takes lifecycle events (the log, the webhook),
// written in the desk's transaction. Views (Slack) show episodes from DeskEffects instead;
// the pagers get acknowledgements through AlertDeskDeps.onAcknowledged. The state machine's
// per-tier messages (alert.firing / alert.resolved with a `tier`) are the evaluation cycle's.
import { enqueue } from '../store/repositories/outbox.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { AlertRecord } from './types.ts';

export type AlertEventKind = 'alert.fired' | 'alert.acknowledged' | 'alert.silenced' | 'alert.resolved';

/** The outbox channels of lifecycle events (log, webhook); the views are told through DeskEffects. */
export type EventChannels = () => readonly string[];

export async function emitAlertEvent(
  q: Queryable,
  alert: AlertRecord,
  kind: AlertEventKind,
  details: Record<string, unknown>,
  channels: EventChannels | undefined,
  at: Date,
  /** Tells apart events of one kind that may repeat (a second silence). */
  instance = '',
): Promise<number> {
  let enqueued = 0;
  for (const channel of new Set(channels?.() ?? [])) {
    const added = await enqueue(q, {
      idempotencyKey: `alert:${alert.id}:${kind.slice('alert.'.length)}${instance ? `:${instance}` : ''}|${channel}`,
      channel,
      kind,
      payload: {
        alertId: alert.id,
        episode: true,
        slo: alert.sloId,
        service: alert.snapshot.service,
        severity: alert.severity,
        firedAt: alert.firedAt.toISOString(),
        incidentId: alert.incidentId,
        at: at.toISOString(),
        ...details,
      },
      at,
    });
    if (added) enqueued++;
  }
  return enqueued;
}

// Alertmanager's webhook (payload version 4): an external alert becomes a burnwatch
// alert — stored by fingerprint, notified through the outbox on each change of status
// (firing → resolved), and handed to the incident lifecycle (IncidentDesk.fromAlertmanagerIn:
// a paging severity opens an incident, resolved marks it mitigated), all in one transaction.
// That is the only path from an Alertmanager alert to an incident, with or without Slack.
import { z } from 'zod';
import { withTransaction, type Db } from '../../store/db.ts';
import { recordAudit } from '../../store/repositories/audit-log.ts';
import type { AlertmanagerAlert } from '../../incidents/incident-desk.ts';
import { upsertExternalAlert } from '../../store/repositories/external-alerts.ts';
import { enqueue } from '../../store/repositories/outbox.ts';
import type { Queryable } from '../../store/repositories/queryable.ts';

const labels = z.record(z.string(), z.string());

// Loose where Alertmanager may add fields; strict on what we rely on.
export const alertmanagerPayload = z.looseObject({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupKey: z.string(),
  externalURL: z.string().optional(),
  alerts: z.array(
    z.looseObject({
      status: z.enum(['firing', 'resolved']),
      labels: labels.refine((l) => typeof l.alertname === 'string', { message: 'labels.alertname is required' }),
      annotations: labels.default({}),
      startsAt: z.iso.datetime({ offset: true }),
      // Alertmanager writes 0001-01-01T00:00:00Z for "not ended"; anything else must be a time.
      endsAt: z.iso.datetime({ offset: true }).optional(),
      generatorURL: z.string().optional(),
      fingerprint: z.string().min(1),
    }),
  ),
});

export type AlertmanagerPayload = z.infer<typeof alertmanagerPayload>;

/** The incident lifecycle of one changed Alertmanager alert, in the receiver's transaction. */
export type AlertmanagerIncidents = (q: Queryable, alert: AlertmanagerAlert) => Promise<unknown>;

export async function receiveAlertmanager(
  db: Db,
  payload: AlertmanagerPayload,
  opts: { at: Date; channels: string[]; actor: string; incidents: AlertmanagerIncidents },
): Promise<{ changed: number; enqueued: number }> {
  return withTransaction(db, async (tx) => {
    let changed = 0;
    let enqueued = 0;
    for (const a of payload.alerts) {
      const endsAt = a.endsAt && !a.endsAt.startsWith('0001-') ? new Date(a.endsAt) : null;
      const severity = a.labels.severity ?? null;
      const before = await upsertExternalAlert(
        tx,
        {
          fingerprint: a.fingerprint,
          alertname: a.labels.alertname!,
          status: a.status,
          severity,
          labels: a.labels,
          annotations: a.annotations,
          startsAt: new Date(a.startsAt),
          endsAt,
          generatorUrl: a.generatorURL ?? null,
        },
        opts.at,
      );
      if (before === a.status) continue; // Alertmanager repeats notifications; only a change is news
      changed++;
      const instance = `alertmanager:${a.fingerprint}:${new Date(a.startsAt).toISOString()}`;
      for (const channel of opts.channels) {
        const added = await enqueue(tx, {
          idempotencyKey: `${instance}:${a.status}|${channel}`,
          channel,
          kind: `external.${a.status}`,
          payload: {
            alert: a.status,
            source: 'alertmanager',
            receiver: payload.receiver,
            alertname: a.labels.alertname,
            severity,
            labels: a.labels,
            annotations: a.annotations,
            startsAt: a.startsAt,
            endsAt: endsAt?.toISOString() ?? null,
            generatorURL: a.generatorURL ?? null,
            fingerprint: a.fingerprint,
          },
          at: opts.at,
        });
        if (added) enqueued++;
      }
      await opts.incidents(tx, {
        fingerprint: a.fingerprint,
        alertname: a.labels.alertname!,
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: new Date(a.startsAt),
        endsAt,
      });
    }
    await recordAudit(tx, {
      at: opts.at,
      actor: opts.actor,
      action: 'alertmanager.receive',
      target: payload.groupKey,
      result: 'ok',
      details: { alerts: payload.alerts.length, changed },
    });
    return { changed, enqueued };
  });
}

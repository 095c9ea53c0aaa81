// Alertmanager's webhook (payload version 4): an external alert becomes a burnwatch
// alert — stored by fingerprint, notified through the outbox on each change of
// status (firing → resolved), and opening (or resolving) an incident.
import { z } from 'zod';
import { withTransaction, type Db } from '../../store/db.ts';
import { recordAudit } from '../../store/repositories/audit-log.ts';
import { upsertExternalAlert } from '../../store/repositories/external-alerts.ts';
import { openIncident, resolveIncident } from '../../store/repositories/incidents.ts';
import { enqueue } from '../../store/repositories/outbox.ts';

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

/** Severities that open an incident. */
const INCIDENT_SEVERITIES = new Set(['critical', 'page', 'high']);

export async function receiveAlertmanager(
  db: Db,
  payload: AlertmanagerPayload,
  opts: { at: Date; channels: string[]; actor: string },
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
      const incidentKey = `alertmanager:${a.fingerprint}:${new Date(a.startsAt).toISOString()}`;
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
      if (a.status === 'firing' && severity && INCIDENT_SEVERITIES.has(severity)) {
        await openIncident(tx, {
          key: incidentKey,
          title: a.annotations.summary ?? a.labels.alertname!,
          severity,
          source: 'alertmanager',
          at: new Date(a.startsAt),
        });
      } else if (a.status === 'resolved') {
        await resolveIncident(tx, incidentKey, endsAt ?? opts.at);
      }
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

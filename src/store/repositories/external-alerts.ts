// Alerts received from Alertmanager, by fingerprint (latest status wins).
import type { Queryable } from './queryable.ts';

export interface ExternalAlert {
  fingerprint: string;
  alertname: string;
  status: 'firing' | 'resolved';
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt: Date | null;
  generatorUrl: string | null;
}

/** Stores the alert; returns its previous status (undefined when new). */
export async function upsertExternalAlert(q: Queryable, a: ExternalAlert, receivedAt: Date): Promise<string | undefined> {
  const before = await q.query<{ status: string }>('SELECT status FROM external_alerts WHERE fingerprint = $1', [a.fingerprint]);
  await q.query(
    `INSERT INTO external_alerts (fingerprint, alertname, status, severity, labels, annotations, starts_at, ends_at, generator_url, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (fingerprint) DO UPDATE SET alertname = EXCLUDED.alertname, status = EXCLUDED.status,
       severity = EXCLUDED.severity, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
       starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, generator_url = EXCLUDED.generator_url,
       received_at = EXCLUDED.received_at`,
    [
      a.fingerprint,
      a.alertname,
      a.status,
      a.severity,
      JSON.stringify(a.labels),
      JSON.stringify(a.annotations),
      a.startsAt,
      a.endsAt,
      a.generatorUrl,
      receivedAt,
    ],
  );
  return before.rows[0]?.status;
}

// The base of an incident (the Slack engineer's tables add the details). One open
// incident per key: an SLO alert or an Alertmanager fingerprint.
import type { Queryable } from './queryable.ts';

export interface Incident {
  id: number;
  key: string;
  sloId: string | null;
  title: string;
  severity: string;
  status: 'open' | 'resolved';
  source: string;
  openedAt: Date;
  resolvedAt: Date | null;
}

interface Row {
  id: string;
  key: string;
  slo_id: string | null;
  title: string;
  severity: string;
  status: 'open' | 'resolved';
  source: string;
  opened_at: Date;
  resolved_at: Date | null;
}

const fromRow = (r: Row): Incident => ({
  id: Number(r.id),
  key: r.key,
  sloId: r.slo_id,
  title: r.title,
  severity: r.severity,
  status: r.status,
  source: r.source,
  openedAt: r.opened_at,
  resolvedAt: r.resolved_at,
});

/** Opens the incident for `key` unless it exists; `created` says which. */
export async function openIncident(
  q: Queryable,
  i: { key: string; sloId?: string | null; title: string; severity: string; source: string; at: Date },
): Promise<{ incident: Incident; created: boolean }> {
  const inserted = await q.query<Row>(
    `INSERT INTO incidents (key, slo_id, title, severity, source, opened_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO NOTHING RETURNING *`,
    [i.key, i.sloId ?? null, i.title, i.severity, i.source, i.at],
  );
  if (inserted.rows[0]) return { incident: fromRow(inserted.rows[0]), created: true };
  const { rows } = await q.query<Row>('SELECT * FROM incidents WHERE key = $1', [i.key]);
  return { incident: fromRow(rows[0]!), created: false };
}

export async function resolveIncident(q: Queryable, key: string, at: Date): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE incidents SET status = 'resolved', resolved_at = $2 WHERE key = $1 AND status = 'open'`,
    [key, at],
  );
  return rowCount === 1;
}

export async function listOpenIncidents(q: Queryable): Promise<Incident[]> {
  const { rows } = await q.query<Row>(`SELECT * FROM incidents WHERE status = 'open' ORDER BY opened_at, id`);
  return rows.map(fromRow);
}

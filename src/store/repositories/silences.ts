// Silences for the mute stage (migrations 024 and 052). Portable SQL.
import type { SilenceRule } from '../../lifecycle/silences.ts';
import type { Queryable } from './queryable.ts';

/** Silences in force at `at` (not lifted, not expired). */
export async function activeSilences(q: Queryable, at: Date): Promise<SilenceRule[]> {
  const { rows } = await q.query<{ slo_id: string; service: string | null; labels: string | null; created_at: Date; until: Date | null }>(
    'SELECT slo_id, service, labels, created_at, until FROM silences WHERE lifted_at IS NULL AND (until IS NULL OR until > $1)',
    [at],
  );
  return rows.map((r) => ({
    sloId: r.slo_id,
    service: r.service,
    labels: r.labels ? (JSON.parse(r.labels) as Record<string, string>) : {},
    startsAt: new Date(r.created_at),
    endsAt: r.until === null ? null : new Date(r.until),
  }));
}

export interface NewSilence {
  sloId: string | null;
  service: string | null;
  labels: Readonly<Record<string, string>>;
  at: Date;
  until: Date;
  by: { id: string; name: string };
  comment: string | null;
}

export async function insertSilence(q: Queryable, s: NewSilence): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO silences (slo_id, alert_id, created_at, created_by, until, until_resolved, service, labels, comment)
     VALUES ($1, NULL, $2, $3, $4, false, $5, $6, $7) RETURNING id`,
    [s.sloId ?? '', s.at, JSON.stringify(s.by), s.until, s.service, Object.keys(s.labels).length ? JSON.stringify(s.labels) : null, s.comment],
  );
  return Number(rows[0]!.id);
}

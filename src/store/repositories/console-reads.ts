// What the console shows beside an SLO's evaluations, read by time range: alert episodes
// (slack_alerts) and remediation actions. Portable SQL; JSON columns are filtered by
// the caller, not with JSON operators.
import type { Queryable } from './queryable.ts';

export interface AlertEpisode {
  id: number;
  sloId: string;
  severity: string;
  state: string;
  firedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  incidentId: number | null;
}

/** Episodes of one SLO that overlap [from, to), oldest first. */
export async function alertEpisodesBetween(q: Queryable, range: { sloId: string; from: Date; to: Date }): Promise<AlertEpisode[]> {
  const { rows } = await q.query<{
    id: string | number;
    slo_id: string;
    severity: string;
    state: string;
    fired_at: Date | string;
    acknowledged_at: Date | string | null;
    resolved_at: Date | string | null;
    incident_id: string | number | null;
  }>(
    `SELECT id, slo_id, severity, state, fired_at, acknowledged_at, resolved_at, incident_id FROM slack_alerts
     WHERE slo_id = $1 AND fired_at < $3 AND (resolved_at IS NULL OR resolved_at >= $2)
     ORDER BY fired_at, id`,
    [range.sloId, range.from, range.to],
  );
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return rows.map((r) => ({
    id: Number(r.id),
    sloId: r.slo_id,
    severity: r.severity,
    state: r.state,
    firedAt: new Date(r.fired_at),
    acknowledgedAt: date(r.acknowledged_at),
    resolvedAt: date(r.resolved_at),
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
  }));
}

export interface ActionSummary {
  id: number;
  kind: string;
  target: string;
  namespace: string;
  state: string;
  dryRun: boolean;
  requestedBy: string;
  requestedAt: Date;
  finishedAt: Date | null;
  result: string | null;
  error: string | null;
  context: Record<string, unknown>;
}

/** Remediation actions requested in [from, to), oldest first. */
export async function actionsBetween(q: Queryable, range: { from: Date; to: Date }): Promise<ActionSummary[]> {
  const { rows } = await q.query<{
    id: string | number;
    kind: string;
    target: string;
    namespace: string;
    state: string;
    dry_run: boolean | number;
    requested_by: string;
    requested_at: Date | string;
    finished_at: Date | string | null;
    result: string | null;
    error: string | null;
    context: Record<string, unknown> | string;
  }>(
    `SELECT id, kind, target, namespace, state, dry_run, requested_by, requested_at, finished_at, result, error, context
     FROM actions WHERE requested_at >= $1 AND requested_at < $2 ORDER BY requested_at, id`,
    [range.from, range.to],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    target: r.target,
    namespace: r.namespace,
    state: r.state,
    dryRun: Boolean(r.dry_run),
    requestedBy: r.requested_by,
    requestedAt: new Date(r.requested_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
    result: r.result,
    error: r.error,
    context: typeof r.context === 'string' ? (JSON.parse(r.context) as Record<string, unknown>) : r.context,
  }));
}

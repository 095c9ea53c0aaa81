// Incidents from the store: the service's base table (004) with the Slack bot's
// details (020: started, detected, acknowledged, mitigated, the SLOs involved) when that
// migration ran.
import { incidentSlosFor } from '../../store/repositories/incident-slos.ts';
import type { Queryable } from '../../store/repositories/queryable.ts';
import type { IncidentRecord } from '../report-inputs.ts';
import { columnOrNull, tableColumns } from './table-columns.ts';

interface Row {
  id: string;
  title: string;
  slo_id: string | null;
  slo_ids: unknown;
  opened_at: Date;
  started_at: Date | null;
  detected_at: Date | null;
  acknowledged_at: Date | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Incidents opened in [from, to) (undefined: this store has no incidents table); `serviceOf` maps an SLO id to its service. */
export async function loadIncidents(
  q: Queryable,
  from: Date,
  to: Date,
  serviceOf: (sloId: string) => string | undefined,
): Promise<IncidentRecord[] | undefined> {
  const columns = await tableColumns(q, 'incidents');
  if (columns.size === 0) return undefined;
  const { rows } = await q.query<Row>(
    `SELECT id, title, slo_id, ${columnOrNull(columns, 'slo_ids', 'jsonb')}, opened_at,
       ${columnOrNull(columns, 'started_at', 'timestamptz')}, ${columnOrNull(columns, 'detected_at', 'timestamptz')},
       ${columnOrNull(columns, 'acknowledged_at', 'timestamptz')}, ${columnOrNull(columns, 'mitigated_at', 'timestamptz')}, resolved_at
     FROM incidents WHERE opened_at >= $1 AND opened_at < $2 ORDER BY opened_at, id`,
    [from, to],
  );
  // Each affected SLO with its own budget figures (migration 050).
  const affected = (await tableColumns(q, 'incident_slos')).size > 0 ? await incidentSlosFor(q, rows.map((r) => Number(r.id))) : new Map();
  return rows.map((r) => {
    const sloIds = Array.isArray(r.slo_ids) ? (r.slo_ids as unknown[]).filter((s): s is string => typeof s === 'string') : [];
    const sloId = r.slo_id ?? sloIds[0] ?? null;
    return {
      id: `INC-${r.id}`,
      title: r.title,
      sloId,
      service: sloId ? (serviceOf(sloId) ?? null) : null,
      slos: affected.get(Number(r.id)) ?? sloIds.map((id) => ({ sloId: id, budgetAtStart: null, budgetAtEnd: null })),
      openedAt: r.opened_at.toISOString(),
      startedAt: iso(r.started_at),
      detectedAt: iso(r.detected_at),
      acknowledgedAt: iso(r.acknowledged_at),
      mitigatedAt: iso(r.mitigated_at),
      resolvedAt: iso(r.resolved_at),
    };
  });
}

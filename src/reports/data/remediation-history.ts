// Remediations (rollbacks, re-runs) from the actions' table (migration 030). An action
// belongs to an SLO when its context names one (or an incident of one), or else when its
// target is the SLO's declared remediation target. Dry runs and plans nobody confirmed
// are not remediations.
import type { Slo } from '../../domain/slo.ts';
import type { Queryable } from '../../store/repositories/queryable.ts';
import type { RemediationRecord } from '../report-inputs.ts';
import { tableColumns } from './table-columns.ts';

interface Row {
  id: string;
  kind: string;
  target: string;
  state: string;
  requested_at: Date;
  finished_at: Date | null;
  context: Record<string, unknown> | null;
}

/** "ml/Deployment/ranker" as the actions store it; kinds compared case-insensitively. */
function targetKey(namespace: string, kind: string, name: string): string {
  return `${namespace}/${kind.toLowerCase()}/${name}`;
}

function sloByTarget(slos: readonly Slo[]): Map<string, Slo> {
  const out = new Map<string, Slo>();
  for (const slo of slos) {
    for (const t of [slo.remediation?.rollback, slo.remediation?.rerun]) {
      if (t && !out.has(targetKey(t.namespace, t.kind, t.name))) out.set(targetKey(t.namespace, t.kind, t.name), slo);
    }
  }
  return out;
}

const OUTCOME: Record<string, RemediationRecord['outcome']> = { done: 'succeeded', failed: 'failed', approved: 'pending', executing: 'pending' };

export async function loadRemediations(
  q: Queryable,
  from: Date,
  to: Date,
  slos: readonly Slo[],
  incidentSlo: ReadonlyMap<string, string> = new Map(),
): Promise<RemediationRecord[] | undefined> {
  const columns = await tableColumns(q, 'actions');
  if (columns.size === 0) return undefined;
  const { rows } = await q.query<Row>(
    `SELECT id, kind, target, state, requested_at, finished_at, context FROM actions
     WHERE requested_at >= $1 AND requested_at < $2 AND NOT dry_run AND state <> 'planned' ORDER BY requested_at, id`,
    [from, to],
  );
  const byTarget = sloByTarget(slos);
  const byId = new Map(slos.map((s) => [s.id, s]));
  return rows.map((r) => {
      const [namespace = '', kind = '', name = ''] = r.target.split('/');
      const context = r.context ?? {};
      const named = typeof context['sloId'] === 'string' ? byId.get(context['sloId']) : undefined;
      const viaIncident = context['incidentId'] !== undefined ? byId.get(incidentSlo.get(String(context['incidentId'])) ?? '') : undefined;
      const slo = named ?? viaIncident ?? byTarget.get(targetKey(namespace, kind, name));
      return {
        id: `ACT-${r.id}`,
        kind: r.kind === 'rerun' ? 'rerun' : 'rollback',
        sloId: slo?.id ?? null,
        service: slo?.service ?? null,
        target: `${kind} ${namespace}/${name}`,
        requestedAt: r.requested_at.toISOString(),
        completedAt: r.finished_at ? r.finished_at.toISOString() : null,
        outcome: OUTCOME[r.state] ?? 'pending',
      };
    });
}

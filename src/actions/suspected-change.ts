// When a burn starts, what changed just before it? New workload revisions (ReplicaSets created by a
// Deployment or an Argo Rollout) and change events (POST /api/events) in the minutes before the
// burn, closest first; for the live revision of a workload, a pinned rollback to offer:
// "roll back to revision 2 (model v41; v42 deployed 12 min before the burn)".
import type { Queryable } from '../store/repositories/queryable.ts';
import { listChangeEvents } from '../store/repositories/change-events.ts';
import { ActionError } from './action-error.ts';
import { ownedReplicaSets, revisionOf } from './deployment-rollback.ts';
import type { KubeClients } from './kube-clients.ts';
import { GVR, getObject, type KObject } from './kube-objects.ts';
import { templateModelVersion } from './model-version.ts';
import type { RollbackRequest, TargetRef } from './plan.ts';

export interface SuspectedChange {
  at: Date;
  minutesBefore: number;
  source: 'revision' | 'event';
  /** "Deployment ml/ranker revision 3 (model v42)" or the change event's summary. */
  summary: string;
  /** For a live workload revision: the rollback to offer, pinned to what was live. */
  rollback?: RollbackRequest;
  /** "roll back to revision 2 (model v41; v42 deployed 12 min before the burn)" */
  offer?: string;
}

export interface SuspectOptions {
  clients: KubeClients;
  db?: Queryable;
  targets: TargetRef[];
  burnStart: Date;
  lookbackMinutes?: number;
  /** Change events of this service only (the SLO's service). */
  service?: string;
}

const minutes = (ms: number) => Math.round(ms / 60_000);

export async function findSuspectedChanges(opts: SuspectOptions): Promise<SuspectedChange[]> {
  const lookback = (opts.lookbackMinutes ?? 30) * 60_000;
  const from = new Date(opts.burnStart.getTime() - lookback);
  const inWindow = (t: Date) => t >= from && t <= opts.burnStart;
  const found: SuspectedChange[] = [];

  for (const target of opts.targets) {
    if (target.kind !== 'Deployment' && target.kind !== 'Rollout') continue;
    const annotation = target.kind === 'Deployment' ? 'deployment.kubernetes.io/revision' : 'rollout.argoproj.io/revision';
    let owner: KObject;
    let replicaSets: KObject[];
    try {
      owner = await getObject(opts.clients, GVR[target.kind], target.namespace, target.name);
      replicaSets = await ownedReplicaSets(opts.clients, owner, annotation);
    } catch (e) {
      if (e instanceof ActionError) continue; // a target we cannot read offers nothing; the alert still goes out
      throw e;
    }
    const current = revisionOf(owner, annotation) || Math.max(0, ...replicaSets.map((rs) => revisionOf(rs, annotation)));
    for (const rs of replicaSets) {
      const created = new Date(rs.metadata.creationTimestamp);
      if (!inWindow(created)) continue;
      const revision = revisionOf(rs, annotation);
      const model = templateModelVersion(rs.spec.template);
      const before = minutes(opts.burnStart.getTime() - created.getTime());
      const change: SuspectedChange = {
        at: created,
        minutesBefore: before,
        source: 'revision',
        summary: `${target.kind} ${target.namespace}/${target.name} revision ${revision}${model ? ` (model ${model})` : ''}`,
      };
      const previous = replicaSets.filter((r) => revisionOf(r, annotation) < revision).at(-1);
      if (revision === current && previous) {
        const prevModel = templateModelVersion(previous.spec.template);
        change.rollback = {
          action: 'rollback',
          target,
          pinned: { fromRevision: String(current), toHolder: previous.metadata.name },
        };
        const what = model ? `${model} deployed` : `revision ${revision} deployed`;
        change.offer = `roll back to revision ${revisionOf(previous, annotation)}${prevModel ? ` (model ${prevModel}; ${what} ${before} min before the burn)` : ` (${what} ${before} min before the burn)`}`;
      }
      found.push(change);
    }
  }

  if (opts.db) {
    for (const e of await listChangeEvents(opts.db, { from, to: new Date(opts.burnStart.getTime() + 1), service: opts.service })) {
      const before = minutes(opts.burnStart.getTime() - e.at.getTime());
      found.push({
        at: e.at,
        minutesBefore: before,
        source: 'event',
        summary: `${e.kind}: ${e.summary}${e.actor ? ` by ${e.actor}` : ''} (${before} min before the burn)`,
      });
    }
  }
  return found.sort((a, b) => b.at.getTime() - a.at.getTime());
}

// Rollback of a Deployment with the semantics of `kubectl rollout undo`: the revisions are the
// ReplicaSets it controls (annotation deployment.kubernetes.io/revision); the target's pod
// template (minus pod-template-hash) and annotations are copied onto the Deployment in ONE JSON
// patch whose first op tests the template the plan was made from, so a concurrent change makes
// the patch fail (422) instead of overwriting it.
import { ActionError } from './action-error.ts';
import { gitOpsWarning } from './gitops.ts';
import { controlledBy, GVR, getObject, type KObject, listObjects, patchObject, sameTemplate, selectorText, withoutHashLabel } from './kube-objects.ts';
import { templateImages, templateModelVersion } from './model-version.ts';
import { describeRevision, type Plan, type RevisionInfo, targetText } from './plan.ts';
import { ref, type TargetHandler } from './target-handler.ts';

const REVISION = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';
// Annotations kubectl keeps from the Deployment instead of copying them from the ReplicaSet.
const SKIPPED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export const revisionOf = (o: KObject, annotation = REVISION) => Number(o.metadata?.annotations?.[annotation] ?? 0);

/** The revisions of a workload: the ReplicaSets it controls, oldest first. */
export async function ownedReplicaSets(clients: Parameters<TargetHandler['plan']>[0], owner: KObject, annotation = REVISION): Promise<KObject[]> {
  const all = await listObjects(clients, GVR.ReplicaSet, owner.metadata.namespace, selectorText(owner.spec?.selector?.matchLabels ?? {}));
  return all.filter(controlledBy(owner)).sort((a, b) => revisionOf(a, annotation) - revisionOf(b, annotation));
}

export function revisionInfo(rs: KObject | undefined, revision: number, template: KObject | undefined, successor?: KObject): RevisionInfo {
  return {
    revision: String(revision),
    holder: rs?.metadata?.name,
    images: templateImages(template),
    modelVersion: templateModelVersion(template),
    lastLive: successor?.metadata?.creationTimestamp,
  };
}

export const deploymentRollback: TargetHandler = {
  async plan(clients, request) {
    if (request.action !== 'rollback') throw new ActionError('unsupported', 'a Deployment can only be rolled back');
    const { namespace, name } = request.target;
    const deployment = await getObject(clients, GVR.Deployment, namespace, name);
    const what = ref(request.target);
    if (deployment.spec?.paused) {
      throw new ActionError(
        'paused',
        `${what} is paused, so a rollback would not roll out. Resume it first (kubectl rollout resume deployment/${name} -n ${namespace}), then roll back.`,
      );
    }
    const replicaSets = await ownedReplicaSets(clients, deployment);
    if (replicaSets.length === 0) throw new ActionError('no_history', `${what} has no rollout history (no ReplicaSets it controls)`);
    const revisions = replicaSets.map((rs) => revisionOf(rs));
    const current = revisionOf(deployment) || Math.max(...revisions);
    const template = deployment.spec.template;

    let targetRs: KObject | undefined;
    if (request.pinned) {
      targetRs = replicaSets.find((rs) => rs.metadata.name === request.pinned!.toHolder);
      if (!targetRs)
        throw new ActionError('revision_not_found', `the ReplicaSet ${request.pinned.toHolder} of ${what} no longer exists (revisionHistoryLimit?)`);
      if (String(current) !== request.pinned.fromRevision && !sameTemplate(template, targetRs.spec.template, HASH)) {
        throw new ActionError(
          'stale_plan',
          `${what} moved on since this rollback was offered (revision ${request.pinned.fromRevision} then, ${current} now); nothing was changed. Plan again.`,
        );
      }
    } else if (request.toRevision !== undefined) {
      targetRs = replicaSets.find((rs) => revisionOf(rs) === request.toRevision);
      if (!targetRs)
        throw new ActionError(
          'revision_not_found',
          `unable to find revision ${request.toRevision} of ${what} (revisions: ${revisions.join(', ')})`,
        );
    } else {
      targetRs = replicaSets.filter((rs) => revisionOf(rs) < current).at(-1);
      if (!targetRs) throw new ActionError('no_history', `${what} has no revision before ${current} to roll back to`);
    }
    const targetRevision = revisionOf(targetRs);
    const currentRs = replicaSets.find((rs) => revisionOf(rs) === current);
    const successor = replicaSets.find((rs) => revisionOf(rs) > targetRevision);
    const from = revisionInfo(currentRs, current, template);
    const to = revisionInfo(targetRs, targetRevision, targetRs.spec.template, successor);

    const newTemplate = withoutHashLabel(targetRs.spec.template, HASH);
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {})) if (SKIPPED.has(k)) annotations[k] = String(v);
    for (const [k, v] of Object.entries(targetRs.metadata.annotations ?? {})) if (!SKIPPED.has(k)) annotations[k] = String(v);
    const patch = [
      { op: 'test', path: '/spec/template', value: template },
      { op: 'replace', path: '/spec/template', value: newTemplate },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ];
    const fromRevision = request.pinned?.fromRevision ?? String(current);
    const noop = sameTemplate(template, targetRs.spec.template, HASH)
      ? `${what} already runs the template of revision ${targetRevision}${current !== targetRevision ? ` (now revision ${current})` : ''}: already rolled back`
      : undefined;
    const warning = gitOpsWarning(deployment.metadata);
    const plan: Plan = {
      action: 'rollback',
      key: `rollback:${targetText(request.target)}:${fromRevision}->${targetRs.metadata.name}`,
      target: request.target,
      summary: `Roll back ${what} from ${describeRevision(from)} to ${describeRevision(to)}`,
      from,
      to,
      warnings: warning ? [warning] : [],
      change: { patch, generation: deployment.metadata.generation },
      ...(noop ? { noop } : {}),
    };
    return plan;
  },

  async execute(clients, plan, { dryRun }) {
    const { namespace, name } = plan.target;
    try {
      const result = await patchObject(clients, GVR.Deployment, namespace, name, plan.change.patch, { type: 'json', dryRun });
      return `${dryRun ? 'Dry run: the API server accepted' : 'Patched'} ${ref(plan.target)} to the template of revision ${plan.to?.revision} (generation ${result.metadata?.generation})`;
    } catch (e) {
      if (e instanceof ActionError && e.code === 'invalid' && /test/i.test(e.message)) {
        throw new ActionError('stale_plan', `${ref(plan.target)} changed since the plan was made; nothing was changed. Plan again.`, { cause: e });
      }
      throw e;
    }
  },

  async applied(clients, plan) {
    const deployment = await getObject(clients, GVR.Deployment, plan.target.namespace, plan.target.name);
    const target = plan.change.patch[1].value as KObject;
    return sameTemplate(deployment.spec.template, target, HASH);
  },

  async progress(clients, plan) {
    const d = await getObject(clients, GVR.Deployment, plan.target.namespace, plan.target.name);
    return deploymentProgress(d);
  },
};

/** Like `kubectl rollout status`: the controller saw the latest spec and all replicas are updated and available. */
export function deploymentProgress(d: KObject): { ready: boolean; message: string } {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return { ready: false, message: 'waiting for the controller to observe the change' };
  const stuck = (s.conditions ?? []).find((c: KObject) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stuck) return { ready: false, message: `rollout stuck: ${stuck.message ?? 'progress deadline exceeded'}` };
  if ((s.updatedReplicas ?? 0) < want) return { ready: false, message: `${s.updatedReplicas ?? 0} of ${want} replicas updated` };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return { ready: false, message: `${s.replicas - s.updatedReplicas} old replicas pending termination` };
  if ((s.availableReplicas ?? 0) < want) return { ready: false, message: `${s.availableReplicas ?? 0} of ${want} updated replicas available` };
  return { ready: true, message: `rolled out: ${want} of ${want} replicas available` };
}

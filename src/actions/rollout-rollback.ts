// Rollback of an Argo Rollouts Rollout: abort the update in progress (status.abort, as
// `kubectl argo rollouts abort` does, which sends traffic back to the stable ReplicaSet), then undo:
// put the stable ReplicaSet's pod template back into spec.template (`kubectl argo rollouts undo`),
// as one JSON patch that tests the template the plan was made from.
import { ActionError } from './action-error.ts';
import { ownedReplicaSets, revisionInfo, revisionOf } from './deployment-rollback.ts';
import { gitOpsWarning } from './gitops.ts';
import { GVR, getObject, type KObject, patchObject, sameTemplate, withoutHashLabel } from './kube-objects.ts';
import { describeRevision, type Plan, targetText } from './plan.ts';
import { ref, type TargetHandler } from './target-handler.ts';

const REVISION = 'rollout.argoproj.io/revision';
const HASH = 'rollouts-pod-template-hash';

export const rolloutRollback: TargetHandler = {
  async plan(clients, request) {
    if (request.action !== 'rollback') throw new ActionError('unsupported', 'a Rollout can only be rolled back');
    const { namespace, name } = request.target;
    const what = ref(request.target);
    const rollout = await getObject(clients, GVR.Rollout, namespace, name);
    if (rollout.spec?.workloadRef) throw new ActionError('unsupported', `${what} uses workloadRef; roll back the referenced Deployment instead`);
    const replicaSets = await ownedReplicaSets(clients, rollout, REVISION);
    const byHash = (hash: string | undefined) => replicaSets.find((rs) => rs.metadata.labels?.[HASH] === hash);
    const stable = byHash(rollout.status?.stableRS);
    const current = revisionOf(rollout, REVISION) || Math.max(0, ...replicaSets.map((rs) => revisionOf(rs, REVISION)));
    let target: KObject | undefined = stable;
    if (request.action === 'rollback' && request.toRevision !== undefined) {
      target = replicaSets.find((rs) => revisionOf(rs, REVISION) === request.toRevision);
      if (!target)
        throw new ActionError(
          'revision_not_found',
          `unable to find revision ${request.toRevision} of ${what} (revisions: ${replicaSets.map((rs) => revisionOf(rs, REVISION)).join(', ')})`,
        );
    } else if (request.pinned) {
      target = replicaSets.find((rs) => rs.metadata.name === request.pinned!.toHolder);
    }
    if (!target) throw new ActionError('no_history', `${what} has no stable ReplicaSet to go back to`);
    const template = rollout.spec.template;
    const targetRevision = revisionOf(target, REVISION);
    if (request.pinned && String(current) !== request.pinned.fromRevision && !sameTemplate(template, target.spec.template, HASH)) {
      throw new ActionError('stale_plan', `${what} moved on since this rollback was offered (revision ${request.pinned.fromRevision} then, ${current} now); plan again.`);
    }
    const from = revisionInfo(byHash(rollout.status?.currentPodHash), current, template);
    const to = revisionInfo(target, targetRevision, target.spec.template, replicaSets.find((rs) => revisionOf(rs, REVISION) > targetRevision));
    const noop = sameTemplate(template, target.spec.template, HASH) ? `${what} already runs the template of revision ${targetRevision}: already rolled back` : undefined;
    const warning = gitOpsWarning(rollout.metadata);
    const plan: Plan = {
      action: 'rollback',
      key: `rollback:${targetText(request.target)}:${request.pinned?.fromRevision ?? current}->${target.metadata.name}`,
      target: request.target,
      summary: `Abort ${what} and roll back from ${describeRevision(from)} to ${target === stable ? 'the stable ' : ''}${describeRevision(to)}`,
      from,
      to,
      warnings: warning ? [warning] : [],
      change: {
        abort: !rollout.status?.abort,
        patch: [
          { op: 'test', path: '/spec/template', value: template },
          { op: 'replace', path: '/spec/template', value: withoutHashLabel(target.spec.template, HASH) },
        ],
      },
      ...(noop ? { noop } : {}),
    };
    return plan;
  },

  async execute(clients, plan, { dryRun }) {
    const { namespace, name } = plan.target;
    const done: string[] = [];
    if (plan.change.abort) {
      await patchObject(clients, GVR.Rollout, namespace, name, { status: { abort: true } }, { type: 'merge', dryRun, status: true });
      done.push('aborted the update (traffic back on the stable ReplicaSet)');
    }
    try {
      await patchObject(clients, GVR.Rollout, namespace, name, plan.change.patch, { type: 'json', dryRun });
    } catch (e) {
      const reason =
        e instanceof ActionError && e.code === 'invalid' && /test/i.test(e.message) ? 'the Rollout changed since the plan was made' : (e as Error).message;
      throw new ActionError('stale_plan', `${done.length ? `${done.join('; ')}, but ` : ''}the undo to revision ${plan.to?.revision} failed: ${reason}`, {
        cause: e,
      });
    }
    done.push(`set the pod template of revision ${plan.to?.revision}`);
    return `${dryRun ? 'Dry run: the API server accepted: ' : ''}${ref(plan.target)}: ${done.join('; ')}`;
  },

  async applied(clients, plan) {
    const rollout = await getObject(clients, GVR.Rollout, plan.target.namespace, plan.target.name);
    return sameTemplate(rollout.spec.template, plan.change.patch[1].value, HASH);
  },

  async progress(clients, plan) {
    const r = await getObject(clients, GVR.Rollout, plan.target.namespace, plan.target.name);
    const s = r.status ?? {};
    const want = r.spec?.replicas ?? 1;
    if (String(s.observedGeneration ?? '') !== String(r.metadata.generation)) return { ready: false, message: 'waiting for the controller to observe the change' };
    if (s.phase === 'Healthy' && s.stableRS && s.stableRS === s.currentPodHash && (s.availableReplicas ?? 0) >= want) {
      return { ready: true, message: `healthy on the stable ReplicaSet, ${s.availableReplicas} of ${want} available` };
    }
    return { ready: false, message: `phase ${s.phase ?? 'unknown'}${s.message ? `: ${s.message}` : ''}` };
  },
};

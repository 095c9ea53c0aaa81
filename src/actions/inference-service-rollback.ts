// Rollback of a KServe InferenceService. With a canary in progress (canaryTrafficPercent > 0 and a
// previously rolled-out revision), set canaryTrafficPercent to 0: all traffic goes back to the
// previous revision. Without a canary, KServe keeps no previous spec, so restore the predictor spec
// the deploy pipeline recorded in the annotation `burnwatch.io/previous-predictor` (JSON).
import { createHash } from 'node:crypto';
import { ActionError } from './action-error.ts';
import { gitOpsWarning } from './gitops.ts';
import { GVR, getObject, type KObject, patchObject, stableJson } from './kube-objects.ts';
import { predictorModelVersion } from './model-version.ts';
import { describeRevision, type Plan, targetText } from './plan.ts';
import { ref, type TargetHandler } from './target-handler.ts';

export const PREVIOUS_PREDICTOR = 'burnwatch.io/previous-predictor';

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

const images = (predictor: KObject | undefined) =>
  Object.entries(predictor ?? {}).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) && (v as KObject).storageUri ? [`${k}=${(v as KObject).storageUri}`] : [],
  );

export const inferenceServiceRollback: TargetHandler = {
  async plan(clients, request) {
    if (request.action !== 'rollback') throw new ActionError('unsupported', 'an InferenceService can only be rolled back');
    const { namespace, name } = request.target;
    const what = ref(request.target);
    const isvc = await getObject(clients, GVR.InferenceService, namespace, name);
    const predictor: KObject = isvc.spec?.predictor ?? {};
    const comp: KObject = isvc.status?.components?.predictor ?? {};
    const latest: string | undefined = comp.latestCreatedRevision;
    const rolledOut: string | undefined = comp.latestRolledoutRevision;
    const warning = gitOpsWarning(isvc.metadata);
    const previousText = isvc.metadata?.annotations?.[PREVIOUS_PREDICTOR];
    let previous: KObject | undefined;
    if (previousText) {
      try {
        previous = JSON.parse(previousText);
      } catch (e) {
        throw new ActionError('invalid', `${what}: the annotation ${PREVIOUS_PREDICTOR} is not JSON`, { cause: e });
      }
    }
    const from = { revision: latest ?? 'current', images: images(predictor), modelVersion: predictorModelVersion(predictor, isvc.metadata) };
    const base = { action: 'rollback' as const, target: request.target, warnings: warning ? [warning] : [] };
    const canary = predictor.canaryTrafficPercent;
    if (typeof canary === 'number' && rolledOut && latest && rolledOut !== latest) {
      const to = { revision: rolledOut, images: previous ? images(previous) : [], modelVersion: previous ? predictorModelVersion(previous) : undefined };
      const plan: Plan = {
        ...base,
        key: `rollback:${targetText(request.target)}:${latest}->${rolledOut}`,
        summary: `Send all traffic of ${what} back to ${describeRevision(to)} (canary ${latest}${from.modelVersion ? `, model ${from.modelVersion}` : ''} from ${canary}% to 0%)`,
        from,
        to,
        change: {
          mode: 'canary',
          patch: [
            { op: 'test', path: '/spec/predictor', value: predictor },
            { op: 'replace', path: '/spec/predictor/canaryTrafficPercent', value: 0 },
          ],
        },
        ...(canary === 0 ? { noop: `${what} already sends all traffic to the previous revision ${rolledOut}: already rolled back` } : {}),
      };
      return plan;
    }
    if (!previous) {
      throw new ActionError(
        'no_history',
        `${what} has no canary to cancel and no previous predictor spec: KServe keeps none. Have the deploy pipeline record it in the annotation ${PREVIOUS_PREDICTOR}, or use canaryTrafficPercent for rollouts.`,
      );
    }
    const { canaryTrafficPercent: _c, ...current } = predictor;
    const to = { revision: comp.previousRolledoutRevision ?? 'previous', images: images(previous), modelVersion: predictorModelVersion(previous) };
    const plan: Plan = {
      ...base,
      key: `rollback:${targetText(request.target)}:${latest ?? `generation-${isvc.metadata.generation}`}->predictor-${shortHash(stableJson(previous))}`,
      summary: `Restore the previous predictor of ${what}: from ${describeRevision(from)} to ${describeRevision(to)}`,
      from,
      to,
      change: {
        mode: 'restore',
        patch: [
          { op: 'test', path: '/spec/predictor', value: predictor },
          { op: 'replace', path: '/spec/predictor', value: previous },
        ],
      },
      ...(stableJson(current) === stableJson(previous) ? { noop: `${what} already runs the previous predictor spec: already rolled back` } : {}),
    };
    return plan;
  },

  async execute(clients, plan, { dryRun }) {
    const { namespace, name } = plan.target;
    try {
      await patchObject(clients, GVR.InferenceService, namespace, name, plan.change.patch, { type: 'json', dryRun });
    } catch (e) {
      if (e instanceof ActionError && e.code === 'invalid' && /test/i.test(e.message)) {
        throw new ActionError('stale_plan', `${ref(plan.target)} changed since the plan was made; nothing was changed. Plan again.`, { cause: e });
      }
      throw e;
    }
    const what = plan.change.mode === 'canary' ? `canaryTrafficPercent set to 0 (all traffic to ${plan.to?.revision})` : 'previous predictor spec restored';
    return `${dryRun ? 'Dry run: the API server accepted: ' : ''}${ref(plan.target)}: ${what}`;
  },

  async applied(clients, plan) {
    const isvc = await getObject(clients, GVR.InferenceService, plan.target.namespace, plan.target.name);
    if (plan.change.mode === 'canary') return isvc.spec?.predictor?.canaryTrafficPercent === 0;
    return stableJson(isvc.spec?.predictor) === stableJson(plan.change.patch[1].value);
  },

  async progress(clients, plan) {
    const isvc = await getObject(clients, GVR.InferenceService, plan.target.namespace, plan.target.name);
    const s = isvc.status ?? {};
    if ((s.observedGeneration ?? 0) < isvc.metadata.generation) return { ready: false, message: 'waiting for KServe to observe the change' };
    const readyCondition = (s.conditions ?? []).find((c: KObject) => c.type === 'Ready');
    if (readyCondition?.status !== 'True') return { ready: false, message: `not ready${readyCondition?.message ? `: ${readyCondition.message}` : ''}` };
    const traffic: KObject[] = s.components?.predictor?.traffic ?? [];
    const full = traffic.find((t) => t.percent === 100);
    if (plan.change.mode === 'canary' && full?.revisionName !== plan.to?.revision) {
      return { ready: false, message: `traffic: ${traffic.map((t) => `${t.revisionName} ${t.percent}%`).join(', ')}` };
    }
    if (!full) return { ready: false, message: `traffic: ${traffic.map((t) => `${t.revisionName} ${t.percent}%`).join(', ')}` };
    return { ready: true, message: `ready, 100% of traffic on ${full.revisionName}` };
  },
};

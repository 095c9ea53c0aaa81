// Re-run training: create a Job from a CronJob's jobTemplate, as `kubectl create job --from=cronjob/x`
// does (controller owner reference to the CronJob, annotation cronjob.kubernetes.io/instantiate:
// manual). The Job name is derived from the action key, so a repeated execution finds the same Job
// (409 AlreadyExists) instead of starting a second training run.
import { createHash } from 'node:crypto';
import { ActionError } from './action-error.ts';
import { createObject, GVR, getObject, type KObject } from './kube-objects.ts';
import { templateImages, templateModelVersion } from './model-version.ts';
import { type Plan, targetText } from './plan.ts';
import { ref, type TargetHandler } from './target-handler.ts';

/** <cronjob>-manual-<5 chars>, within the 63 characters a Job name may have. */
export function manualJobName(cronJob: string, key: string): string {
  const suffix = createHash('sha256').update(key).digest('hex').slice(0, 5);
  return `${cronJob.slice(0, 63 - '-manual-'.length - suffix.length).replace(/[-.]+$/, '')}-manual-${suffix}`;
}

export const cronJobRerun: TargetHandler = {
  async plan(clients, request) {
    if (request.action !== 'rerun') throw new ActionError('unsupported', 'a CronJob can only be re-run (rerun)');
    const { namespace, name } = request.target;
    const what = ref(request.target);
    const cronJob = await getObject(clients, GVR.CronJob, namespace, name);
    const jobTemplate: KObject = cronJob.spec?.jobTemplate ?? {};
    const key = `rerun:${targetText(request.target)}:${request.scope}`;
    const jobName = manualJobName(name, key);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        namespace,
        labels: { ...jobTemplate.metadata?.labels },
        annotations: { ...jobTemplate.metadata?.annotations, 'cronjob.kubernetes.io/instantiate': 'manual', 'burnwatch.io/reason': request.scope },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name, uid: cronJob.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(jobTemplate.spec ?? {}),
    };
    const template = jobTemplate.spec?.template;
    const warnings: string[] = [];
    const active: KObject[] = cronJob.status?.active ?? [];
    if (active.length) warnings.push(`A run is already active: ${active.map((a) => a.name).join(', ')}.`);
    if (cronJob.spec?.suspend) warnings.push(`${what} is suspended; the manual run starts anyway.`);
    const lastSuccess: string | undefined = cronJob.status?.lastSuccessfulTime;
    const plan: Plan = {
      action: 'rerun',
      key,
      target: request.target,
      summary: `Create Job ${namespace}/${jobName} from ${what}${templateModelVersion(template) ? ` (model ${templateModelVersion(template)})` : ''}; last successful run ${lastSuccess ?? 'never'}`,
      to: { revision: jobName, holder: jobName, images: templateImages(template), modelVersion: templateModelVersion(template), lastLive: lastSuccess },
      warnings,
      change: { job },
    };
    return plan;
  },

  async execute(clients, plan, { dryRun }) {
    const job = plan.change.job as KObject;
    try {
      await createObject(clients, GVR.Job, plan.target.namespace, job, { dryRun });
    } catch (e) {
      if (!(e instanceof ActionError) || !/already exists/.test(e.message)) throw e;
      const existing = await getObject(clients, GVR.Job, plan.target.namespace, job.metadata.name);
      const ours = (existing.metadata?.ownerReferences ?? []).some((r: KObject) => r.uid === job.metadata.ownerReferences[0].uid);
      if (!ours) throw new ActionError('invalid', `a Job named ${job.metadata.name} exists and does not belong to ${ref(plan.target)}`, { cause: e });
      return `Job ${plan.target.namespace}/${job.metadata.name} already exists (created earlier for the same request); not started twice`;
    }
    return `${dryRun ? 'Dry run: the API server accepted ' : 'Created '}Job ${plan.target.namespace}/${job.metadata.name} from ${ref(plan.target)}`;
  },

  async applied(clients, plan) {
    try {
      await getObject(clients, GVR.Job, plan.target.namespace, plan.change.job.metadata.name);
      return true;
    } catch (e) {
      if (e instanceof ActionError && e.code === 'not_found') return false;
      throw e;
    }
  },

  async progress(clients, plan) {
    const job = await getObject(clients, GVR.Job, plan.target.namespace, plan.change.job.metadata.name);
    const s = job.status ?? {};
    const failed = (s.conditions ?? []).find((c: KObject) => c.type === 'Failed' && c.status === 'True');
    if (failed) throw new ActionError('api_error', `Job ${job.metadata.name} failed: ${failed.message ?? failed.reason}`);
    if (s.succeeded) return { ready: true, message: `Job ${job.metadata.name} succeeded` };
    if (s.active || s.startTime) return { ready: true, message: `Job ${job.metadata.name} is running (${s.active ?? 0} active pods)` };
    return { ready: false, message: `Job ${job.metadata.name} created, waiting for it to start` };
  },
};

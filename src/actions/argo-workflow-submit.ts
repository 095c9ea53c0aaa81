// Re-run training through Argo Workflows: submit a Workflow from a WorkflowTemplate through the
// Argo Server API (POST /api/v1/workflows/{ns}/submit, as `argo submit --from workflowtemplate/x`).
// The Workflow's name is derived from the action key, so a repeated execution meets 409
// (AlreadyExists) instead of starting a second run. Target: { kind: WorkflowTemplate, namespace, name }.
import { createHash } from 'node:crypto';
import { ActionError } from './action-error.ts';
import { type JsonClient, jsonClient } from './http-json.ts';
import { type Plan, targetText } from './plan.ts';
import type { TargetHandler } from './target-handler.ts';
import { type ArgoWorkflowsServer, authHeader } from './workflow-config.ts';

interface Workflow {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  status?: { phase?: string; message?: string; finishedAt?: string };
}

/** <template>-bw-<6 hex>, within the 63 characters of a label value (Argo labels pods with it). */
export function workflowName(template: string, key: string): string {
  const suffix = createHash('sha256').update(key).digest('hex').slice(0, 6);
  return `${template.slice(0, 63 - '-bw-'.length - suffix.length).replace(/[-.]+$/, '')}-bw-${suffix}`;
}

const KEY_LABEL = 'burnwatch.io/action-key';
const keyLabel = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 40);

export function argoWorkflowSubmit(server: ArgoWorkflowsServer | undefined, env: NodeJS.ProcessEnv = process.env, fetchImpl?: typeof fetch): TargetHandler {
  let client: JsonClient | undefined;
  const api = () => {
    if (!server) throw new ActionError('invalid', 'no Argo Workflows server in the actions config (actions.argoWorkflows.url)');
    client ??= jsonClient(`${server.url.replace(/\/$/, '')}/api/v1/`, {
      authorization: authHeader({ tokenEnv: server.tokenEnv }, env),
      timeoutSeconds: server.timeoutSeconds,
      what: 'Argo Workflows',
      ...(fetchImpl && { fetch: fetchImpl }),
    });
    return client;
  };
  const wfPath = (plan: Plan) => `workflows/${encodeURIComponent(plan.target.namespace)}/${encodeURIComponent(plan.change.workflow)}`;

  return {
    async plan(_clients, request) {
      if (request.action !== 'rerun') throw new ActionError('unsupported', 'a WorkflowTemplate can only be re-run (rerun)');
      const { namespace, name } = request.target;
      const template = (await api().request<{ spec?: { suspend?: boolean; entrypoint?: string } }>('GET', `workflow-templates/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`)).body;
      const key = `rerun:${targetText(request.target)}:${request.scope}`;
      const workflow = workflowName(name, key);
      return {
        action: 'rerun',
        key,
        target: request.target,
        summary: `Submit Workflow ${namespace}/${workflow} from WorkflowTemplate ${namespace}/${name}${template.spec?.entrypoint ? ` (entrypoint ${template.spec.entrypoint})` : ''}`,
        to: { revision: workflow, holder: workflow, images: [] },
        warnings: [],
        change: { workflow, template: name, keyLabel: keyLabel(key) },
      };
    },

    async execute(_clients, plan, { dryRun }) {
      const { namespace } = plan.target;
      const body = {
        namespace,
        resourceKind: 'WorkflowTemplate',
        resourceName: plan.change.template,
        submitOptions: { name: plan.change.workflow, labels: `${KEY_LABEL}=${plan.change.keyLabel}`, ...(dryRun && { serverDryRun: true }) },
      };
      const { status } = await api().request<Workflow>('POST', `workflows/${encodeURIComponent(namespace)}/submit`, body);
      if (status === 409) {
        const { body: existing } = await api().request<Workflow>('GET', wfPath(plan));
        if (existing.metadata.labels?.[KEY_LABEL] !== plan.change.keyLabel) {
          throw new ActionError('invalid', `a Workflow named ${namespace}/${plan.change.workflow} exists and was not submitted for this request`);
        }
        return `Workflow ${namespace}/${plan.change.workflow} already exists (submitted earlier for the same request); not started twice`;
      }
      return `${dryRun ? 'Dry run: the Argo Server accepted ' : 'Submitted '}Workflow ${namespace}/${plan.change.workflow} from WorkflowTemplate ${namespace}/${plan.change.template}`;
    },

    async applied(_clients, plan) {
      try {
        await api().request('GET', wfPath(plan));
        return true;
      } catch (e) {
        if (e instanceof ActionError && e.code === 'not_found') return false;
        throw e;
      }
    },

    async progress(_clients, plan) {
      const { body: wf } = await api().request<Workflow>('GET', wfPath(plan));
      const phase = wf.status?.phase ?? 'Pending';
      const name = `Workflow ${plan.target.namespace}/${wf.metadata.name}`;
      if (phase === 'Succeeded') return { ready: true, message: `${name} succeeded${wf.status?.finishedAt ? ` at ${wf.status.finishedAt}` : ''}` };
      if (phase === 'Failed' || phase === 'Error') throw new ActionError('api_error', `${name} ${phase === 'Error' ? 'errored' : 'failed'}${wf.status?.message ? `: ${wf.status.message}` : ''}`);
      return { ready: false, message: `${name} is ${phase}` };
    },
  };
}

// Re-run training through Airflow: trigger a DAG run over the stable REST API (Airflow 2: /api/v1,
// Airflow 3: /api/v2). The run id is derived from the action key, so a repeated execution meets
// Airflow's 409 (run id exists) instead of starting a second run. A target is
// { kind: AirflowDag, namespace: <instance name in actions.airflow>, name: <dag_id> }.
import { createHash } from 'node:crypto';
import { ActionError } from './action-error.ts';
import { type JsonClient, jsonClient } from './http-json.ts';
import { type Plan, targetText } from './plan.ts';
import type { TargetHandler } from './target-handler.ts';
import { type AirflowInstance, authHeader } from './workflow-config.ts';

interface DagRun {
  dag_run_id: string;
  state: 'queued' | 'running' | 'success' | 'failed' | string;
  end_date?: string | null;
  start_date?: string | null;
}
interface DagRunList {
  dag_runs: DagRun[];
  total_entries: number;
}

/** burnwatch__<12 hex>: Airflow run ids allow letters, digits, _ - . : + ~. */
export const dagRunId = (key: string) => `burnwatch__${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

export interface AirflowApi {
  version: 'v1' | 'v2';
  client: JsonClient;
}

export function airflowApi(instance: AirflowInstance, env: NodeJS.ProcessEnv, fetchImpl?: typeof fetch): AirflowApi {
  return {
    version: instance.api,
    client: jsonClient(`${instance.url.replace(/\/$/, '')}/api/${instance.api}/`, {
      authorization: authHeader(instance.auth, env),
      timeoutSeconds: instance.timeoutSeconds,
      what: `Airflow ${new URL(instance.url).host}`,
      ...(fetchImpl && { fetch: fetchImpl }),
    }),
  };
}

const dagPath = (dag: string) => `dags/${encodeURIComponent(dag)}`;

/**
 * Every run in the given states, page by page. The server may return fewer than `limit` (its
 * maximum_page_limit cuts it), so the offset advances by what came back, until total_entries.
 */
export async function listDagRuns(api: AirflowApi, dag: string, query: Record<string, string | string[]>, pageSize = 100, maxPages = 10): Promise<DagRun[]> {
  const out: DagRun[] = [];
  for (let page = 0; page < maxPages; page++) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    params.set('limit', String(pageSize));
    params.set('offset', String(out.length));
    const { body } = await api.client.request<DagRunList>('GET', `${dagPath(dag)}/dagRuns?${params}`);
    out.push(...body.dag_runs);
    if (body.dag_runs.length === 0 || out.length >= body.total_entries) break;
  }
  return out;
}

/** When the DAG last finished a run successfully (null: never), newest end first. */
export async function lastSuccessfulRun(api: AirflowApi, dag: string): Promise<Date | null> {
  const { body } = await api.client.request<DagRunList>('GET', `${dagPath(dag)}/dagRuns?state=success&order_by=-end_date&limit=1`);
  const end = body.dag_runs[0]?.end_date;
  return end ? new Date(end) : null;
}

export function airflowDagRerun(instances: Readonly<Record<string, AirflowInstance>>, env: NodeJS.ProcessEnv = process.env, fetchImpl?: typeof fetch): TargetHandler {
  const apis = new Map<string, AirflowApi>();
  const apiFor = (name: string): AirflowApi => {
    const instance = instances[name];
    if (!instance) throw new ActionError('invalid', `no Airflow instance "${name}" in the actions config (actions.airflow: ${Object.keys(instances).join(', ') || 'none'})`);
    let api = apis.get(name);
    if (!api) {
      api = airflowApi(instance, env, fetchImpl);
      apis.set(name, api);
    }
    return api;
  };
  const runOf = (plan: Plan) => plan.change.dagRunId as string;

  return {
    async plan(_clients, request) {
      if (request.action !== 'rerun') throw new ActionError('unsupported', 'an Airflow DAG can only be re-run (rerun)');
      const { namespace: instance, name: dag } = request.target;
      const api = apiFor(instance);
      const info = (await api.client.request<{ is_paused?: boolean; is_active?: boolean }>('GET', dagPath(dag))).body;
      const key = `rerun:${targetText(request.target)}:${request.scope}`;
      const id = dagRunId(key);
      const warnings: string[] = [];
      if (info.is_paused) warnings.push(`DAG ${dag} is paused: the run is queued but does not start until it is unpaused.`);
      const active = await listDagRuns(api, dag, { state: ['queued', 'running'] });
      const others = active.filter((r) => r.dag_run_id !== id);
      if (others.length) warnings.push(`${others.length} run(s) already queued or running: ${others.slice(0, 3).map((r) => r.dag_run_id).join(', ')}.`);
      const last = await lastSuccessfulRun(api, dag);
      return {
        action: 'rerun',
        key,
        target: request.target,
        summary: `Trigger Airflow DAG ${dag} on ${instance} (run ${id}); last successful run ${last?.toISOString() ?? 'never'}`,
        to: { revision: id, holder: id, images: [], ...(last && { lastLive: last.toISOString() }) },
        warnings,
        change: { dagRunId: id, dag, instance, paused: info.is_paused === true, conf: { triggered_by: 'burnwatch', reason: request.scope } },
      };
    },

    async execute(_clients, plan, { dryRun }) {
      const { dag, instance } = plan.change as { dag: string; instance: string };
      const api = apiFor(instance);
      // Airflow has no server-side dry run: check the DAG answers, trigger nothing.
      if (dryRun) {
        await api.client.request('GET', dagPath(dag));
        return `Dry run: would trigger Airflow DAG ${dag} on ${instance} as run ${runOf(plan)}`;
      }
      // Airflow 3 requires logical_date in the body (null: "now", no data interval clash).
      const body = { dag_run_id: runOf(plan), conf: plan.change.conf, ...(api.version === 'v2' && { logical_date: null }) };
      const { status } = await api.client.request('POST', `${dagPath(dag)}/dagRuns`, body);
      if (status === 409) return `Airflow DAG run ${dag}/${runOf(plan)} already exists (triggered earlier for the same request); not started twice`;
      return `Triggered Airflow DAG ${dag} on ${instance}: run ${runOf(plan)}`;
    },

    async applied(_clients, plan) {
      try {
        await apiFor(plan.change.instance).client.request('GET', `${dagPath(plan.change.dag)}/dagRuns/${encodeURIComponent(runOf(plan))}`);
        return true;
      } catch (e) {
        if (e instanceof ActionError && e.code === 'not_found') return false;
        throw e;
      }
    },

    async progress(_clients, plan) {
      const { body: run } = await apiFor(plan.change.instance).client.request<DagRun>('GET', `${dagPath(plan.change.dag)}/dagRuns/${encodeURIComponent(runOf(plan))}`);
      const name = `Airflow DAG run ${plan.change.dag}/${run.dag_run_id}`;
      if (run.state === 'success') return { ready: true, message: `${name} succeeded${run.end_date ? ` at ${run.end_date}` : ''}` };
      if (run.state === 'failed') throw new ActionError('api_error', `${name} failed${run.end_date ? ` at ${run.end_date}` : ''}: see its task logs in Airflow`);
      return { ready: false, message: `${name} is ${run.state}` };
    },
  };
}

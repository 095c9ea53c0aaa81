// Airflow DAG runs and Argo Workflows submissions as re-run targets, through the same runner as
// the Kubernetes CronJob (plan → confirm → execute → verify → audit), against wire-level fakes
// of the Airflow REST API (v1 with basic auth, v2 with a token) and of the Argo Server.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionRunner } from '../../src/actions/action-runner.ts';
import { lastSuccessfulRun, airflowApi } from '../../src/actions/airflow-dag-rerun.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import { handlersWithWorkflows } from '../../src/actions/workflow-handlers.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import type { Store } from '../../src/store/open-store.ts';
import { type FakeAirflow, startFakeAirflow } from '../fakes/airflow-api.ts';
import { type FakeArgoWorkflows, startFakeArgoWorkflows } from '../fakes/argo-workflows-api.ts';
import { alice, baseConfig, bob, openTestStore, T0 } from './harness.ts';

const PASSWORD = 'airflow-password-not-in-messages';
const TOKEN = 'airflow3-jwt-token-not-in-messages';
const ARGO_TOKEN = 'argo-token-not-in-messages';
const env = { AIRFLOW_PASSWORD: PASSWORD, AIRFLOW3_TOKEN: TOKEN, ARGO_TOKEN };

let store: Store;
let closeStore: () => Promise<void>;
let airflow2: FakeAirflow;
let airflow3: FakeAirflow;
let argo: FakeArgoWorkflows;
const clock = fixedClock(T0);

beforeAll(async () => {
  ({ store, close: closeStore } = await openTestStore('postgres'));
  airflow2 = await startFakeAirflow({ auth: { basic: { username: 'burnwatch', password: PASSWORD } }, maxPageLimit: 50, now: () => clock.now() });
  airflow3 = await startFakeAirflow({ auth: { token: TOKEN }, now: () => clock.now() });
  argo = await startFakeArgoWorkflows({ token: ARGO_TOKEN, now: () => clock.now() });
});
afterAll(async () => {
  await Promise.all([airflow2?.close(), airflow3?.close(), argo?.close()]);
  await closeStore();
});

function setup(overrides: { password?: string; mode?: 'live' | 'dry-run' } = {}) {
  const config = baseConfig({
    ...(overrides.mode && { mode: overrides.mode }),
    airflow: {
      'ml-airflow2': { url: airflow2.url, api: 'v1', auth: { basic: { username: 'burnwatch', passwordEnv: 'AIRFLOW_PASSWORD' } }, timeoutSeconds: 10 },
      'ml-airflow3': { url: airflow3.url, api: 'v2', auth: { tokenEnv: 'AIRFLOW3_TOKEN' }, timeoutSeconds: 10 },
    },
    argoWorkflows: { url: argo.url, tokenEnv: 'ARGO_TOKEN', timeoutSeconds: 10 },
  });
  const duringWait: Array<() => void> = [];
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'none', server: 'http://127.0.0.1:9' }], users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'none', user: 'u' }], currentContext: 'c' });
  const runner = createActionRunner({
    db: store.db,
    clients: kubeClients(kc),
    config,
    clock,
    handlers: handlersWithWorkflows(config, { ...env, ...(overrides.password && { AIRFLOW_PASSWORD: overrides.password }) }),
    sleep: async (ms) => {
      clock.advance(ms / 1000);
      duringWait.shift()?.();
    },
  });
  return { runner, duringWait };
}

describe('Airflow DAG as a re-run target', () => {
  it('Airflow 2 (v1, basic auth): plans with the last success and the active runs (paginated), triggers one run however often clicked, watches it to success', async () => {
    airflow2.addDag('hstu_daily');
    airflow2.addRun({ dag_id: 'hstu_daily', dag_run_id: 'scheduled__a', state: 'success', end_date: '2026-11-18T04:10:00Z' });
    airflow2.addRun({ dag_id: 'hstu_daily', dag_run_id: 'scheduled__b', state: 'success', end_date: '2026-11-19T04:05:00Z' });
    airflow2.addRun({ dag_id: 'hstu_daily', dag_run_id: 'scheduled__c', state: 'failed', end_date: '2026-11-20T04:01:00Z' });
    // 60 stuck backfill runs: more than one page of 50.
    for (let i = 0; i < 60; i++) airflow2.addRun({ dag_id: 'hstu_daily', dag_run_id: `backfill__${i}`, state: i % 2 ? 'queued' : 'running' });
    const { runner, duringWait } = setup();
    const request = { action: 'rerun' as const, target: { kind: 'AirflowDag' as const, namespace: 'ml-airflow2', name: 'hstu_daily' }, scope: 'incident-31' };
    const prepared = await runner.prepare(alice, request);
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    const runId = prepared.plan.change.dagRunId as string;
    expect(runId).toMatch(/^burnwatch__[0-9a-f]{12}$/);
    expect(prepared.plan.summary).toBe(`Trigger Airflow DAG hstu_daily on ml-airflow2 (run ${runId}); last successful run 2026-11-19T04:05:00.000Z`);
    expect(prepared.plan.warnings).toEqual(['60 run(s) already queued or running: backfill__0, backfill__1, backfill__2.']);
    const listCalls = airflow2.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/dagRuns') && r.query.getAll('state').length === 2);
    expect(listCalls.map((r) => r.query.get('offset'))).toEqual(['0', '50']);
    expect(airflow2.requests.every((r) => r.path.startsWith('/api/v1/'))).toBe(true);

    const results = await Promise.all([runner.confirm(alice, prepared.action.id), runner.confirm(bob, prepared.action.id)]);
    expect(results.map((r) => r.status).sort()).toEqual(['already', 'done']);
    const posts = airflow2.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ dag_run_id: runId, conf: { triggered_by: 'burnwatch', reason: 'incident-31' } });
    expect(airflow2.run('hstu_daily', runId)!.state).toBe('queued');

    duringWait.push(() => airflow2.setState('hstu_daily', runId, 'running'));
    duringWait.push(() => airflow2.setState('hstu_daily', runId, 'success'));
    const verification = await runner.verify(prepared.action.id);
    expect(verification).toMatchObject({ rollout: 'available' });
    expect(verification!.message).toMatch(new RegExp(`^Rollout finished \\(Airflow DAG run hstu_daily/${runId} succeeded at `));
    const audit = (await listAudit(store.db)).filter((a) => a.target === 'ml-airflow2/AirflowDag/hstu_daily').map((a) => a.result);
    expect(audit).toContain('verified');
    expect(await lastSuccessfulRun(airflowApi(setupInstance(), env), 'hstu_daily')).toEqual(clock.now());
  });

  it('Airflow 3 (v2, token): sends logical_date, reports a failed run as failed', async () => {
    airflow3.addDag('embeddings_refresh', { paused: true });
    const { runner, duringWait } = setup();
    const prepared = await runner.prepare(alice, { action: 'rerun', target: { kind: 'AirflowDag', namespace: 'ml-airflow3', name: 'embeddings_refresh' }, scope: 'incident-32' });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    expect(prepared.plan.summary).toMatch(/last successful run never$/);
    expect(prepared.plan.warnings).toEqual(['DAG embeddings_refresh is paused: the run is queued but does not start until it is unpaused.']);
    expect((await runner.confirm(alice, prepared.action.id)).status).toBe('done');
    const post = airflow3.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/api/v2/dags/embeddings_refresh/dagRuns');
    expect(post.body).toMatchObject({ logical_date: null });
    expect(post.authorization).toBe(`Bearer ${TOKEN}`);
    const runId = prepared.plan.change.dagRunId as string;
    duringWait.push(() => airflow3.setState('embeddings_refresh', runId, 'failed'));
    const v = await runner.verify(prepared.action.id);
    expect(v).toMatchObject({ rollout: 'error' });
    expect(v!.message).toMatch(/Airflow DAG run embeddings_refresh\/burnwatch__\w+ failed/);
  });

  it('a replayed trigger meets 409 and starts nothing; bad credentials and an unknown DAG are clear errors without secrets', async () => {
    airflow2.addDag('replayed_dag');
    const handlers = handlersWithWorkflows(setupConfig(), env)('AirflowDag');
    const { runner } = setup();
    const prepared = await runner.prepare(alice, { action: 'rerun', target: { kind: 'AirflowDag', namespace: 'ml-airflow2', name: 'replayed_dag' }, scope: 'incident-33' });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    expect((await runner.confirm(alice, prepared.action.id)).status).toBe('done');
    // As if a crash lost the record of the first call: executing the same plan again.
    const clients = {} as Parameters<typeof handlers.execute>[0];
    expect(await handlers.execute(clients, prepared.plan, { dryRun: false })).toMatch(/already exists \(triggered earlier for the same request\); not started twice/);
    expect(airflow2.runs('replayed_dag')).toHaveLength(1);
    expect(await handlers.applied(clients, prepared.plan)).toBe(true);

    const wrong = setup({ password: 'wrong-password' });
    const refused = await wrong.runner.prepare(alice, { action: 'rerun', target: { kind: 'AirflowDag', namespace: 'ml-airflow2', name: 'replayed_dag' }, scope: 'x' });
    expect(refused).toMatchObject({ status: 'error', code: 'forbidden' });
    expect(refused.message).toMatch(/^Airflow 127\.0\.0\.1:\d+ GET \/api\/v1\/dags\/replayed_dag: 401, the credentials were refused/);
    expect(refused.message).not.toContain('wrong-password');
    const missing = await setup().runner.prepare(alice, { action: 'rerun', target: { kind: 'AirflowDag', namespace: 'ml-airflow2', name: 'no_such_dag' }, scope: 'x' });
    expect(missing).toMatchObject({ status: 'error', code: 'not_found' });
    expect(missing.message).toMatch(/DAG with dag_id: 'no_such_dag' not found/);
    const noInstance = await setup().runner.prepare(alice, { action: 'rerun', target: { kind: 'AirflowDag', namespace: 'ml-nowhere', name: 'd' }, scope: 'x' });
    expect(noInstance.message).toMatch(/no Airflow instance "ml-nowhere" in the actions config/);
  });

  it('a dry run triggers nothing', async () => {
    airflow2.addDag('dry_dag');
    const { runner } = setup({ mode: 'dry-run' });
    const prepared = await runner.prepare(alice, { action: 'rerun', target: { kind: 'AirflowDag', namespace: 'ml-airflow2', name: 'dry_dag' }, scope: 'incident-34' });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    const result = await runner.confirm(alice, prepared.action.id);
    expect(result.message).toMatch(/Dry run: would trigger Airflow DAG dry_dag on ml-airflow2/);
    expect(airflow2.runs('dry_dag')).toEqual([]);
  });
});

describe('Argo Workflows WorkflowTemplate as a re-run target', () => {
  it('submits one Workflow from the template, a replay meets 409, and it is watched to success', async () => {
    argo.addTemplate('ml-training', 'hstu-train', 'train');
    const { runner, duringWait } = setup();
    const prepared = await runner.prepare(alice, { action: 'rerun', target: { kind: 'WorkflowTemplate', namespace: 'ml-training', name: 'hstu-train' }, scope: 'incident-40' });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    const name = prepared.plan.change.workflow as string;
    expect(name).toMatch(/^hstu-train-bw-[0-9a-f]{6}$/);
    expect(prepared.plan.summary).toBe(`Submit Workflow ml-training/${name} from WorkflowTemplate ml-training/hstu-train (entrypoint train)`);
    expect((await runner.confirm(alice, prepared.action.id)).status).toBe('done');
    const submit = argo.requests.find((r) => r.method === 'POST')!;
    expect(submit.path).toBe('/api/v1/workflows/ml-training/submit');
    expect(submit.body).toMatchObject({ namespace: 'ml-training', resourceKind: 'WorkflowTemplate', resourceName: 'hstu-train', submitOptions: { name } });
    expect(submit.authorization).toBe(`Bearer ${ARGO_TOKEN}`);
    const handler = handlersWithWorkflows(setupConfig(), env)('WorkflowTemplate');
    expect(await handler.execute({} as never, prepared.plan, { dryRun: false })).toMatch(/already exists \(submitted earlier for the same request\)/);
    expect(argo.workflows('ml-training')).toHaveLength(1);

    duringWait.push(() => argo.setPhase('ml-training', name, 'Running'));
    duringWait.push(() => argo.setPhase('ml-training', name, 'Succeeded'));
    expect(await runner.verify(prepared.action.id)).toMatchObject({ rollout: 'available', rolloutMessage: expect.stringMatching(new RegExp(`^Workflow ml-training/${name} succeeded at `)) });
  });

  it('a failed Workflow is reported failed; a dry run is the server dry run; an unknown template and a bad token are clear errors', async () => {
    argo.addTemplate('ml-training', 'feature-backfill');
    const { runner, duringWait } = setup();
    const prepared = await runner.prepare(alice, { action: 'rerun', target: { kind: 'WorkflowTemplate', namespace: 'ml-training', name: 'feature-backfill' }, scope: 'incident-41' });
    if (prepared.status !== 'ready') throw new Error(prepared.message);
    await runner.confirm(alice, prepared.action.id);
    duringWait.push(() => argo.setPhase('ml-training', prepared.plan.change.workflow, 'Failed', 'child "train" failed'));
    expect(await runner.verify(prepared.action.id)).toMatchObject({ rollout: 'error', rolloutMessage: expect.stringMatching(/failed: child "train" failed$/) });

    const dry = setup({ mode: 'dry-run' });
    const dryPrepared = await dry.runner.prepare(alice, { action: 'rerun', target: { kind: 'WorkflowTemplate', namespace: 'ml-training', name: 'feature-backfill' }, scope: 'incident-42' });
    if (dryPrepared.status !== 'ready') throw new Error(dryPrepared.message);
    expect((await dry.runner.confirm(alice, dryPrepared.action.id)).message).toMatch(/Dry run: the Argo Server accepted Workflow/);
    expect((argo.requests.at(-1)!.body as { submitOptions: { serverDryRun?: boolean } }).submitOptions.serverDryRun).toBe(true);
    expect(argo.workflows('ml-training').map((w) => w.metadata.name)).not.toContain(dryPrepared.plan.change.workflow);

    const missing = await runner.prepare(alice, { action: 'rerun', target: { kind: 'WorkflowTemplate', namespace: 'ml-training', name: 'nope' }, scope: 'x' });
    expect(missing).toMatchObject({ status: 'error', code: 'not_found', message: expect.stringMatching(/workflowtemplates.argoproj.io "nope" not found/) });
    const badToken = handlersWithWorkflows(setupConfig(), { ...env, ARGO_TOKEN: 'wrong' })('WorkflowTemplate');
    await expect(badToken.plan({} as never, { action: 'rerun', target: { kind: 'WorkflowTemplate', namespace: 'ml-training', name: 'hstu-train' }, scope: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
  });
});

function setupConfig() {
  return baseConfig({
    airflow: { 'ml-airflow2': setupInstance() },
    argoWorkflows: { url: argo.url, tokenEnv: 'ARGO_TOKEN', timeoutSeconds: 10 },
  });
}
function setupInstance() {
  return { url: airflow2.url, api: 'v1' as const, auth: { basic: { username: 'burnwatch', passwordEnv: 'AIRFLOW_PASSWORD' } }, timeoutSeconds: 10 };
}

// remediation.auto with the real runner, store and Kubernetes client (fake API server): a page
// 5 min after a deploy schedules a rollback, announced with a way to cancel; an unauthorized
// cancel is refused; after the delay it runs once (plan → execute → verify → audit); an
// authorized cancel stops the next one; the guards skip, and a dry run changes nothing.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionRunner } from '../../src/actions/action-runner.ts';
import { autoRemediationRouter } from '../../src/actions/auto-route.ts';
import { handlersWithWorkflows } from '../../src/actions/workflow-handlers.ts';
import { requireBearer } from '../../src/service/http/bearer-auth.ts';
import { startFakeAirflow } from '../fakes/airflow-api.ts';
import { createAutoRemediator } from '../../src/actions/auto-remediator.ts';
import { decideAutoRemediation } from '../../src/actions/auto-remediation.ts';
import type { AutoRemediationPolicy, Slo } from '../../src/domain/slo.ts';
import { saveAlertState } from '../../src/store/repositories/alert-state.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { listAuto } from '../../src/store/repositories/auto-remediations.ts';
import { listOutbox } from '../../src/store/repositories/outbox.ts';
import type { Store } from '../../src/store/open-store.ts';
import { makeSlo } from '../fixtures/slo.ts';
import { alice, baseConfig, harness, mallory, openTestStore } from './harness.ts';
import { podTemplate, seedDeployment } from './workloads.ts';

let store: Store;
let closeStore: () => Promise<void>;
beforeAll(async () => {
  ({ store, close: closeStore } = await openTestStore('postgres'));
});
afterAll(() => closeStore());

const config = baseConfig({
  rules: [
    { actions: ['*'], namespaces: ['ml-*'], users: [], groups: ['S0ONCALL'] },
    { actions: ['rollback', 'rerun'], namespaces: ['ml-*'], users: ['burnwatch:auto'], groups: [] },
  ],
});
const policy = (over: Partial<AutoRemediationPolicy> = {}): AutoRemediationPolicy => ({ action: 'rollback', afterDeploySeconds: 1800, delaySeconds: 120, dryRun: false, ...over });
const sloFor = (ns: string, auto: AutoRemediationPolicy): Slo => ({
  ...makeSlo({ id: `ranker-${ns}/availability`, indicator: { kind: 'ratio', total: { source: 'prom', language: 'promql', text: 'x' } } }),
  remediation: { rollback: { kind: 'Deployment', namespace: ns, name: 'ranker' }, auto },
});
const page = (slo: Slo, firedAt: Date) =>
  saveAlertState(store.db, {
    sloId: slo.id,
    tier: 'page:1h/5m',
    state: 'firing',
    since: firedAt,
    updatedAt: firedAt,
    details: { phase: 'firing', severity: 'page', long: '1h', short: '5m', firedAt: firedAt.toISOString(), resolvedAt: null, notified: true },
  });

async function setup(ns: string, auto: AutoRemediationPolicy, opts: { overridden?: boolean } = {}) {
  const h = await harness(store, config);
  const slo = sloFor(ns, auto);
  const remediator = createAutoRemediator({
    db: store.db,
    clock: h.clock,
    runner: h.runner,
    config,
    clients: h.clients,
    slos: () => [slo],
    channels: () => ['log'],
    outboxWritten: () => {},
    freezeOverridden: async () => opts.overridden ?? false,
  });
  return { h, slo, remediator };
}

describe('automatic remediation, guarded', () => {
  it('rolls back once after the delay, never for an unauthorized cancel, and an authorized cancel stops the next one', async () => {
    const { h, slo, remediator } = await setup('ml-auto1', policy());
    try {
      seedDeployment(h.k8s, h.clock, { namespace: 'ml-auto1', name: 'ranker', versions: ['v41', 'v42'] });
      h.clock.advance(300);
      await page(slo, h.clock.now());
      const [pending] = await remediator.decide();
      expect(pending).toMatchObject({ state: 'pending', action: 'rollback', dryRun: false });
      expect(pending!.reason).toMatch(/^Deployment ml-auto1\/ranker revision 2 \(model v42\) 5 min before the burn$/);
      const posted = (await listOutbox(store.db)).filter((m) => m.kind === 'auto.remediation.pending' && m.payload.id === pending!.id);
      expect(posted).toHaveLength(1);
      expect(String(posted[0]!.payload.text)).toMatch(/Rolling back ml-auto1\/Deployment\/ranker in 2 min because of .*\*Cancel\* \(the button in Slack, or `POST \/api\/remediation\/auto\/.+\/cancel`\) by an authorized person\.$/);

      expect(await remediator.cancel(pending!.id, mallory, 'I do not like it')).toMatchObject({ status: 'refused' });
      expect(await remediator.runDue()).toEqual([]); // not due yet
      h.clock.advance(120);
      h.duringWait.push(() => h.k8s.completeRollout('Deployment', 'ml-auto1', 'ranker'));
      const [done] = await remediator.runDue();
      expect(done).toMatchObject({ state: 'done' });
      expect(done!.result).toMatch(/^Roll back Deployment ml-auto1\/ranker from revision 2 \(model v42\) to revision 1 \(model v41\)\. Rollout finished/);
      expect(h.k8s.get('Deployment', 'ml-auto1', 'ranker')!.spec.template).toEqual(podTemplate('ranker', 'v41'));
      // Once per episode: nothing new while the same page keeps firing.
      expect(await remediator.tick()).toEqual([]);

      // A new deploy (v43) and a new page: this time alice cancels in time.
      h.clock.advance(600);
      const current = h.k8s.get('Deployment', 'ml-auto1', 'ranker')!;
      h.k8s.put({ ...current, spec: { ...current.spec, template: podTemplate('ranker', 'v43') }, metadata: { ...current.metadata, generation: current.metadata.generation + 1 } });
      h.k8s.completeRollout('Deployment', 'ml-auto1', 'ranker');
      h.clock.advance(240);
      await page(slo, h.clock.now());
      const [second] = await remediator.decide();
      expect(second).toMatchObject({ state: 'pending' });
      expect(await remediator.cancel(second!.id, alice, 'v43 fixes checkout; I am watching it')).toMatchObject({ status: 'cancelled' });
      h.clock.advance(600);
      expect(await remediator.runDue()).toEqual([]);
      expect(h.k8s.get('Deployment', 'ml-auto1', 'ranker')!.spec.template).toEqual(podTemplate('ranker', 'v43'));
      expect(await remediator.cancel(second!.id, alice, 'again')).toMatchObject({ status: 'too_late' });

      const audit = (await listAudit(store.db)).filter((a) => a.action.startsWith('auto.') && a.target === slo.id).map((a) => `${a.actor} ${a.action} ${a.result}`);
      expect(audit).toEqual([
        'burnwatch:auto auto.rollback scheduled',
        'U0MALLORY auto.cancel refused',
        'burnwatch:auto auto.rollback done',
        'burnwatch:auto auto.rollback scheduled',
        'U0ALICE auto.cancel ok',
      ]);
      const rollbacks = (await listAudit(store.db)).filter((a) => a.action === 'action.rollback' && a.actor === 'burnwatch:auto' && a.result === 'done');
      expect(rollbacks).toHaveLength(1);
    } finally {
      h.close();
    }
  });

  it('skips a page with no recent deploy and during a freeze override; a dry run reports and changes nothing', async () => {
    const quiet = await setup('ml-auto2', policy());
    try {
      seedDeployment(quiet.h.k8s, quiet.h.clock, { namespace: 'ml-auto2', name: 'ranker', versions: ['v41', 'v42'] });
      quiet.h.clock.advance(7200);
      await page(quiet.slo, quiet.h.clock.now());
      expect(await quiet.remediator.decide()).toMatchObject([{ state: 'skipped', reason: 'no deploy of the target within 30 min before the burn is the suspected change' }]);
    } finally {
      quiet.h.close();
    }
    const frozen = await setup('ml-auto3', policy(), { overridden: true });
    try {
      seedDeployment(frozen.h.k8s, frozen.h.clock, { namespace: 'ml-auto3', name: 'ranker', versions: ['v41', 'v42'] });
      frozen.h.clock.advance(300);
      await page(frozen.slo, frozen.h.clock.now());
      expect(await frozen.remediator.decide()).toMatchObject([{ state: 'skipped', reason: 'a deploy-freeze override is active: a person is deploying by hand' }]);
    } finally {
      frozen.h.close();
    }
    const dry = await setup('ml-auto4', policy({ dryRun: true }));
    try {
      seedDeployment(dry.h.k8s, dry.h.clock, { namespace: 'ml-auto4', name: 'ranker', versions: ['v41', 'v42'] });
      dry.h.clock.advance(300);
      await page(dry.slo, dry.h.clock.now());
      await dry.remediator.decide();
      dry.h.clock.advance(120);
      const [reported] = await dry.remediator.runDue();
      expect(reported).toMatchObject({ state: 'dry_run', result: expect.stringMatching(/^dry run: would have run "Roll back Deployment ml-auto4\/ranker from revision 2/) });
      expect(dry.h.k8s.get('Deployment', 'ml-auto4', 'ranker')!.spec.template).toEqual(podTemplate('ranker', 'v42'));
      expect((await listAuto(store.db)).filter((r) => r.sloId === dry.slo.id)).toHaveLength(1);
    } finally {
      dry.h.close();
    }
  });

  it('decides purely: once per incident, and only for a deploy inside the window', () => {
    const rollback = { action: 'rollback' as const, target: { kind: 'Deployment' as const, namespace: 'ml', name: 'r' } };
    const suspect = { at: new Date(), minutesBefore: 40, source: 'revision' as const, summary: 'Deployment ml/r revision 3', rollback };
    const base = { policy: policy(), page: { sloId: 's', tier: 'page:1h/5m', firedAt: new Date() }, alreadyDecided: false, freezeOverridden: false, suspects: [suspect] };
    expect(decideAutoRemediation(base)).toMatchObject({ act: false });
    expect(decideAutoRemediation({ ...base, suspects: [{ ...suspect, minutesBefore: 12 }] })).toMatchObject({ act: true, delaySeconds: 120 });
    expect(decideAutoRemediation({ ...base, suspects: [{ ...suspect, minutesBefore: 12 }], alreadyDecided: true })).toMatchObject({ act: false, reason: /at most once per incident/ });
    expect(decideAutoRemediation({ ...base, suspects: [{ ...suspect, minutesBefore: 12, source: 'event' }] })).toMatchObject({ act: false });
  });

  it('a freshness page re-runs the Airflow DAG once, whose success is posted; the cancel API checks the token and the rules', async () => {
    const airflow = await startFakeAirflow({ auth: { token: 'af-token-0123' } });
    const h = await harness(store, config);
    try {
      airflow.addDag('hstu_daily');
      const cfg = { ...config, airflow: { 'ml-airflow': { url: airflow.url, api: 'v2' as const, auth: { tokenEnv: 'AF_TOKEN' }, timeoutSeconds: 10 } } };
      const runner = createActionRunner({
        db: store.db,
        clients: h.clients,
        config: cfg,
        clock: h.clock,
        handlers: handlersWithWorkflows(cfg, { AF_TOKEN: 'af-token-0123' }),
        sleep: async (ms) => {
          h.clock.advance(ms / 1000);
          h.duringWait.shift()?.();
        },
      });
      const slo: Slo = {
        ...makeSlo({ id: 'hstu/model-freshness', indicator: { kind: 'freshness', query: { source: 'airflow', language: 'airflow', text: 'hstu_daily' }, maxAgeSeconds: 93_600 } }),
        remediation: { rerun: { kind: 'AirflowDag', namespace: 'ml-airflow', name: 'hstu_daily' }, auto: policy({ action: 'rerun', delaySeconds: 60 }) },
      };
      const remediator = createAutoRemediator({ db: store.db, clock: h.clock, runner, config: cfg, clients: h.clients, slos: () => [slo], channels: () => ['log'], outboxWritten: () => {} });
      await page(slo, h.clock.now());
      const [pending] = await remediator.decide();
      expect(pending).toMatchObject({ state: 'pending', action: 'rerun' });

      // The cancel API: the token first, then the rules (mallory may not re-run in ml-airflow).
      const app = express();
      app.use('/api/remediation/auto', autoRemediationRouter({ db: store.db, auth: requireBearer('api-token-0123456789'), remediator }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/remediation/auto/${pending!.id}/cancel`;
      const cancel = (headers: Record<string, string>, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      expect((await cancel({}, { actor: 'U0ALICE', reason: 'no' })).status).toBe(401);
      expect((await cancel({ authorization: 'Bearer api-token-0123456789' }, { actor: 'U0MALLORY', groups: ['S0OTHER'], reason: 'stop it' })).status).toBe(403);
      server.close();

      h.clock.advance(60);
      h.duringWait.push(() => {
        const run = airflow.runs('hstu_daily')[0]!;
        airflow.setState('hstu_daily', run.dag_run_id, 'success', h.clock.now().toISOString());
      });
      const [done] = await remediator.runDue();
      expect(airflow.runs('hstu_daily')).toHaveLength(1);
      expect(done).toMatchObject({ state: 'done' });
      expect(done!.result).toMatch(/^Trigger Airflow DAG hstu_daily on ml-airflow .*Rollout finished \(Airflow DAG run hstu_daily\/burnwatch__\w+ succeeded at /);
      const posted = (await listOutbox(store.db)).filter((m) => m.kind === 'auto.remediation.result' && m.payload.id === pending!.id);
      expect(posted.map((m) => m.payload.state)).toEqual(['done']);
      expect(await remediator.tick()).toEqual([]);
      expect(airflow.runs('hstu_daily')).toHaveLength(1);
    } finally {
      h.close();
      await airflow.close();
    }
  });
});

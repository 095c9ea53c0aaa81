// Remediation plugged into the real service in-process: BURNWATCH_ACTIONS_CONFIG turns it on,
// an action a crash left 'executing' is finished at start-up from the cluster's state (never
// executed again), and alerts of SLOs with a remediation target get the buttons.
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimForExecution, getAction, insertAction, markApproved } from '../../src/actions/action-store.ts';
import { deploymentRollback } from '../../src/actions/deployment-rollback.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import { remediation } from '../../src/app/remediation-wiring.ts';
import { type RunningService, startService } from '../../src/app/start-service.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import type { AlertRecord } from '../../src/incidents/types.ts';
import { loadConfig } from '../../src/service/config.ts';
import { SOURCE_FACTORIES } from '../../src/sources/registry.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { openStore } from '../../src/store/open-store.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { seedDeployment } from './workloads.ts';

const SLO = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker }
spec:
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
  remediation:
    rollback: { kind: Deployment, namespace: recs, name: hstu-ranker }
`;

describe('remediation in the service', () => {
  let dir: string;
  let k8s: FakeK8s;
  let service: RunningService;
  let actionId: number;
  const logs: string[] = [];
  let actions: ReturnType<typeof remediation>;

  beforeAll(async () => {
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), SLO);
    await fs.writeFile(path.join(dir, 'actions.yaml'), 'actions:\n  rules:\n    - { actions: ["*"], namespaces: [recs], groups: [S0ONCALL] }\n');
    k8s = await startFakeK8s();
    seedDeployment(k8s, fixedClock(new Date(Date.now() - 3_600_000)), { namespace: 'recs', name: 'hstu-ranker', versions: ['v41', 'v42'] });

    // A previous process claimed a rollback, patched the Deployment, and died before recording it.
    const dataDir = path.join(dir, 'data');
    const before = await openStore({ dataDir });
    const plan = await deploymentRollback.plan(kubeClients(k8s.kubeConfig()), { action: 'rollback', target: { kind: 'Deployment', namespace: 'recs', name: 'hstu-ranker' } });
    const { row } = await insertAction(before.db, { plan, dryRun: false, requestedBy: 'U0ALICE', at: new Date(Date.now() - 600_000) });
    await markApproved(before.db, row.id);
    await claimForExecution(before.db, row.id, 'U0ALICE', new Date(Date.now() - 600_000));
    await deploymentRollback.execute(kubeClients(k8s.kubeConfig()), plan, { dryRun: false });
    await before.close();
    actionId = row.id;
    const patchesBefore = k8s.requests.filter((r) => r.verb === 'patch').length;
    expect(patchesBefore).toBe(1);

    actions = remediation({ BURNWATCH_ACTIONS_CONFIG: path.join(dir, 'actions.yaml') }, { kubeConfig: () => k8s.kubeConfig() });
    const config = loadConfig({
      BURNWATCH_PORT: '0',
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_DATA_DIR: dataDir,
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      PROMETHEUS_URL: 'http://127.0.0.1:9',
    });
    service = await startService({
      config,
      logger: pino({ level: 'info' }, { write: (l: string) => logs.push(l) }),
      loadSpecs: (d) => loadSpecs([d], { cwd: dir, env: { PROMETHEUS_URL: 'http://127.0.0.1:9' } }),
      sourceFactories: SOURCE_FACTORIES,
      extensions: [actions.service],
    });
  });
  afterAll(async () => {
    await service?.stop('test');
    await k8s?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('finishes the interrupted action from the cluster state at start-up, without patching again', async () => {
    const row = await getAction(service.store.db, actionId);
    expect(row).toMatchObject({ state: 'done' });
    expect(row!.result).toContain('found in place after a restart (not executed again)');
    expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(1);
    const audit = (await listAudit(service.store.db)).filter((a) => a.action === 'action.rollback');
    expect(audit.map((a) => `${a.actor} ${a.result}`)).toEqual(['burnwatch recovered']);
    expect(logs.join('\n')).toContain('remediation actions on');
  });

  it('puts the remediation buttons on alerts of SLOs that name a target, and none on others', async () => {
    const alert = (sloId: string) =>
      ({ id: 7, sloId, state: 'firing', snapshot: { suspectedChange: null, tiers: [] } }) as unknown as AlertRecord;
    const buttons = actions.slack.alertButtons!(alert('hstu-ranker/availability'));
    expect(buttons.map((b) => b.action_id)).toEqual(['bw_remediate_rollback']);
    expect(actions.slack.alertButtons!(alert('other/slo'))).toEqual([]);
  });

  it('offers nothing when remediation is not configured', async () => {
    const off = remediation({});
    expect(off.slack.alertButtons!({ id: 1, sloId: 'hstu-ranker/availability', state: 'firing', snapshot: { tiers: [] } } as unknown as AlertRecord)).toEqual([]);
    expect(await off.suspects(undefined, 'x', new Date(0), new Date())).toEqual([]);
  });
});

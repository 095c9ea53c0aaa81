// From the alert of a latency burn caused by a new model revision: an authorized engineer rolls
// back in two clicks (button → modal with the plan → confirm), sees the result and the
// verification in the channel and on the incident timeline; nobody else can, and no click runs
// it twice. The real Bolt app over loopback with signed requests, the recording Slack fake, the
// real client-node against the fake Kubernetes API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionRunner } from '../../src/actions/action-runner.ts';
import { actionsConfigSchema } from '../../src/actions/actions-config.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { listTimeline } from '../../src/incidents/incident-store.ts';
import { notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { remediationSlackExtension, remediationSuspects } from '../../src/slack/remediation-extension.ts';
import { REMEDIATION } from '../../src/slack/remediation-ids.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { SlackHarness } from '../helpers/slack-harness.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-databases.ts';
import { AlertFeed, evaluationAt, rankerSlo } from '../slack/alert-fixtures.ts';
import { seedCronJob, seedDeployment } from './workloads.ts';

const alice = { id: 'UALICE01', name: 'alice' };
const bob = { id: 'UBOB0001', name: 'bob' };
const mallory = { id: 'UMALLORY', name: 'mallory' };
const PAGE_BURN: Array<[number, number]> = [[20, 100], [8, 40], [2, 10], [0.7, 3]];

const slo: Slo = {
  ...rankerSlo(),
  remediation: {
    rollback: { kind: 'Deployment', namespace: 'ml-serving', name: 'ranker' },
    rerun: { kind: 'CronJob', namespace: 'ml-training', name: 'train-ranker' },
  },
};
const config = actionsConfigSchema.parse({
  rules: [{ actions: ['*'], namespaces: ['ml-*'], groups: ['S0ONCALL'] }],
  verify: { timeoutSeconds: 120, pollSeconds: 10, settleSeconds: 300 },
});

describe('remediation from Slack', () => {
  let h: SlackHarness;
  let k8s: FakeK8s;
  let db: TestDatabase;
  let channel: string;
  let burnRate = 0.4;
  const f = new AlertFeed();

  beforeAll(async () => {
    let harness: SlackHarness | undefined;
    db = await createPostgresDatabase('bw_remediation');
    k8s = await startFakeK8s({ now: () => harness!.clock.now() });
    const clients = kubeClients(k8s.kubeConfig());
    harness = new SlackHarness({
      slos: [slo],
      // the machine's PostgreSQL: the store opens in milliseconds, and the actions' SQL runs on PG 15
      databaseUrl: db.url,
      suspects: remediationSuspects(clients),
      extensions: (hh) => {
        const runner = createActionRunner({
          db: hh.store.db,
          clients,
          config,
          clock: hh.clock,
          // while burnwatch waits, the controllers do their work
          sleep: async (ms) => {
            hh.clock.advance(ms / 1000);
            k8s.completeRollout('Deployment', 'ml-serving', 'ranker');
            for (const job of k8s.list('Job', 'ml-training')) if (!job.status) k8s.put({ ...job, status: { active: 1, startTime: hh.clock.now().toISOString() } });
          },
        });
        return [remediationSlackExtension({ runner, config, db: hh.store.db, slo: (id) => (id === slo.id ? slo : undefined), burnRate: async () => burnRate })];
      },
    });
    h = harness;
    // v41 at 03:00, v42 at 03:10; the burn is noticed at 03:22
    seedDeployment(k8s, h.clock, { namespace: 'ml-serving', name: 'ranker', versions: ['v41', 'v42'] });
    seedCronJob(k8s, { namespace: 'ml-training', name: 'train-ranker', version: 'v43' });
    h.clock.advance(720);
    await h.start();
    channel = h.slack.addChannel('recs-oncall', [alice.id, bob.id, mallory.id]);
    h.slack.addUsergroup('S0ONCALL', [alice.id, bob.id]);
  });
  afterAll(async () => {
    await h.stop();
    await k8s.close();
    await db.drop();
  });

  async function fire() {
    const evaluation = evaluationAt(slo, h.clock.now(), PAGE_BURN, 0.9);
    await saveEvaluation(h.store.db, evaluation);
    for (const intent of f.step(evaluation)) {
      await enqueue(h.store.db, {
        idempotencyKey: `${intent.idempotencyKey}|slack:#recs-oncall`,
        channel: 'slack:#recs-oncall',
        kind: `alert.${intent.kind}`,
        payload: notificationPayload(intent, slo),
        at: h.clock.now(),
      });
    }
    await h.deliver();
  }
  const button = (actionId: string): string | undefined => {
    type Element = { action_id?: string; value?: string };
    const blocks = h.slack.messagesIn(channel)[0]!.blocks as Array<{ elements?: Element[] }>;
    return blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId)?.value;
  };
  const patches = () => k8s.requests.filter((r) => r.verb === 'patch');
  const lastResponse = () => h.slack.responses.at(-1)?.body as { text?: string; response_type?: string };

  it('shows the suspected revision and the remediation buttons on the alert', async () => {
    await fire();
    const text = JSON.stringify(h.slack.messagesIn(channel)[0]!.blocks);
    expect(text).toContain('roll back to revision 1 (model v41; v42 deployed 12 min before the burn)');
    expect(button(REMEDIATION.rollback)).toBeDefined();
    expect(button(REMEDIATION.rerun)).toBeDefined();
  });

  it('refuses someone not allowed, privately, without opening the plan', async () => {
    const views = h.slack.views.length;
    await h.requester.blockAction({ user: mallory, actionId: REMEDIATION.rollback, value: button(REMEDIATION.rollback)!, channel, responseUrl: h.slack.responseUrl('mallory') });
    expect(lastResponse()).toMatchObject({ response_type: 'ephemeral' });
    expect(lastResponse().text).toContain('not allowed to rollback in namespace ml-serving');
    expect(h.slack.views.length).toBe(views);
    expect(h.slack.okCallsTo('chat.postMessage').filter((c) => String(c.params['text']).includes('mallory'))).toEqual([]);
  });

  it('rolls back in two clicks, once, and reports the rollout and the burn in the channel and the timeline', async () => {
    // an incident is open for the alert, so the actions land on its timeline
    await h.requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: '1', channel, responseUrl: h.slack.responseUrl() });
    await h.deliver();

    await h.requester.blockAction({ user: alice, actionId: REMEDIATION.rollback, value: button(REMEDIATION.rollback)!, channel, responseUrl: h.slack.responseUrl() });
    const modal = h.slack.views.at(-1)!.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(modal.callback_id).toBe(REMEDIATION.confirmView);
    const shown = JSON.stringify(modal.blocks);
    expect(shown).toContain('*Roll back Deployment ml-serving/ranker from revision 2 (model v42) to revision 1 (model v41)*');
    expect(shown).toContain('`model=registry.example/ranker:v41`');
    expect(shown).toContain('last live until 2026-11-22T03:10:00Z');
    expect(patches()).toHaveLength(0);

    // a forged submission by someone not allowed: refused privately, nothing happens
    const submit = (user: typeof alice) =>
      h.requester.viewSubmission({ user, callbackId: REMEDIATION.confirmView, privateMetadata: modal.private_metadata, values: {} });
    await submit(mallory);
    expect(h.slack.okCallsTo('chat.postEphemeral').at(-1)!.params).toMatchObject({ user: mallory.id });
    expect(patches()).toHaveLength(0);

    // alice confirms, bob confirms the same plan at the same moment: one patch
    await Promise.all([submit(alice), submit(bob)]);
    expect(patches()).toHaveLength(1);
    expect(k8s.get('Deployment', 'ml-serving', 'ranker')!.spec.template.metadata.labels['model-version']).toBe('v41');
    const said = h.slack.okCallsTo('chat.postMessage').map((c) => String(c.params['text']));
    expect(said.filter((t) => t.includes('Patched Deployment ml-serving/ranker to the template of revision 1'))).toHaveLength(1);
    expect(said.some((t) => t.includes('Rollout finished (rolled out: 3 of 3 replicas available). Short-window burn rate 0.40 (below 6): the burn stopped.'))).toBe(true);
    expect(h.slack.okCallsTo('chat.postEphemeral').at(-1)!.params['text']).toMatch(/already being executed|Already done/);

    // the same button once more: reported as done, nothing changes
    await h.requester.blockAction({ user: bob, actionId: REMEDIATION.rollback, value: button(REMEDIATION.rollback)!, channel, responseUrl: h.slack.responseUrl() });
    expect(lastResponse().text).toContain('already rolled back');
    expect(patches()).toHaveLength(1);

    await h.deliver();
    const timeline = await listTimeline(h.store.db, 1);
    const actions = timeline.filter((e) => e.kind === 'action').map((e) => e.text);
    // alice and bob confirmed at the same moment: whichever won, the timeline holds one rollback
    expect(actions.filter((t) => /^(alice|bob): rollback ml-serving\/Deployment\/ranker → Patched/.test(t))).toHaveLength(1);
    expect(actions.some((t) => t.includes('verified ml-serving/Deployment/ranker → Rollout finished'))).toBe(true);
  });

  it('re-runs training from the alert: one Job, and the burn is reported as not stopped yet', async () => {
    burnRate = 30;
    await h.requester.blockAction({ user: bob, actionId: REMEDIATION.rerun, value: button(REMEDIATION.rerun)!, channel, responseUrl: h.slack.responseUrl() });
    const modal = h.slack.views.at(-1)!.view as { private_metadata: string; blocks: unknown[]; title: { text: string } };
    expect(modal.title.text).toBe('Re-run training?');
    expect(JSON.stringify(modal.blocks)).toContain('from CronJob ml-training/train-ranker (model v43)');
    const submit = () => h.requester.viewSubmission({ user: bob, callbackId: REMEDIATION.confirmView, privateMetadata: modal.private_metadata, values: {} });
    await submit();
    await submit();
    const jobs = k8s.list('Job', 'ml-training');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    const said = h.slack.okCallsTo('chat.postMessage').map((c) => String(c.params['text']));
    expect(said.filter((t) => t.includes(`Created Job ml-training/${jobs[0]!.metadata.name}`))).toHaveLength(1);
    expect(said.at(-1)).toContain('is running (1 active pods)). Short-window burn rate 30.00 (threshold 6): the burn has NOT stopped.');
  });
});

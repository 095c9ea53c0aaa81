// The two-person rule through Slack: in a production namespace, the first confirmation posts an
// approval request; the same person cannot approve twice; a second authorized person reviews the
// same plan and confirms, and only then it runs — once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createActionRunner } from '../../src/actions/action-runner.ts';
import { actionsConfigSchema } from '../../src/actions/actions-config.ts';
import { kubeClients } from '../../src/actions/kube-clients.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { remediationSlackExtension } from '../../src/slack/remediation-extension.ts';
import { REMEDIATION } from '../../src/slack/remediation-ids.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { SlackHarness } from '../helpers/slack-harness.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-databases.ts';
import { AlertFeed, evaluationAt, rankerSlo } from '../slack/alert-fixtures.ts';
import { seedDeployment } from './workloads.ts';

const alice = { id: 'UALICE01', name: 'alice' };
const bob = { id: 'UBOB0001', name: 'bob' };
const slo: Slo = { ...rankerSlo(), remediation: { rollback: { kind: 'Deployment', namespace: 'recs', name: 'ranker' } } };
const config = actionsConfigSchema.parse({
  rules: [{ actions: ['rollback'], namespaces: ['recs'], users: [alice.id, bob.id] }],
  productionNamespaces: ['recs'],
  twoPersonRule: true,
  verify: { timeoutSeconds: 60, pollSeconds: 10, settleSeconds: 0 },
});

let h: SlackHarness;
let k8s: FakeK8s;
let db: TestDatabase;
let channel: string;
beforeAll(async () => {
  let harness: SlackHarness | undefined;
  db = await createPostgresDatabase('bw_remediation');
  k8s = await startFakeK8s({ now: () => harness!.clock.now() });
  const clients = kubeClients(k8s.kubeConfig());
  harness = new SlackHarness({
    slos: [slo],
    // the machine's PostgreSQL: the store opens in milliseconds, and the actions' SQL runs on PG 15
    databaseUrl: db.url,
    extensions: (hh) => [
      remediationSlackExtension({
        runner: createActionRunner({
          db: hh.store.db,
          clients,
          config,
          clock: hh.clock,
          sleep: async (ms) => {
            hh.clock.advance(ms / 1000);
            k8s.completeRollout('Deployment', 'recs', 'ranker');
          },
        }),
        config,
        db: hh.store.db,
        slo: (id) => (id === slo.id ? slo : undefined),
      }),
    ],
  });
  h = harness;
  seedDeployment(k8s, h.clock, { namespace: 'recs', name: 'ranker', versions: ['v41', 'v42'] });
  await h.start();
  channel = h.slack.addChannel('recs-oncall', [alice.id, bob.id]);
  const evaluation = evaluationAt(slo, h.clock.now(), [[20, 100], [8, 40], [2, 10], [0.7, 3]], 0.9);
  await saveEvaluation(h.store.db, evaluation);
  for (const intent of new AlertFeed().step(evaluation)) {
    await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|c`, channel: 'slack:#recs-oncall', kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo), at: h.clock.now() });
  }
  await h.deliver();
});
afterAll(async () => {
  await h.stop();
  await k8s.close();
  await db.drop();
});

type Element = { action_id?: string; value?: string };
const buttonIn = (blocks: unknown, actionId: string) =>
  (blocks as Array<{ elements?: Element[] }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId)?.value;

it('runs only after a second authorized person approves', async () => {
  const value = buttonIn(h.slack.messagesIn(channel)[0]!.blocks, REMEDIATION.rollback)!;
  await h.requester.blockAction({ user: alice, actionId: REMEDIATION.rollback, value, channel, responseUrl: h.slack.responseUrl() });
  const modal = h.slack.views.at(-1)!.view as { private_metadata: string; blocks: unknown[] };
  expect(JSON.stringify(modal.blocks)).toContain('a second authorized person must approve');
  const submit = (user: typeof alice, metadata: string) =>
    h.requester.viewSubmission({ user, callbackId: REMEDIATION.confirmView, privateMetadata: metadata, values: {} });

  await submit(alice, modal.private_metadata);
  await submit(alice, modal.private_metadata);
  expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(0);
  const request = h.slack.messagesIn(channel).find((m) => String(m.text).includes('asks to Roll back Deployment recs/ranker'));
  expect(request).toBeDefined();

  // bob reviews the same plan from the approval request, and confirms
  await h.requester.blockAction({ user: bob, actionId: REMEDIATION.approve, value: buttonIn(request!.blocks, REMEDIATION.approve)!, channel, responseUrl: h.slack.responseUrl() });
  const review = h.slack.views.at(-1)!.view as { private_metadata: string; blocks: unknown[] };
  expect(JSON.stringify(review.blocks)).toContain('Roll back Deployment recs/ranker from revision 2 (model v42) to revision 1 (model v41)');
  await submit(bob, review.private_metadata);
  expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(1);
  expect(k8s.get('Deployment', 'recs', 'ranker')!.spec.template.metadata.labels['model-version']).toBe('v41');
  const said = h.slack.okCallsTo('chat.postMessage').map((c) => String(c.params['text']));
  expect(said.some((t) => t.startsWith(`:white_check_mark: <@${bob.id}>: Patched Deployment recs/ranker`))).toBe(true);
});

// burnwatch dies while it follows a rollback it just made: the person who clicked must still learn
// whether the rollout finished and the burn stopped. The wired service (remediation + Slack bot,
// advisory-lock leader election on the machine's PostgreSQL), the real Bolt app driven by signed
// requests, the recording Slack fake, the real client-node against the fake Kubernetes API server.
//
//   replica-a: alert → open incident → Roll back… → confirm → patched → verifying… dies mid-wait
//   replica-a restarts (same identity): as leader it resumes the verification → alert channel + timeline, once
//   replica-b joins, replica-a stops, replica-b becomes leader and looks again: nothing is posted twice
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAction } from '../../src/actions/action-store.ts';
import { remediation } from '../../src/app/remediation-wiring.ts';
import { type RunningService, startService } from '../../src/app/start-service.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { listTimeline } from '../../src/incidents/incident-store.ts';
import { loadConfig } from '../../src/service/config.ts';
import { notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { REMEDIATION } from '../../src/slack/remediation-ids.ts';
import { slackServiceExtension } from '../../src/slack/slack-extension.ts';
import { SOURCE_FACTORIES } from '../../src/sources/registry.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { seedDeployment } from '../actions/workloads.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { SlackRequester } from '../fakes/slack-requests.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';
import { AlertFeed, evaluationAt } from '../slack/alert-fixtures.ts';
import { rankerAvailabilityYaml } from '../fixtures/ranker-availability.ts';

const SECRET = 'verify-resume-signing-secret-0123456789';
const PROMETHEUS_URL = 'http://127.0.0.1:9'; // nothing listens: the burn rate is unknown, never "stopped"
const alice = { id: 'UALICE01', name: 'alice' };
const PAGE_BURN: Array<[number, number]> = [[20, 100], [8, 40], [2, 10], [0.7, 3]];
const SUMMARY = 'Roll back Deployment recs/hstu-ranker from revision 2 (model v42) to revision 1 (model v41)';

const ACTIONS_YAML = `actions:
  rules:
    - { actions: ["*"], namespaces: [recs], groups: [S0ONCALL] }
  verify: { timeoutSeconds: 300, pollSeconds: 5, settleSeconds: 60 }
`;

describe('a rollback verification interrupted by a restart', () => {
  let dir: string;
  let db: TestDatabase;
  let k8s: FakeK8s;
  let slo: Slo;
  let alertChannel: string;
  const slack = new FakeSlackApi();
  const clock = fixedClock('2026-11-22T03:22:00Z');
  const logs: string[] = [];
  const running: RunningService[] = [];

  /** One burnwatch replica; `sleep` is how its waits pass (the test plays the controllers meanwhile). */
  async function replica(identity: string, sleep: (ms: number) => Promise<void>): Promise<RunningService> {
    const actions = remediation({ BURNWATCH_ACTIONS_CONFIG: path.join(dir, 'actions.yaml') }, { kubeConfig: () => k8s.kubeConfig(), sleep });
    const env = {
      BURNWATCH_PORT: '0',
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_DATA_DIR: path.join(dir, `data-${identity}`),
      DATABASE_URL: db.url,
      BURNWATCH_LEADER: 'advisory',
      BURNWATCH_IDENTITY: identity,
      BURNWATCH_SCHEDULE: '0 0 1 1 *',
      BURNWATCH_NOTIFY_LOG: 'false',
      BURNWATCH_REPORT_ENABLED: 'false',
      PROMETHEUS_URL,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
    };
    const service = await startService({
      config: loadConfig(env),
      clock,
      logger: pino({ level: 'info' }, { write: (l: string) => logs.push(l) }),
      loadSpecs: (d) => loadSpecs([d], { cwd: dir, env: { PROMETHEUS_URL } }),
      sourceFactories: SOURCE_FACTORIES,
      extensions: [actions.service, slackServiceExtension({ extensions: [actions.slack], suspects: actions.suspects, env })],
    });
    running.push(service);
    return service;
  }
  const stop = async (service: RunningService, reason: string) => {
    running.splice(running.indexOf(service), 1);
    await service.stop(reason);
  };

  const verificationPosts = () => slack.messagesIn(alertChannel).filter((m) => m.text.includes(`${SUMMARY}: Rollout`));
  const verifiedOnTimeline = async (service: RunningService) => (await listTimeline(service.store.db, 1)).filter((e) => e.text.startsWith('verified '));
  const verifiedAudits = async (service: RunningService) => (await listAudit(service.store.db)).filter((a) => a.action === 'action.rollback' && a.result === 'verified');

  beforeAll(async () => {
    dir = await makeTempDir('bw-verify-resume-');
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), rankerAvailabilityYaml({ rollback: true }));
    await fs.writeFile(path.join(dir, 'actions.yaml'), ACTIONS_YAML);
    slo = (await loadSpecs([path.join(dir, 'slos')], { cwd: dir, env: { PROMETHEUS_URL } })).slos[0]!;
    db = await createPostgresDatabase('bw_verify_resume_e2e');
    k8s = await startFakeK8s({ now: () => clock.now() });
    // v41 at 03:00, v42 at 03:10: the burn noticed at 03:22 follows the new model
    seedDeployment(k8s, fixedClock('2026-11-22T03:00:00Z'), { namespace: 'recs', name: 'hstu-ranker', versions: ['v41', 'v42'] });
    await slack.start();
    alertChannel = slack.addChannel('recs-oncall', [alice.id]);
    slack.addUsergroup('S0ONCALL', [alice.id]);
  });
  afterAll(async () => {
    for (const s of [...running]) await s.stop('test');
    await slack.stop();
    await k8s?.close();
    await db?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is resumed by the restarted replica and told once in the alert channel and on the timeline; a new leader does not tell it again', async () => {
    // replica-a follows the rollout once, then dies in its first wait
    let died!: () => void;
    const dead = new Promise<void>((r) => (died = r));
    const a = await replica('replica-a', async (ms) => {
      clock.advance(ms / 1000);
      died();
      await new Promise(() => {});
    });
    const requester = new SlackRequester(`${a.url}/slack/events`, SECRET);

    const feed = new AlertFeed();
    const evaluation = evaluationAt(slo, clock.now(), PAGE_BURN, 0.9);
    await saveEvaluation(a.store.db, evaluation);
    for (const intent of feed.step(evaluation)) {
      await enqueue(a.store.db, {
        idempotencyKey: `${intent.idempotencyKey}|slack:#recs-oncall`,
        channel: 'slack:#recs-oncall',
        kind: `alert.${intent.kind}`,
        payload: notificationPayload(intent, slo),
        at: clock.now(),
      });
    }
    const alert = await until('the alert message with its buttons', () => slack.messagesIn(alertChannel)[0]);
    type Element = { action_id?: string; value?: string };
    const rollbackButton = (alert.blocks as Array<{ elements?: Element[] }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === REMEDIATION.rollback);
    expect(rollbackButton?.value).toBeDefined();

    await requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: '1', channel: alertChannel, responseUrl: slack.responseUrl() });
    const incidentChannel = await until('the incident channel', () => slack.okCallsTo('conversations.create')[0]?.params['name'] as string | undefined);
    await requester.blockAction({ user: alice, actionId: REMEDIATION.rollback, value: rollbackButton!.value!, channel: alertChannel, responseUrl: slack.responseUrl() });
    const modal = await until('the confirmation modal', () => slack.views.at(-1)?.view as { private_metadata: string } | undefined);
    await requester.viewSubmission({ user: alice, callbackId: REMEDIATION.confirmView, privateMetadata: modal.private_metadata, values: {} });
    await dead;

    const patched = slack.messagesIn(alertChannel).filter((m) => m.text.includes('Patched Deployment recs/hstu-ranker to the template of revision 1'));
    expect(patched).toHaveLength(1);
    expect(verificationPosts()).toEqual([]);
    const interrupted = (await getAction(a.store.db, 1))!;
    expect(interrupted).toMatchObject({ state: 'done', verifyState: 'pending', verifyOwner: expect.stringMatching(/^replica-a#/), verification: null });
    await stop(a, 'killed mid-verify');

    // the same replica comes back; the controller finishes the rollout while it waits
    const passing = async (ms: number) => {
      clock.advance(ms / 1000);
      k8s.completeRollout('Deployment', 'recs', 'hstu-ranker');
    };
    const a2 = await replica('replica-a', passing);
    const [post] = await until('the resumed verification in the alert channel', () => (verificationPosts().length > 0 ? verificationPosts() : undefined));
    expect(post!.text).toBe(
      `:white_circle: ${SUMMARY}: Rollout finished (rolled out: 3 of 3 replicas available). The short-window burn rate is unknown (the source did not answer). (Verification resumed after a burnwatch restart.)`,
    );
    const onTimeline = await until('the verification on the incident timeline', async () => ((await verifiedOnTimeline(a2)).length > 0 ? verifiedOnTimeline(a2) : undefined));
    expect(onTimeline.map((e) => [e.kind, e.actor, e.text])).toEqual([['action', null, `verified recs/Deployment/hstu-ranker → ${post!.text.slice(post!.text.indexOf('Rollout'))}`]]);
    const incidentId = slack.channelByName(incidentChannel)!.id;
    await until('the verification in the incident channel', () => slack.messagesIn(incidentId).find((m) => m.text.startsWith(':hammer_and_wrench: verified recs/Deployment/hstu-ranker')));
    const resumedBy = (await getAction(a2.store.db, 1))!.verifyOwner;
    expect(resumedBy).toMatch(/^replica-a#/); // the restarted process took it over at once, under the same identity
    expect(resumedBy).not.toBe(interrupted.verifyOwner);
    expect(await getAction(a2.store.db, 1)).toMatchObject({ verifyState: 'reported' });

    // a second replica joins as a follower; when replica-a stops it becomes the leader and resumes what is owed: nothing
    const b = await replica('replica-b', passing);
    expect(b.elector.isLeader()).toBe(false);
    await stop(a2, 'rolling update');
    await until('replica-b to lead', () => b.elector.isLeader());
    await stop(b, 'test'); // shutdown waits for the resume it started as leader

    expect(verificationPosts()).toHaveLength(1);
    expect(slack.messagesIn(incidentId).filter((m) => m.text.startsWith(':hammer_and_wrench: verified'))).toHaveLength(1);
    const check = await replica('replica-c', passing);
    expect(await verifiedOnTimeline(check)).toHaveLength(1);
    expect((await verifiedAudits(check)).map((x) => x.actor)).toEqual(['burnwatch']);
    expect(k8s.requests.filter((r) => r.verb === 'patch')).toHaveLength(1);
    expect(logs.filter((l) => l.includes('"level":50') || l.includes('"level":"error"'))).toEqual([]);
  });
});

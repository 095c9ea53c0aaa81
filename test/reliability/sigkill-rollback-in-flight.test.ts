// `kill -9` with a rollback and notifications in flight, as real processes: `burnwatch serve` on
// a real Prometheus whose SLO burns since a new model went out, the Slack fake, and the real
// client-node against the fake Kubernetes API server (through a kubeconfig file, as in a
// cluster-less install). A signed click rolls the Deployment back; while burnwatch follows the
// rollout, Slack holds the answer to the rollback's post in the incident channel and refuses
// the other updates, so notifications are pending in two outbox lanes. Then SIGKILL, a restart
// on the same data directory: the Deployment was patched once, every pending notification
// arrives once, and the verification is resumed and told once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAction } from '../../src/actions/action-store.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { REMEDIATION } from '../../src/slack/remediation-ids.ts';
import { openStore } from '../../src/store/open-store.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { listOutbox } from '../../src/store/repositories/outbox.ts';
import { seedDeployment } from '../actions/workloads.ts';
import { type FakeK8s, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { BOT_USER_ID, FakeSlackApi } from '../fakes/slack-api.ts';
import { SlackRequester } from '../fakes/slack-requests.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';
import { rankerAvailabilityYaml } from '../fixtures/ranker-availability.ts';

const SECRET = 'sigkill-rollback-signing-secret-0123456789';
const alice = { id: 'UALICE01', name: 'alice' };
// Data anchored at the real clock (the service evaluates "now"): v42 went out eleven minutes
// ago, and every request has failed since ten minutes ago.
const NOW = Math.floor(Date.now() / 60_000) * 60;
const BURN_START = NOW - 600;
const SUMMARY = 'Roll back Deployment recs/hstu-ranker from revision 2 (model v42) to revision 1 (model v41)';

// A long rollout budget: the rollout is still going when burnwatch is killed.
const ACTIONS = `actions:
  rules:
    - { actions: [rollback], namespaces: [recs], users: [${alice.id}] }
  verify: { timeoutSeconds: 900, pollSeconds: 1, settleSeconds: 1 }
`;

describe('killed with -9 while a rollback is verified and notifications are pending', () => {
  const slack = new FakeSlackApi();
  let prom: PrometheusServer;
  let k8s: FakeK8s;
  let dir: string;
  let alertChannel: string;
  const running: BurnwatchProcess[] = [];

  beforeAll(async () => {
    const s = scenario({ start: NOW - 86_400, end: NOW + 3600, step: 60 })
      .counter('ranker_requests_total', { code: '200' }, [profile(20), profile(1).step(BURN_START, 0)])
      .counter('ranker_requests_total', { code: '500' }, [profile(20), profile(0).step(BURN_START, 1)]);
    prom = await startPrometheus(s);
    // v41 rolled out 21 minutes ago, v42 eleven: the suspect of the burn.
    const deployClock = fixedClock(new Date((BURN_START - 660) * 1000).toISOString());
    k8s = await startFakeK8s({ now: () => deployClock.now() });
    seedDeployment(k8s, deployClock, { namespace: 'recs', name: 'hstu-ranker', versions: ['v41', 'v42'] });
    await slack.start();
    alertChannel = slack.addChannel('recs-oncall', [alice.id]);
    dir = await makeTempDir('bw-sigkill-rollback-');
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), rankerAvailabilityYaml({ prometheusUrl: prom.url, rollback: true }));
    await fs.writeFile(path.join(dir, 'actions.yaml'), ACTIONS);
    await fs.writeFile(
      path.join(dir, 'kubeconfig.yaml'),
      `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "${k8s.url}", insecure-skip-tls-verify: true } }]
users: [{ name: burnwatch, user: { token: fake-token } }]
contexts: [{ name: fake, context: { cluster: fake, user: burnwatch } }]
current-context: fake
`,
    );
  });
  afterAll(async () => {
    for (const p of running) await p.kill('SIGKILL');
    await slack.stop();
    await k8s?.close();
    await prom?.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const data = () => path.join(dir, 'data');
  async function start(): Promise<BurnwatchProcess> {
    const p = await startBurnwatch({
      DATABASE_URL: undefined,
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_PORT: '0',
      BURNWATCH_DATA_DIR: data(),
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_LEADER: 'none',
      BURNWATCH_IDENTITY: 'burnwatch-0',
      BURNWATCH_NOTIFY_LOG: 'false',
      BURNWATCH_REPORT_ENABLED: 'false',
      BURNWATCH_OUTBOX_BACKOFF: '1s',
      BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
      BURNWATCH_ACTIONS_CONFIG: path.join(dir, 'actions.yaml'),
      KUBECONFIG: path.join(dir, 'kubeconfig.yaml'),
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
    });
    running.push(p);
    return p;
  }
  const outboxEmpty = async (p: BurnwatchProcess) => !(await (await fetch(`${p.url}/metrics`)).text()).includes('burnwatch_outbox_pending{');
  const deploymentPatches = () => k8s.requests.filter((r) => r.verb === 'patch' && r.resource === 'deployments');
  const bot = (channel: string) => slack.messagesIn(channel).filter((m) => m.user === BOT_USER_ID);
  const keyOf = (m: { metadata?: { event_payload: Record<string, unknown> } }) => m.metadata?.event_payload['key'];

  it('patches once, delivers every pending notification once, and tells the resumed verification once', { timeout: 300_000 }, async () => {
    const first = await start();
    const requester = new SlackRequester(`${first.url}/slack/events`, SECRET);

    // The page fires; its message offers the rollback of the suspected revision.
    type Element = { action_id?: string; value?: string };
    const rollbackButton = await until(
      'the alert message with its Roll back… button',
      () => bot(alertChannel)[0] && (bot(alertChannel)[0]!.blocks as Array<{ elements?: Element[] }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === REMEDIATION.rollback),
      120_000,
    );
    const alert = bot(alertChannel)[0]!;
    expect(rollbackButton.value).toContain('"pin"');
    await requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: '1', channel: alertChannel, messageTs: alert.ts, responseUrl: slack.responseUrl() });
    const incident = await until('the incident channel', () => [...slack.channels.values()].find((c) => c.name.startsWith('inc-')));
    await until('the incident summary pinned', () => slack.pins.get(incident.id)?.size === 1, 60_000);
    await until('everything so far delivered', () => outboxEmpty(first), 60_000);

    // From now on Slack holds the answer to the first post in the incident channel (it stores the
    // message) and refuses every other call there, and every update of the alert message.
    let held = false;
    slack.failWhen(({ method, params }) => {
      if (params['channel'] === incident.id) {
        if (method === 'chat.postMessage' && !held) {
          held = true;
          return { hold: true };
        }
        return { status: 500 };
      }
      if (params['channel'] === alertChannel && method === 'chat.update') return { status: 500 };
      return undefined;
    });

    await requester.blockAction({ user: alice, actionId: REMEDIATION.rollback, value: rollbackButton.value!, channel: alertChannel, messageTs: alert.ts, responseUrl: slack.responseUrl() });
    const modal = await until('the confirmation modal', () => slack.views.at(-1)?.view as { private_metadata: string } | undefined);
    await requester.viewSubmission({ user: alice, callbackId: REMEDIATION.confirmView, privateMetadata: modal.private_metadata, values: {} });
    await until('the patch', () => deploymentPatches().length === 1);
    await until('the rollback said in the alert channel', () => bot(alertChannel).some((m) => m.text.includes('Patched Deployment recs/hstu-ranker')));
    // The rollback's entry reached the incident channel, but its answer did not reach burnwatch.
    const inFlight = await until('the held post', () => slack.callsTo('chat.postMessage').find((c) => c.lost === 'held'));
    expect(String(inFlight.params['text'])).toContain(':hammer_and_wrench:');
    // burnwatch follows the rollout, which the controller has not finished.
    const patchedAt = k8s.requests.indexOf(deploymentPatches()[0]!);
    const polls = () => k8s.requests.slice(patchedAt + 1).filter((r) => r.verb === 'get' && r.resource === 'deployments' && r.name === 'hstu-ranker');
    await until('two looks at the rollout', () => polls().length >= 2, 60_000);

    await requester.blockAction({ user: alice, actionId: ACTION.alertAck, value: '1', channel: alertChannel, messageTs: alert.ts, responseUrl: slack.responseUrl() });
    await until('the acknowledgement refused by Slack', () => slack.callsTo('chat.update').some((c) => c.params['channel'] === alertChannel && c.outcome === 'http_500'), 60_000);

    expect(await first.kill('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    const killedAt = new Date();
    const callsBeforeRestart = slack.calls.length;
    slack.failWhen(undefined);
    k8s.completeRollout('Deployment', 'recs', 'hstu-ranker');

    const second = await start();
    const verificationPosts = () => bot(alertChannel).filter((m) => m.text.includes(`${SUMMARY}: Rollout`));
    const [verification] = await until('the resumed verification in the alert channel', () => (verificationPosts().length > 0 ? verificationPosts() : undefined), 120_000);
    expect(verification!.text).toMatch(/Rollout finished \(rolled out: 3 of 3 replicas available\)\. Short-window burn rate [\d.]+ \(threshold [\d.]+\): the burn has NOT stopped\. \(Verification resumed after a burnwatch restart\.\)$/);
    await until('the verification on the incident timeline', () => bot(incident.id).some((m) => m.text.startsWith(':hammer_and_wrench: verified recs/Deployment/hstu-ranker')), 60_000);
    await until('an empty outbox', () => outboxEmpty(second), 60_000);
    expect((await second.kill('SIGTERM')).code).toBe(0);

    // The Deployment was patched once, and is on v41.
    expect(deploymentPatches()).toHaveLength(1);
    expect(deploymentPatches()[0]!.dryRun).toBe(false);
    expect(k8s.get('Deployment', 'recs', 'hstu-ranker')!.spec.template.metadata.labels['model-version']).toBe('v41');

    // Every notification pending at the kill was delivered after the restart, none given up on.
    const store = await openStore({ dataDir: data() });
    try {
      const rows = await listOutbox(store.db, 10_000);
      expect(rows.every((r) => r.deliveredAt !== null && r.failedAt === null)).toBe(true);
      const pendingAtKill = rows.filter((r) => r.createdAt < killedAt && r.deliveredAt! >= killedAt);
      expect(new Set(pendingAtKill.map((r) => `${r.channel} ${r.kind}`))).toEqual(
        new Set(['slack:#recs-oncall slack.alert.sync', 'slack:incident-1 slack.incident.post', 'slack:incident-1 slack.incident.sync']),
      );
      // The acknowledgement reached the alert message once.
      const alertUpdates = slack.calls.slice(callsBeforeRestart).filter((c) => c.method === 'chat.update' && c.params['channel'] === alertChannel && c.outcome === 'ok');
      expect(alertUpdates).toHaveLength(pendingAtKill.filter((r) => r.kind === 'slack.alert.sync').length);
      const action = (await getAction(store.db, 1))!;
      expect(action).toMatchObject({ state: 'done', verifyState: 'reported', verification: { rollout: 'available', burnStopped: false, resumed: true } });
      const verified = (await listAudit(store.db)).filter((a) => a.action === 'action.rollback' && a.result === 'verified');
      expect(verified).toHaveLength(1);
    } finally {
      await store.close();
    }

    // At Slack: the held post was adopted, not posted again; nothing shows twice.
    expect(slack.callsTo('chat.postMessage').filter((c) => String(c.params['text']).includes(`Patched Deployment recs/hstu-ranker`) && c.params['channel'] === incident.id)).toHaveLength(1);
    const inIncident = bot(incident.id);
    expect(new Set(inIncident.map(keyOf)).size).toBe(inIncident.length);
    expect(inIncident.filter((m) => m.text.startsWith(':hammer_and_wrench:') && m.text.includes('Patched Deployment'))).toHaveLength(1);
    expect(inIncident.filter((m) => m.text.startsWith(':hammer_and_wrench: verified'))).toHaveLength(1);
    expect(JSON.stringify(inIncident.find((m) => keyOf(m) === 'incident:1:summary')!.blocks)).toContain('acknowledged');
    // The alert channel: the alert (now acknowledged), the rollback and its verification, once each.
    expect(bot(alertChannel)).toHaveLength(3);
    expect(alert.text).toMatch(/^ACKNOWLEDGED page/);
    expect(verificationPosts()).toHaveLength(1);
  });
});

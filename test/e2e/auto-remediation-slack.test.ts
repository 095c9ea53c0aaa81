// Automation over runbooks, through `burnwatch serve` as a real process: a real Prometheus where
// three ranker SLOs burn 30 % errors since 10 minutes (both page tiers fire: one episode, one
// decision), two minutes after a model deploy (v42) of each one's Deployment in the fake
// Kubernetes API server, and a fourth SLO whose error budget is spent. Slack is the recording fake; clicks are signed block_actions posted to /slack/events.
//
//   ranker-a: "Rolling back … in 1 min — Cancel", nobody cancels → exactly one PATCH, the result posted, audited
//   ranker-b: mallory (not in the actions rules) clicks Cancel → refused privately, audited; still one PATCH
//   ranker-c: alice (on call) clicks Cancel → cancelled, the post says so; her second click cancels nothing; no PATCH ever
//   ranker-v3: the budget policy freezes the gate; mallory's "Override freeze…" is refused (audited),
//              alice's (with a reason, in the modal) lifts it: the gate passes, audited, posted
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/domain/clock.ts';
import { ACTION, OVERRIDE_BLOCK, OVERRIDE_INPUT, VIEW } from '../../src/slack/action-ids.ts';
import { openStore } from '../../src/store/open-store.ts';
import { loadAlertStates } from '../../src/store/repositories/alert-state.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { type FakeK8s, type RequestRecord, startFakeK8s } from '../fakes/k8s-api-server.ts';
import { type FakeMessage, FakeSlackApi } from '../fakes/slack-api.ts';
import { SlackRequester } from '../fakes/slack-requests.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { podTemplate, seedDeployment } from '../actions/workloads.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';

const SECRET = 'auto-e2e-signing-secret-0123456789';
const TOKEN = 'auto-e2e-api-token-0123456789abcdef';
const NOW = Math.floor(Date.now() / 60_000) * 60;
const BURN_START = NOW - 600;
const alice = { id: 'UALICE01', name: 'alice' };
const mallory = { id: 'UMALLORY', name: 'mallory' };
const RANKERS = ['a', 'b', 'c'] as const;

const ranker = (app: string) => `---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: ranker-${app} }
spec:
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{app="${app}",code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total{app="${app}"}[$window]))
  alerting: { channel: "#ranker-${app}" }
  remediation:
    rollback: { kind: Deployment, namespace: ml-${app}, name: ranker }
    auto: { action: rollback, withinDeploy: 30m, delay: 1m }
`;

const SPECS = (promUrl: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${promUrl}" }
${RANKERS.map(ranker).join('')}${ranker('v3').replace(/ {2}remediation:[\s\S]*$/, '')}---
apiVersion: burnwatch/v1
kind: BudgetPolicy
metadata: { name: ranking-freeze }
spec:
  slos: [ranker-v3/availability]
  freezeWhen: { budgetRemainingBelow: 0% }
  override: { maxDuration: 2h }
`;

// Who may do what: burnwatch:auto and the on-call group may roll back in ml-*; overriding a freeze
// from Slack is for the on-call group; everything else for everyone.
const ACTIONS = `actions:
  mode: live
  rules:
    - actions: [rollback]
      namespaces: ["ml-*"]
      users: ["burnwatch:auto"]
      groups: [SONCALL]
  verify: { timeoutSeconds: 60, pollSeconds: 1, settleSeconds: 0 }
authorization:
  rules:
    - actions: ["incident.*", "alert.*", "slo.*"]
      everyone: true
    - actions: [budget.override]
      groups: [SONCALL]
`;

let prom: PrometheusServer;
let k8s: FakeK8s;
let db: TestDatabase;
let dir: string;
let bw: BurnwatchProcess;
let requester: SlackRequester;
const slack = new FakeSlackApi();
const channels: Record<string, string> = {};
// The fake API server's clock: the deploys' history in the past, then the wall clock.
const history = fixedClock(new Date((NOW - 22 * 60) * 1000).toISOString());
let seeding = true;

beforeAll(async () => {
  let s = scenario({ start: NOW - 3 * 86_400, end: NOW + 3600, step: 60 });
  for (const app of RANKERS) {
    s = s
      .counter('ranker_requests_total', { app, code: '200' }, [profile(20), profile(1).step(BURN_START, 0.7)])
      .counter('ranker_requests_total', { app, code: '500' }, [profile(20), profile(0).step(BURN_START, 0.3)]);
  }
  // v3 spent its whole budget two days ago (1 % errors for a day) and is quiet now: frozen, not paging.
  s = s
    .counter('ranker_requests_total', { app: 'v3', code: '200' }, [profile(20), profile(1).step(NOW - 2 * 86_400, 0.99).step(NOW - 86_400, 1)])
    .counter('ranker_requests_total', { app: 'v3', code: '500' }, [profile(20), profile(0).step(NOW - 2 * 86_400, 0.01).step(NOW - 86_400, 0)]);
  prom = await startPrometheus(s);
  await slack.start();
  for (const app of [...RANKERS, 'v3']) channels[app] = slack.addChannel(`ranker-${app}`, [alice.id, mallory.id]);
  slack.addUsergroup('SONCALL', [alice.id]);

  k8s = await startFakeK8s({ now: () => (seeding ? history.now() : new Date()) });
  // Each ranker: v41 rolled out 22 min ago, v42 (the suspected change) 12 min ago, 2 min before the burn.
  for (const app of RANKERS) {
    history.set(new Date((NOW - 22 * 60) * 1000).toISOString());
    seedDeployment(k8s, history, { namespace: `ml-${app}`, name: 'ranker', versions: ['v41', 'v42'] });
  }
  seeding = false;

  db = await createPostgresDatabase('bw_auto');
  dir = await makeTempDir();
  await fs.mkdir(path.join(dir, 'slos'));
  await fs.writeFile(path.join(dir, 'slos', 'rankers.yaml'), SPECS(prom.url));
  await fs.writeFile(path.join(dir, 'actions.yaml'), ACTIONS);
  await fs.writeFile(
    path.join(dir, 'kubeconfig.yaml'),
    `apiVersion: v1
kind: Config
clusters: [{ name: fake, cluster: { server: "${k8s.url}", insecure-skip-tls-verify: true } }]
users: [{ name: burnwatch, user: { token: fake-token } }]
contexts: [{ name: fake, context: { cluster: fake, user: burnwatch, namespace: burnwatch } }]
current-context: fake
`,
  );
  bw = await startBurnwatch({
    DATABASE_URL: db.url,
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_PORT: '0',
    BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
    BURNWATCH_DATA_DIR: path.join(dir, 'data'),
    BURNWATCH_API_TOKEN: TOKEN,
    BURNWATCH_LEADER: 'none',
    BURNWATCH_SCHEDULE: '*/15 * * * * *',
    BURNWATCH_NOTIFY_LOG: 'false',
    BURNWATCH_OUTBOX_BACKOFF: '1s',
    BURNWATCH_LOG_LEVEL: 'info',
    BURNWATCH_ACTIONS_CONFIG: path.join(dir, 'actions.yaml'),
    KUBECONFIG: path.join(dir, 'kubeconfig.yaml'),
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
  });
  requester = new SlackRequester(`${bw.url}/slack/events`, SECRET);
});
afterAll(async () => {
  await bw?.kill('SIGTERM');
  await slack.stop();
  await k8s?.close();
  await prom?.destroy();
  await db?.drop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const text = (m: FakeMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;
const withButton = (actionId: string) => (m: FakeMessage) => JSON.stringify(m.blocks).includes(`"action_id":"${actionId}"`);
const buttonValue = (m: FakeMessage, actionId: string): string => {
  const actions = (m.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions');
  return actions!.elements!.find((e) => e.action_id === actionId)!.value;
};
/** Writes to a ranker's Deployment that changed something (not the dry runs of the plan). */
const patches = (app: string) =>
  k8s.requests.filter((r: RequestRecord) => r.method === 'PATCH' && r.resource === 'deployments' && r.namespace === `ml-${app}` && !r.dryRun && r.status >= 200 && r.status < 300);
const pendingPost = (app: string) => until(`the "rolling back" post of ranker-${app}`, () => slack.messagesIn(channels[app]!).find((m) => /Rolling back/.test(m.text) && withButton(ACTION.autoCancel)(m)), 120_000);
const replies = (id: string) => slack.responses.filter((r) => r.id === id).map((r) => String(r.body.text));
// The fake updates messages in place: what a click sends is read from the message as first posted.
const firstSeen = new Map<string, string>();
const click = (user: typeof alice, actionId: string, message: FakeMessage, app: string, responseId: string) => {
  const key = `${message.channel}|${message.ts}|${actionId}`;
  if (!firstSeen.has(key)) firstSeen.set(key, buttonValue(message, actionId));
  return requester.blockAction({ user, actionId, value: firstSeen.get(key)!, channel: channels[app]!, messageTs: message.ts, responseUrl: slack.responseUrl(responseId) });
};
const gate = async (slo: string) => (await (await fetch(`${bw.url}/api/gate?slo=${slo}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { pass: boolean; reason: string };

describe('automatic remediation and freeze overrides from Slack, through burnwatch serve', () => {
  it('announces each automatic rollback with a Cancel button; clicks cancel only when authorized', { timeout: 240_000 }, async () => {
    const [a, b, c] = await Promise.all(RANKERS.map(pendingPost));
    for (const m of [a!, b!, c!]) firstSeen.set(`${m.channel}|${m.ts}|${ACTION.autoCancel}`, buttonValue(m, ACTION.autoCancel));
    expect(a!.text).toMatch(/^:robot_face: Rolling back ml-a\/Deployment\/ranker in 1 min because of Deployment ml-a\/ranker revision 2 \(model v42\) 1\d min before the burn/);

    // mallory may not cancel (not in actions.rules): told privately, and it still runs.
    const refused = await click(mallory, ACTION.autoCancel, b!, 'b', 'mallory-cancel');
    expect(refused.status).toBe(200);
    await until('the refusal', () => replies('mallory-cancel')[0]);
    expect(replies('mallory-cancel')).toEqual([':no_entry: you are not allowed to rollback in namespace ml-b; ask an owner to add you to actions.rules. It was not cancelled.']);

    // alice (on call) cancels ranker-c; the post says so; her second click cancels nothing more.
    expect((await click(alice, ACTION.autoCancel, c!, 'c', 'alice-cancel-1')).status).toBe(200);
    await until('the cancelled post', () => slack.messagesIn(channels.c!).find((m) => m.ts === c!.ts && m.edited && /cancelled by <@UALICE01>/.test(text(m))));
    expect(withButton(ACTION.autoCancel)(slack.messagesIn(channels.c!).find((m) => m.ts === c!.ts)!)).toBe(false);
    expect((await click(alice, ACTION.autoCancel, c!, 'c', 'alice-cancel-2')).status).toBe(200);
    await until('the second answer', () => replies('alice-cancel-2')[0]);
    expect(replies('alice-cancel-2')).toEqual([':information_source: the automatic rollback of ranker-c/availability was already cancelled by UALICE01.']);
    await until('the cancel notice', () => slack.messagesIn(channels.c!).find((m) => /Automatic rollback of ranker-c\/availability cancelled by <@UALICE01>/.test(m.text)));

    // Nobody cancelled ranker-a, mallory's cancel did not count for ranker-b: both roll back, once.
    // They run one after the other (each verified before the next); the controller finishes each rollout.
    const rolledOut = new Set<string>();
    await until('the rollbacks of ranker-a and ranker-b', () => {
      for (const app of ['a', 'b']) {
        if (rolledOut.has(app) || patches(app).length === 0) continue;
        k8s.completeRollout('Deployment', `ml-${app}`, 'ranker');
        rolledOut.add(app);
      }
      return rolledOut.size === 2;
    }, 150_000);
    for (const app of ['a', 'b']) {
      const result = await until(`the result of ranker-${app}`, () => slack.messagesIn(channels[app]!).find((m) => /^:robot_face: Automatic rollback of/.test(m.text)), 90_000);
      expect(result.text).toMatch(new RegExp(`^:robot_face: Automatic rollback of ranker-${app}/availability: Roll back Deployment ml-${app}/ranker from revision 2 \\(model v42\\) to revision 1 \\(model v41\\)\\. Rollout finished`));
      expect(k8s.get('Deployment', `ml-${app}`, 'ranker')!.spec.template).toEqual(podTemplate('ranker', 'v41'));
    }
    // Their posts lost the Cancel button and say how it ended.
    for (const [app, post] of [['a', a!], ['b', b!]] as const) {
      await until(`the post of ranker-${app}, answered`, () => slack.messagesIn(channels[app]!).find((m) => m.ts === post.ts && !withButton(ACTION.autoCancel)(m) && /Automatic rollback of .*: Roll back/.test(text(m))));
    }
    // A click after it ran says so and changes nothing.
    await click(alice, ACTION.autoCancel, a!, 'a', 'alice-late');
    await until('the late answer', () => replies('alice-late')[0]);
    expect(replies('alice-late')[0]).toMatch(/^:information_source: the automatic rollback of ranker-a\/availability already ran \(done\): Roll back Deployment ml-a\/ranker/);

    // Every due remediation ran in the same pass as ranker-a's: ranker-c, cancelled, never wrote.
    const listed = (await (await fetch(`${bw.url}/api/remediation/auto`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Array<{ sloId: string; state: string }>;
    expect(Object.fromEntries(listed.map((r) => [r.sloId, r.state]))).toEqual({ 'ranker-a/availability': 'done', 'ranker-b/availability': 'done', 'ranker-c/availability': 'cancelled' });
    expect([patches('a').length, patches('b').length, patches('c').length]).toEqual([1, 1, 0]);
    expect(k8s.get('Deployment', 'ml-c', 'ranker')!.spec.template).toEqual(podTemplate('ranker', 'v42'));

    const store = await openStore({ databaseUrl: db.url, dataDir: dir });
    try {
      // Both page tiers fire, and still one decision per SLO (one page episode).
      const firing = (await loadAlertStates(store.db, 'ranker-a/availability')).filter((r) => r.state === 'firing' && (r.details as { severity?: string }).severity === 'page');
      expect(firing.map((r) => r.tier).sort()).toEqual(['page-1h-5m', 'page-6h-30m']);
      const audit = await listAudit(store.db);
      const of = (app: string) => audit.filter((r) => r.target === `ranker-${app}/availability` && r.action.startsWith('auto.')).map((r) => `${r.actor} ${r.action} ${r.result}`);
      expect(of('a')).toEqual(['burnwatch:auto auto.rollback scheduled', 'burnwatch:auto auto.rollback done']);
      expect(of('b')).toEqual(['burnwatch:auto auto.rollback scheduled', 'UMALLORY auto.cancel refused', 'burnwatch:auto auto.rollback done']);
      expect(of('c')).toEqual(['burnwatch:auto auto.rollback scheduled', 'UALICE01 auto.cancel ok']);
      expect(audit.filter((r) => r.action === 'action.rollback' && r.actor === 'burnwatch:auto' && r.result === 'done').map((r) => r.target).sort()).toEqual(['ml-a/Deployment/ranker', 'ml-b/Deployment/ranker']);
    } finally {
      await store.close();
    }
  });

  it('freezes the exhausted budget; an authorized Slack override lifts it (audited), an unauthorized one does not', { timeout: 180_000 }, async () => {
    const frozen = await gate('ranker-v3/availability');
    expect(frozen.pass).toBe(false);
    expect(frozen.reason).toMatch(/^ranker-v3\/availability: deploy freeze since .* \(policy ranking-freeze: -\d+(\.\d)?% of the error budget left, freezes at or below 0%\)/);
    const post = await until('the freeze post', () => slack.messagesIn(channels.v3!).find((m) => /Deploy freeze\* for \*ranker-v3\/availability\*/.test(m.text)), 90_000);
    expect(withButton(ACTION.freezeOverride)(post)).toBe(true);

    // mallory is not on call: refused privately (audited), no modal, still frozen.
    await click(mallory, ACTION.freezeOverride, post, 'v3', 'mallory-override');
    await until('the refusal', () => replies('mallory-override')[0]);
    expect(replies('mallory-override')[0]).toMatch(/^:no_entry: you are not allowed to override deploy freezes here/);
    expect(slack.views).toHaveLength(0);
    expect((await gate('ranker-v3/availability')).pass).toBe(false);

    // alice: the modal asks why; a reason of two letters is sent back; then the override.
    await click(alice, ACTION.freezeOverride, post, 'v3', 'alice-override');
    const modal = await until('the override modal', () => slack.views[0]);
    expect(modal.view).toMatchObject({ callback_id: VIEW.freezeOverride, title: { text: 'Override freeze?' } });
    const submit = (reason: string) =>
      requester.viewSubmission({ user: alice, callbackId: VIEW.freezeOverride, privateMetadata: String(modal.view.private_metadata), values: { [OVERRIDE_BLOCK]: { [OVERRIDE_INPUT]: reason } } });
    const tooShort = await submit('ok');
    expect(tooShort.status).toBe(200);
    expect(await tooShort.json()).toMatchObject({ response_action: 'errors' });
    expect((await gate('ranker-v3/availability')).pass).toBe(false);
    expect((await submit('checkout hotfix INC-42')).status).toBe(200);

    const open = await until('the gate to pass', async () => {
      const g = await gate('ranker-v3/availability');
      return g.pass ? g : undefined;
    });
    expect(open.reason).toMatch(/deploy freeze .* overridden by UALICE01 until .*: checkout hotfix INC-42/);
    const updated = await until('the freeze post, updated', () => slack.messagesIn(channels.v3!).find((m) => m.ts === post.ts && m.edited ? m : undefined));
    expect(text(updated)).toMatch(/:unlock: \*Deploy freeze overridden\* for \*ranker-v3\/availability\* by <@UALICE01> until .*: checkout hotfix INC-42/);
    expect(text(updated)).toMatch(/:no_entry: \*Deploy freeze\* for \*ranker-v3\/availability\*/);
    expect(withButton(ACTION.freezeOverride)(updated)).toBe(false);
    await until('the override notice', () => slack.messagesIn(channels.v3!).find((m) => /^:unlock: \*Deploy freeze overridden\* for \*ranker-v3\/availability\* by <@UALICE01> until .* \(policy `ranking-freeze`\): checkout hotfix INC-42\. Its deploy gate passes until then\./.test(m.text)));

    const store = await openStore({ databaseUrl: db.url, dataDir: dir });
    try {
      const audit = (await listAudit(store.db)).filter((r) => r.target === 'ranker-v3/availability').map((r) => `${r.actor} ${r.action} ${r.result}`);
      expect(audit).toEqual(['burnwatch budget.freeze.start ok', 'slack:UMALLORY budget.override refused', 'UALICE01 budget.freeze.override ok']);
    } finally {
      await store.close();
    }
  });
});

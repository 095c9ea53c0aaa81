// Authorization of every incident and alert command from one policy (the `authorization:`
// section of BURNWATCH_ACTIONS_CONFIG), on the real Bolt app driven by signed requests:
// a workspace member outside the SLO owner's on-call group cannot resolve, take command
// or silence; a silence longer than the policy allows is refused; each refusal is a private
// message and an audit row, and nothing changes. Text people type is posted escaped.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthorizationPolicy } from '../../src/authz/load-policy.ts';
import { getIncident } from '../../src/incidents/incident-store.ts';
import { notificationPayload } from '../../src/service/evaluation-cycle.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { enqueue } from '../../src/store/repositories/outbox.ts';
import { SlackHarness } from '../helpers/slack-harness.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { AlertFeed, evaluationAt, rankerSlo } from '../slack/alert-fixtures.ts';

const alice = { id: 'UALICE01', name: 'alice' }; // in the owner's on-call group
const mallory = { id: 'UMALLORY1', name: 'mallory' }; // any workspace member
const slo = rankerSlo();

const POLICY = `actions:
  rules: []
authorization:
  rules:
    - actions: [incident.open, incident.list, slo.status]
      everyone: true
    - actions: [incident.*, alert.*]
      sloOwners: true
  silence:
    maxDuration: 4h
`;

describe('Slack commands under an authorization policy', () => {
  let h: SlackHarness;
  let db: TestDatabase;
  let dir: string;
  let alertChannel: string;
  const tried = { tried: 0, refused: 0 };

  beforeAll(async () => {
    dir = await makeTempDir();
    await fs.writeFile(path.join(dir, 'actions.yaml'), POLICY);
    const policy = await loadAuthorizationPolicy(path.join(dir, 'actions.yaml'));
    db = await createPostgresDatabase('bw_authz');
    h = await new SlackHarness({
      slos: [slo],
      databaseUrl: db.url,
      config: { owners: { 'recs-serving': { oncallUsergroup: 'SRECSONCALL' } } },
      ...(policy && { policy }),
    }).start();
    h.slack.addUsergroup('SRECSONCALL', [alice.id]);
    alertChannel = h.slack.addChannel('recs-oncall', [alice.id, mallory.id]);
    // A page alert, as the evaluation cycle would send it.
    const feed = new AlertFeed();
    const evaluation = evaluationAt(slo, h.clock.now(), [[20, 100], [8, 40], [2, 10], [0.7, 3]], 0.9);
    await saveEvaluation(h.store.db, evaluation);
    for (const intent of feed.step(evaluation)) {
      await enqueue(h.store.db, { idempotencyKey: `${intent.idempotencyKey}|slack:#recs-oncall`, channel: 'slack:#recs-oncall', kind: `alert.${intent.kind}`, payload: notificationPayload(intent, slo), at: h.clock.now() });
    }
    await h.deliver();
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await db?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const lastReply = (id: string) => String(h.slack.responses.find((r) => r.id === id)?.body.text ?? '');
  const refusals = async () => (await listAudit(h.store.db)).filter((a) => a.result === 'refused');

  it('anyone may open an incident; only the owner group may resolve it, take command or mark it mitigated', async () => {
    await h.requester.command({ user: mallory, command: '/incident', text: 'open ranker/latency is slow', channel: alertChannel, responseUrl: h.slack.responseUrl('open') });
    expect(lastReply('open')).toContain('Opened incident #1');
    await h.deliver();
    const before = await getIncident(h.store.db, 1);
    const attempts: Array<[string, () => Promise<Response>]> = [
      ['resolve', () => h.requester.command({ user: mallory, command: '/incident', text: 'resolve #1 nothing to see', channel: alertChannel, responseUrl: h.slack.responseUrl('m-resolve') })],
      ['update', () => h.requester.command({ user: mallory, command: '/incident', text: 'update #1 all fine', channel: alertChannel, responseUrl: h.slack.responseUrl('m-update') })],
      ['postmortem', () => h.requester.command({ user: mallory, command: '/incident', text: 'postmortem #1', channel: alertChannel, responseUrl: h.slack.responseUrl('m-pm') })],
      ['take', () => h.requester.blockAction({ user: mallory, actionId: ACTION.incidentTakeCommand, value: '1', channel: alertChannel, responseUrl: h.slack.responseUrl('m-take') })],
      ['mitigated', () => h.requester.blockAction({ user: mallory, actionId: ACTION.incidentMitigated, value: '1', channel: alertChannel, responseUrl: h.slack.responseUrl('m-mit') })],
      ['resolve button', () => h.requester.blockAction({ user: mallory, actionId: ACTION.incidentResolve, value: '1', channel: alertChannel, responseUrl: h.slack.responseUrl('m-rb') })],
    ];
    for (const [, attempt] of attempts) {
      expect((await attempt()).status).toBe(200);
      tried.tried += 1;
    }
    for (const id of ['m-resolve', 'm-update', 'm-pm', 'm-take', 'm-mit', 'm-rb']) {
      const text = lastReply(id);
      expect(text, id).toMatch(/^:no_entry: you are not allowed to/);
      if (text.startsWith(':no_entry:')) tried.refused += 1;
    }
    expect(h.slack.views).toEqual([]);
    const incident = await getIncident(h.store.db, 1);
    expect(incident?.status).not.toBe('resolved');
    expect(incident?.commander).toEqual(before?.commander);
    expect(incident).toEqual(before);
    const audit = await refusals();
    expect(audit.map((a) => a.action).sort()).toEqual(['incident.mitigate', 'incident.postmortem', 'incident.resolve', 'incident.resolve', 'incident.take-command', 'incident.update']);
    expect(audit.every((a) => a.actor === `slack:${mallory.id}` && a.target === 'incident:1')).toBe(true);

    await h.requester.blockAction({ user: alice, actionId: ACTION.incidentTakeCommand, value: '1', channel: alertChannel, responseUrl: h.slack.responseUrl('a-take') });
    expect((await getIncident(h.store.db, 1))?.commander?.id).toBe(alice.id);
  });

  it('silences only by the owner group and no longer than the policy allows', async () => {
    const silence = (user: typeof alice, option: string, id: string) =>
      h.requester.blockAction({ user, actionId: ACTION.alertSilence, selectedOption: `1:${option}`, channel: alertChannel, responseUrl: h.slack.responseUrl(id) });
    await silence(mallory, '1h', 'm-s1');
    await silence(alice, 'resolved', 'a-s-forever');
    tried.tried += 2;
    expect(lastReply('m-s1')).toMatch(/not allowed to silence alerts/);
    expect(lastReply('a-s-forever')).toMatch(/silences need an end here \(at most 4h\)/);
    tried.refused += [lastReply('m-s1'), lastReply('a-s-forever')].filter((t) => t.startsWith(':no_entry:')).length;
    expect((await h.store.db.query('SELECT count(*)::int AS n FROM silences')).rows[0].n).toBe(0);
    await silence(alice, '4h', 'a-s4');
    expect(lastReply('a-s4')).toContain('Silenced until');
    expect((await h.store.db.query('SELECT count(*)::int AS n FROM silences')).rows[0].n).toBe(1);
    const audit = await refusals();
    expect(audit.filter((a) => a.action === 'alert.silence').map((a) => a.actor).sort()).toEqual([`slack:${alice.id}`, `slack:${mallory.id}`]);
  });

  it('posts what people type escaped: no channel mentions, no disguised links', async () => {
    await h.requester.command({ user: alice, command: '/incident', text: 'update #1 <!channel> read <https://evil.example/x|the runbook> & <@U0BOSS>', channel: alertChannel, responseUrl: h.slack.responseUrl('a-upd') });
    await h.deliver();
    const incidentChannel = (await getIncident(h.store.db, 1))!.channelId!;
    const update = h.slack.messagesIn(incidentChannel).find((m) => m.text.includes('Update from'));
    expect(update?.text).toBe(`:mega: Update from <@${alice.id}>: &lt;!channel&gt; read &lt;https://evil.example/x|the runbook&gt; &amp; &lt;@U0BOSS&gt;`);
    for (const m of h.slack.messagesIn(incidentChannel)) {
      expect(m.text).not.toContain('<!channel>');
      expect(m.text).not.toContain('<https://evil');
    }
    process.stdout.write(`authorization run: ${JSON.stringify(tried)}\n`);
    expect(tried.refused).toBe(tried.tried);
  });
});

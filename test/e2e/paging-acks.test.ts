// Acknowledgements both ways between Slack and PagerDuty, on the wired service: a real
// Prometheus with two burning SLOs that page one PagerDuty service, the Slack bot driven by
// signed requests against the recording Slack fake, and a wire-level PagerDuty fake. An ack
// clicked in Slack acknowledges the PagerDuty incident; an ack made in PagerDuty (a signed v3
// webhook) acknowledges burnwatch's alert and its Slack message, once; a forged one is refused.
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../src/app/start-service.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { loadConfig } from '../../src/service/config.ts';
import { ACTION } from '../../src/slack/action-ids.ts';
import { escalateDuePages } from '../../src/slack/page-escalation.ts';
import { slackServiceExtension } from '../../src/slack/slack-extension.ts';
import { buildPostmortem } from '../../src/incidents/build-postmortem.ts';
import { loadPostmortemTemplate } from '../../src/incidents/postmortem.ts';
import { SOURCE_FACTORIES } from '../../src/sources/registry.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { type FakePagerDuty, pagerDutySignature, pagerDutyWebhookBody, startFakePagerDuty } from '../fakes/pagerduty-api.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { SlackRequester } from '../fakes/slack-requests.ts';
import { type PrometheusServer, profile, scenario, startPrometheus, unix } from '../fixtures/prometheus/index.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';

const SECRET = 'e2e-slack-signing-secret-0123456789';
const PD_KEY = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const LEADS_KEY = 'abadcafeabadcafeabadcafeabadcafe';
const PD_WEBHOOK_SECRET = 'pd-webhook-secret-0123456789';
const B = unix('2026-11-21T10:00:00Z');
const iso = (t: number) => new Date(t * 1000).toISOString();
const alice = { id: 'UALICE01', name: 'alice' };

const slo = (promUrl: string, name: string, code: string, extra = '') => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ${name}, service: hstu-ranker, owner: recs-serving }
spec:
  objective: 99.9
  window: 30d
  source: prometheus
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{region="${code}",code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total{region="${code}"}[$window]))
  alerting: { channel: "#recs-oncall", page: pagerduty:ranker${extra} }
---
`;

describe('acknowledgements between Slack and PagerDuty', () => {
  let prom: PrometheusServer;
  let pd: FakePagerDuty;
  let dir: string;
  let service: RunningService;
  const slack = new FakeSlackApi();
  const clock = fixedClock(iso(B - 300));
  let requester: SlackRequester;
  let channel: string;

  beforeAll(async () => {
    let s = scenario({ start: B - 30 * 86_400, end: B + 3600, step: 60 });
    for (const region of ['us', 'eu', 'apac'])
      s = s
        .counter('ranker_requests_total', { region, code: '200' }, [profile(20), profile(1).step(B, 0.8)])
        .counter('ranker_requests_total', { region, code: '500' }, [profile(20), profile(0).step(B, 0.2)]);
    prom = await startPrometheus(s);
    pd = await startFakePagerDuty();
    pd.addService(PD_KEY);
    await slack.start();
    channel = slack.addChannel('recs-oncall', [alice.id]);
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(
      path.join(dir, 'slos', 'ranker.yaml'),
      `apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: prometheus }\nspec:\n  prometheus: { url: "${prom.url}" }\n---\n${slo(prom.url, 'availability-us', 'us')}${slo(prom.url, 'availability-eu', 'eu')}${slo(prom.url, 'availability-apac', 'apac', ', escalateAfter: 1m, escalation: ["slack:@SLEADS", "pagerduty:leads"]')}`,
    );
    await fs.writeFile(
      path.join(dir, 'paging.yaml'),
      `pagerduty:\n  eventsUrl: ${pd.url}\n  services:\n    ranker: { routingKey: { env: TEST_PD_KEY } }\n    leads: { routingKey: { env: TEST_PD_LEADS_KEY } }\n  webhookSecrets: [{ env: TEST_PD_WEBHOOK_SECRET }]\n  apiUrl: ${pd.url}\n  apiToken: { env: TEST_PD_API_TOKEN }\noncall:\n  recs-serving: { pagerduty: { escalationPolicy: PRECS } }\n  ml-training: { rota: { start: "2026-11-02T09:00:00Z", every: 1w, people: [ana@ml.example, bo@ml.example] } }\n`,
    );
    process.env.TEST_PD_KEY = PD_KEY;
    process.env.TEST_PD_LEADS_KEY = LEADS_KEY;
    pd.addService(LEADS_KEY);
    process.env.TEST_PD_API_TOKEN = pd.restToken;
    pd.oncalls.push({ policy: 'PRECS', level: 1, user: { id: 'PALICE', summary: 'Alice A.', email: 'alice@recs.example' }, end: '2026-11-21T18:00:00Z' });
    pd.oncalls.push({ policy: 'PRECS', level: 2, user: { id: 'PDAN', summary: 'Dan D.', email: 'dan@recs.example' }, end: null });
    slack.users.set(alice.id, alice.name);
    slack.emails.set('alice@recs.example', alice.id);
    process.env.TEST_PD_WEBHOOK_SECRET = PD_WEBHOOK_SECRET;
    const env = {
      BURNWATCH_PORT: '0',
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_PAGING_CONFIG: path.join(dir, 'paging.yaml'),
      BURNWATCH_SCHEDULE: '* * * * * *',
      BURNWATCH_NOTIFY_LOG: 'false',
      BURNWATCH_LEADER: 'none',
      BURNWATCH_OUTBOX_BACKOFF: '1s',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
    };
    service = await startService({
      config: loadConfig(env),
      clock,
      logger: pino({ level: 'silent' }),
      loadSpecs: (d) => loadSpecs([d], { cwd: dir }),
      sourceFactories: SOURCE_FACTORIES,
      extensions: [slackServiceExtension({ env })],
    });
    requester = new SlackRequester(`${service.url}/slack/events`, SECRET);
    clock.set(iso(B + 360));
  });
  afterAll(async () => {
    await service?.stop('test');
    await slack.stop();
    await pd?.close();
    await prom?.destroy();
    await fs.rm(dir, { recursive: true, force: true });
    delete process.env.TEST_PD_KEY;
    delete process.env.TEST_PD_LEADS_KEY;
    delete process.env.TEST_PD_API_TOKEN;
    delete process.env.TEST_PD_WEBHOOK_SECRET;
  });

  const alertOf = async (sloId: string) => {
    const { rows } = await service.store.db.query('SELECT id, state, acknowledged_by FROM slack_alerts WHERE slo_id = $1', [sloId]);
    return rows[0] as { id: number | string; state: string; acknowledged_by: { name: string } | null } | undefined;
  };
  const incidentOf = (sloId: string) => pd.incidents.find((i) => i.dedupKey === `burnwatch/${sloId}/page`);

  it('pages PagerDuty once per SLO and posts both alerts in Slack', async () => {
    await until('three PagerDuty incidents', () => pd.incidents.length === 3, 60_000);
    await until('two Slack alerts', async () => (await alertOf('hstu-ranker/availability-us')) && (await alertOf('hstu-ranker/availability-eu')), 60_000);
    expect(incidentOf('hstu-ranker/availability-us')?.status).toBe('triggered');
  });

  it('an acknowledgement clicked in Slack acknowledges the PagerDuty incident', async () => {
    const alert = (await alertOf('hstu-ranker/availability-us'))!;
    const res = await requester.blockAction({ user: alice, actionId: ACTION.alertAck, value: String(alert.id), channel, messageTs: slack.messagesIn(channel)[0]!.ts, responseUrl: slack.responseUrl() });
    expect(res.status).toBe(200);
    await until('the PagerDuty incident acknowledged', () => incidentOf('hstu-ranker/availability-us')?.status === 'acknowledged', 30_000);
    expect(incidentOf('hstu-ranker/availability-eu')?.status).toBe('triggered');
  });

  it('an acknowledgement made in PagerDuty acknowledges the alert here, once; a forged one is refused', async () => {
    const url = `${service.url}/api/pagerduty/webhook`;
    const body = pagerDutyWebhookBody('incident.acknowledged', incidentOf('hstu-ranker/availability-eu')!, 'Maeve');
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-pagerduty-signature': pagerDutySignature(body, 'guessed-secret') }, body });
    expect(forged.status).toBe(401);
    expect((await alertOf('hstu-ranker/availability-eu'))?.state).toBe('firing');

    const signed = { 'content-type': 'application/json', 'x-pagerduty-signature': pagerDutySignature(body, PD_WEBHOOK_SECRET) };
    const first = await fetch(url, { method: 'POST', headers: signed, body });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ applied: true });
    const alert = await alertOf('hstu-ranker/availability-eu');
    expect(alert?.state).toBe('acknowledged');
    expect(alert?.acknowledged_by?.name).toBe('Maeve (acknowledged in PagerDuty)');
    // The Slack message says so.
    await until('the Slack alert updated', () => JSON.stringify(slack.messagesIn(channel)).includes('Maeve'), 30_000);
    // A replay of the same delivery changes nothing.
    const replay = await fetch(url, { method: 'POST', headers: signed, body });
    expect(await replay.json()).toEqual({ duplicate: true });
    // Not sent back to PagerDuty, where it came from.
    expect(pd.requests.filter((r) => r.event.event_action === 'acknowledge' && r.event.dedup_key === 'burnwatch/hstu-ranker/availability-eu/page')).toHaveLength(0);
  });

  it('escalates a page nobody acknowledged: the leads group after 1m, their pager after 2m, each once', async () => {
    const leadsMention = () => slack.messagesIn(channel).filter((m) => m.text.includes('<!subteam^SLEADS>'));
    const leadsPages = () => pd.incidents.filter((i) => i.routingKey === LEADS_KEY);
    const fired = (await service.store.db.query("SELECT fired_at FROM slack_alerts WHERE slo_id = 'hstu-ranker/availability-apac'")).rows[0].fired_at as Date;
    // A pass of our own at chosen instants (the service's own passes run beside it; each step is claimed once).
    const specs = await loadSpecs([path.join(dir, 'slos')], { cwd: dir });
    const pass = () =>
      escalateDuePages({ db: service.store.db, clock, logger: pino({ level: 'silent' }), slo: (id) => specs.slos.find((x) => x.id === id), isLeader: () => true, outboxWritten: () => {} });
    clock.set(new Date(fired.getTime() + 59_000).toISOString());
    expect(await pass()).toBe(0); // nothing due yet
    expect(leadsMention()).toHaveLength(0);
    clock.set(new Date(fired.getTime() + 61_000).toISOString());
    await until('the leads mentioned', () => leadsMention().length === 1, 30_000);
    expect(leadsMention()[0]!.text).toContain('hstu-ranker/availability-apac');
    expect(leadsPages()).toHaveLength(0);
    clock.set(new Date(fired.getTime() + 121_000).toISOString());
    await until("the leads' pager", () => leadsPages().length === 1, 30_000);
    expect(leadsPages()[0]!.dedupKey).toBe('burnwatch/hstu-ranker/availability-apac/page');
    // The acknowledged SLOs never escalate, and no step is taken twice.
    clock.set(new Date(fired.getTime() + 600_000).toISOString());
    expect(await pass()).toBe(0);
    expect(leadsMention()).toHaveLength(1);
    expect(leadsPages()).toHaveLength(1);
    const { rows } = await service.store.db.query('SELECT count(*) AS n FROM alert_escalations');
    expect(Number(rows[0].n)).toBe(2);
  });

  it("/oncall names who is on call: PagerDuty's on-calls mapped to Slack users by e-mail, and a team's rota", async () => {
    const responseUrl = slack.responseUrl();
    const res = await requester.command({ user: alice, command: '/oncall', text: '', channel, responseUrl });
    expect(res.status).toBe(200);
    const answer = await until('the /oncall answer', () => slack.responses.find((r) => responseUrl.endsWith(r.id)));
    const text = String(answer.body.text);
    // Alice has a Slack account with that e-mail: mentioned; Dan has none: named; week 3 of the rota is ana's again.
    expect(text).toContain(`*recs-serving*: <@${alice.id}> until 2026-11-21 18:00 UTC, Dan D. (dan@recs.example) (level 2)`);
    expect(text).toContain('*ml-training*: ana (ana@ml.example)');
    const unknown = slack.responseUrl();
    await requester.command({ user: alice, command: '/oncall', text: 'search', channel, responseUrl: unknown });
    const none = await until('the answer for an unknown team', () => slack.responses.find((r) => unknown.endsWith(r.id)));
    expect(String(none.body.text)).toContain("*search*: not in the paging file's `oncall` (teams: recs-serving, ml-training)");
  });

  it('the post-mortem names who was paged, when the pager took it, and who acknowledged', async () => {
    const alert = (await alertOf('hstu-ranker/availability-us'))!;
    const res = await requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: String(alert.id), channel, messageTs: slack.messagesIn(channel)[0]!.ts, responseUrl: slack.responseUrl() });
    expect(res.status).toBe(200);
    const incident = await until('the incident', async () => (await service.store.db.query('SELECT id FROM incidents WHERE alert_id = $1', [Number(alert.id)])).rows[0] as { id: number } | undefined);
    const specs = await loadSpecs([path.join(dir, 'slos')], { cwd: dir });
    const markdown = await buildPostmortem(
      { db: service.store.db, clock, slo: (id) => specs.slos.find((x) => x.id === id), postmortemTemplate: () => loadPostmortemTemplate() },
      Number(incident.id),
    );
    const delivered = incidentOf('hstu-ranker/availability-us')!;
    expect(delivered.events[0]!.event_action).toBe('trigger');
    expect(markdown).toMatch(/- Paged: `pagerduty:ranker` at \S+, taken by the pager at \S+/);
    expect(markdown).toMatch(/- Acknowledged by alice at \S+/);
    // The other SLO's pages are not this incident's.
    expect(markdown).not.toContain('pagerduty:leads');
    // Its channel invites who is on call for the owner by PagerDuty's schedule, found in Slack by e-mail.
    const timeline = async () => (await service.store.db.query('SELECT text FROM incident_timeline WHERE incident_id = $1', [Number(incident.id)])).rows.map((r) => String(r.text));
    await until('the on-call invite', async () => (await timeline()).includes('Invited who is on call: Alice A.'), 30_000);
    const incidentChannel = (await service.store.db.query('SELECT channel_id FROM incidents WHERE id = $1', [Number(incident.id)])).rows[0].channel_id as string;
    expect(slack.channels.get(incidentChannel)?.members.has(alice.id)).toBe(true);
  });
});

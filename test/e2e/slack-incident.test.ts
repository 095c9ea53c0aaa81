// From page to post-mortem without leaving Slack, on the wired service: a real
// Prometheus with a bad deploy that burns the error budget, the service's scheduler
// and outbox, the Slack bot mounted on the service's port and driven by signed
// requests, and the recording Slack fake.
//
//   B−5m ok → B+6m the 1h/5m page tier fires (20 % errors: β 20 over 1h, 200 over 5m) → alert message → a signed click opens the
//   incident → channel, pin, timeline → B+15m rollback → B+21m the 5m burn rate is below 1x:
//   the incident is mitigated by itself → resolve (modal) → the post-mortem's timeline
//   and budget figures match what Prometheus says.
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../src/app/start-service.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { getPostmortem, listTimeline } from '../../src/incidents/incident-store.ts';
import { loadConfig } from '../../src/service/config.ts';
import { ACTION, RESOLVE_BLOCK, RESOLVE_INPUT, VIEW } from '../../src/slack/action-ids.ts';
import { slackServiceExtension } from '../../src/slack/slack-extension.ts';
import { SOURCE_FACTORIES } from '../../src/sources/registry.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { SlackRequester } from '../fakes/slack-requests.ts';
import { type PrometheusServer, profile, promQuery, scenario, unix } from '../fixtures/prometheus/index.ts';
import { startPrometheus } from '../fixtures/prometheus/index.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';
import { rankerAvailabilityYaml } from '../fixtures/ranker-availability.ts';

const SECRET = 'e2e-slack-signing-secret-0123456789';
const API_TOKEN = 'e2e-api-token-0123456789abcdef';
const B = unix('2026-11-21T10:00:00Z');
const ROLLBACK = B + 15 * 60;
const iso = (t: number) => new Date(t * 1000).toISOString();
const alice = { id: 'UALICE01', name: 'alice' };
const bob = { id: 'UBOB0001', name: 'bob' };

const BAD = 'sum(increase(ranker_requests_total{code=~"5.."}[30d])) / sum(increase(ranker_requests_total[30d]))';

describe('Slack incident, end to end on a real Prometheus', () => {
  let prom: PrometheusServer;
  let dir: string;
  let service: RunningService;
  const slack = new FakeSlackApi();
  const clock = fixedClock(iso(B - 300));
  const logs: string[] = [];
  let requester: SlackRequester;
  let alertChannel: string;

  beforeAll(async () => {
    // 30 days at 20 requests/s; a deploy at B makes 20 % of requests fail until the rollback at B+15m.
    const s = scenario({ start: B - 30 * 86_400, end: B + 3600, step: 60 })
      .counter('ranker_requests_total', { code: '200' }, [profile(20), profile(1).step(B, 0.8).step(ROLLBACK, 1)])
      .counter('ranker_requests_total', { code: '500' }, [profile(20), profile(0).step(B, 0.2).step(ROLLBACK, 0)]);
    prom = await startPrometheus(s);
    await slack.start();
    alertChannel = slack.addChannel('recs-oncall', [alice.id, bob.id]);
    slack.addUsergroup('SRECSONCALL', [alice.id, 'UCAROL01']);
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), rankerAvailabilityYaml({ prometheusUrl: prom.url, runbook: 'https://runbooks.example.com/ranking-availability' }));
    const env = {
      BURNWATCH_PORT: '0',
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_API_TOKEN: API_TOKEN,
      BURNWATCH_PUBLIC_URL: 'https://burnwatch.example.com',
      BURNWATCH_SCHEDULE: '* * * * * *',
      BURNWATCH_NOTIFY_LOG: 'false',
      BURNWATCH_LEADER: 'none',
      BURNWATCH_OUTBOX_BACKOFF: '1s',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_ONCALL_GROUPS: 'recs-serving=SRECSONCALL',
    };
    service = await startService({
      config: loadConfig(env),
      clock,
      logger: pino({ level: 'info' }, { write: (l: string) => logs.push(l) }),
      loadSpecs: (d) => loadSpecs([d], { cwd: dir }),
      sourceFactories: SOURCE_FACTORIES,
      extensions: [slackServiceExtension({ env })],
    });
    requester = new SlackRequester(`${service.url}/slack/events`, SECRET);
  });
  afterAll(async () => {
    await service?.stop('test');
    await slack.stop();
    await prom?.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Moves the service's clock and waits until the scheduler has evaluated at that instant. */
  async function evaluateAt(t: number): Promise<void> {
    clock.set(iso(t));
    await until(`an evaluation at ${iso(t)}`, async () => {
      const { rows } = await service.store.db.query('SELECT 1 FROM evaluations WHERE evaluated_at = $1', [new Date(t * 1000)]);
      return rows.length > 0 || undefined;
    });
  }

  const incidentChannel = () => slack.channelByName('inc-20261121-hstu-ranker-availability');

  it('posts the page in the SLO channel, with the suspected deploy', async () => {
    const deploy = await fetch(`${service.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ at: iso(B - 60), kind: 'deploy', subject: 'hstu-ranker v42', summary: 'new HSTU checkpoint', service: 'hstu-ranker', actor: 'argo' }),
    });
    expect(deploy.status).toBe(201);
    await evaluateAt(B - 300);
    expect(slack.messagesIn(alertChannel)).toHaveLength(0);
    await evaluateAt(B + 360);
    const message = await until('the alert message', () => slack.messagesIn(alertChannel)[0]);
    const text = JSON.stringify(message.blocks);
    expect(message.text).toMatch(/^FIRING page: availability/);
    expect(text).toContain('*1h/5m* (page): long 20.0× · short 200× vs factor 14.4×');
    expect(text).not.toContain(':fire: *6h/30m*');
    expect(text).toContain('hstu-ranker v42');
    expect(text).toContain('<https://runbooks.example.com/ranking-availability|open runbook>');
    // In plain words, the bad ratio against the allowed one, and a link into the console.
    expect((message.blocks[0] as { text: { text: string } }).text.text).toBe('Page: hstu-ranker — availability');
    expect(text).toContain('*2 % failing* over the last 1h, 0.1 % allowed');
    expect(text).toContain('"text":"View in burnwatch"},"url":"https://burnwatch.example.com/slos/hstu-ranker/availability"');
    const click = await requester.blockAction({ user: alice, actionId: ACTION.openConsole, value: '', channel: alertChannel, messageTs: message.ts, responseUrl: slack.responseUrl() });
    expect(click.status).toBe(200);
  });

  it('opens the incident from a signed click: channel, on-call invited, summary pinned, timeline', async () => {
    const [message] = slack.messagesIn(alertChannel);
    const res = await requester.blockAction({ user: alice, actionId: ACTION.alertOpenIncident, value: '1', channel: alertChannel, messageTs: message!.ts, responseUrl: slack.responseUrl() });
    expect(res.status).toBe(200);
    const channel = await until('the incident channel', incidentChannel);
    await until('the pinned summary', () => (slack.pins.get(channel.id)?.size ? true : undefined));
    expect([...channel.members].sort()).toEqual(['UALICE01', 'UBOT0001', 'UCAROL01']);
    const [summary] = slack.messagesIn(channel.id);
    expect(summary!.text).toBe('Incident #1 (investigating): availability is burning its error budget');
    expect(JSON.stringify(summary!.blocks)).toContain('"url":"https://burnwatch.example.com/incidents/1"');
    expect(slack.pins.get(channel.id)?.has(summary!.ts)).toBe(true);
    await until('the alert message to link the incident', () => JSON.stringify(slack.messagesIn(alertChannel)[0]!.blocks).includes('Incident #1 open') || undefined);
    const timeline = await listTimeline(service.store.db, 1);
    expect(timeline.slice(0, 3).map((e) => [e.at.toISOString(), e.text])).toEqual([
      [iso(B), 'Burn started (estimated from the burn rates and the evaluations before)'],
      [iso(B + 360), 'page alert fired for hstu-ranker/availability (1h/5m)'],
      [iso(B + 360), 'alice opened the incident from the alert'],
    ]);
  });

  it('marks the incident mitigated by itself when the burn stops after the rollback', async () => {
    await evaluateAt(B + 12 * 60); // the 6h/30m tier joins (β 6.7 over 6h)
    await evaluateAt(ROLLBACK + 6 * 60); // the 5m window holds no error any more (and 1h/5m has reset)
    const channel = incidentChannel()!;
    await until('the mitigation notice', () => slack.messagesIn(channel.id).find((m) => m.text.includes('burnwatch marked the incident *mitigated*')));
    await until('the summary to say mitigated', () => slack.messagesIn(channel.id)[0]!.text.includes('(mitigated)') || undefined);
    const texts = (await listTimeline(service.store.db, 1)).map((e) => e.text);
    expect(texts).toContain('page tier 6h/30m fired too');
    expect(texts).toContain('page tier 1h/5m reset');
    expect(texts).toContain('burnwatch marked the incident mitigated: the burn stopped: the shortest-window burn rate is below 1x (hstu-ranker/availability 5m 0x)');
  });

  it('resolves from the modal and posts a post-mortem whose timeline and budget figures are right', async () => {
    const channel = incidentChannel()!;
    clock.set(iso(ROLLBACK + 20 * 60));
    await requester.blockAction({ user: bob, actionId: ACTION.incidentResolve, value: '1', channel: channel.id, responseUrl: slack.responseUrl() });
    const view = await until('the resolve modal', () => slack.views.at(-1));
    const submit = await requester.viewSubmission({
      user: bob,
      callbackId: VIEW.resolveIncident,
      privateMetadata: String(view.view['private_metadata']),
      values: { [RESOLVE_BLOCK]: { [RESOLVE_INPUT]: 'v42 returned 500s for every request; rolled back to v41' } },
    });
    expect(submit.status).toBe(200);
    await until('the post-mortem message', () => slack.messagesIn(channel.id).find((m) => m.text === 'Post-mortem draft for incident #1'));
    const markdown = (await getPostmortem(service.store.db, 1))!.markdown;

    // Budget figures from Prometheus itself: remaining at the impact start (the last evaluation
    // before it, B−5m) and at the resolution (the last evaluation then, ROLLBACK+6m).
    const remaining = async (t: number) => 1 - (await promQuery(prom.url, BAD, t))! / 0.001;
    const spent = (await remaining(B - 300)) - (await remaining(ROLLBACK + 360));
    expect(spent).toBeGreaterThan(0.03);
    expect(markdown).toContain(`- Error budget spent: ${Math.round(spent * 10_000) / 100}% of the 30d budget`);
    expect(markdown).toContain(`- Budget remaining at resolution: ${Math.round((await remaining(ROLLBACK + 360)) * 10_000) / 100}%`);
    expect(markdown).toContain('- First alert: 2026-11-21T10:06:00.000Z (page 1h/5m (14.4x))');
    // burn start B, first page B+6m, mitigated when the 5m burn rate fell below 1x (the evaluation at ROLLBACK+6m), resolved at ROLLBACK+20m
    const page = B + 360;
    const mitigated = ROLLBACK + 6 * 60;
    const resolved = ROLLBACK + 20 * 60;
    const minutes = (seconds: number) => `${seconds / 60}m`;
    expect(markdown).toContain(`| Resolved | ${iso(resolved)} (${minutes(resolved - page)} after the first page) |`);
    expect(markdown).toContain(`| Time to detect | burn start → first page | ${minutes(page - B)} |`);
    expect(markdown).toContain(`| Time to mitigate | first page → mitigated (burn stopped) | ${minutes(mitigated - page)} |`);
    expect(markdown).toContain(`| Time to resolve | first page → resolved | ${minutes(resolved - page)} |`);
    expect(markdown).toContain(`| Impact duration | burn start → mitigated | ${minutes(mitigated - B)} |`);
    expect(markdown).toContain('- Suspected change: deploy `hstu-ranker v42`');
    expect(markdown).toContain('| Incident commander | alice |');
    expect(markdown).toContain('v42 returned 500s for every request; rolled back to v41');
    expect(markdown).toContain(`Impact start (burn start, estimated from the burn rates): 2026-11-21 10:00:00 UTC · detection (first page): 2026-11-21 10:06:00 UTC`);
    const lines = markdown.split('\n').filter((l) => l.startsWith('- ') && / UTC · | UTC — /.test(l));
    expect(lines).toEqual([
      '- 2026-11-21 10:00:00 UTC · burnwatch — Burn started (estimated from the burn rates and the evaluations before)',
      '- 2026-11-21 10:06:00 UTC · burnwatch — page alert fired for hstu-ranker/availability (1h/5m)',
      '- 2026-11-21 10:06:00 UTC · alice — alice opened the incident from the alert',
      '- 2026-11-21 10:06:00 UTC · burnwatch — Invited the on-call group <!subteam^SRECSONCALL> (2 people)',
      '- 2026-11-21 10:12:00 UTC · burnwatch — page tier 6h/30m fired too',
      // decided in the evaluation cycle's transaction, before the Slack bot applies the tier reset
      '- 2026-11-21 10:21:00 UTC · burnwatch — burnwatch marked the incident mitigated: the burn stopped: the shortest-window burn rate is below 1x (hstu-ranker/availability 5m 0x)',
      '- 2026-11-21 10:21:00 UTC · burnwatch — page tier 1h/5m reset',
      '- 2026-11-21 10:35:00 UTC · bob — bob resolved the incident: v42 returned 500s for every request; rolled back to v41',
    ]);
    expect(logs.some((l) => l.includes('"level":"error"'))).toBe(false);
  });
});

// An adversarial run against `burnwatch serve` as a real process: real PostgreSQL, a real
// Prometheus, the Slack Web API fake. One secret is seeded into every secret-bearing
// variable burnwatch reads (and referenced from an SLO file); the suite then tries the ways
// in that a probe found (crashing bodies, replays, wrong methods, secrets echoed by
// validation) and finally searches every log line, HTTP answer, Slack call and database
// row for the secret. Each attempt is counted; the README's guarantees table quotes them.
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { SlackRequester, signSlackRequest } from '../fakes/slack-requests.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

// One value, recognisable anywhere (also inside URL-encoding or JSON escaping it has none to lose).
const SECRET = 'S3cr3tZq9x7Kw2Lm4Np8Rt6Vy0Bc5Dh1';
const SIGNING = `${SECRET}-signing`;
const API_TOKEN = `${SECRET}-api`;
const NOW = Math.floor(Date.now() / 60_000) * 60;
const alice = { id: 'UALICE01', name: 'alice' };

const tried: Record<string, { tried: number; refused: number }> = {};
const count = (what: string, refused: boolean) => {
  const c = tried[what] ?? { tried: 0, refused: 0 };
  tried[what] = c;
  c.tried += 1;
  if (refused) c.refused += 1;
};

let prom: PrometheusServer;
let slack: FakeSlackApi;
let receiver: WebhookReceiver;
let db: TestDatabase;
let dir: string;
let bw: BurnwatchProcess;
let requester: SlackRequester;
let channel: string;
const answers: string[] = [];

async function call(url: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(url, init);
  const text = await res.text();
  answers.push(`${res.status} ${JSON.stringify(Object.fromEntries(res.headers))} ${text}`);
  return { status: res.status, text };
}

beforeAll(async () => {
  const s = scenario({ start: NOW - 86_400, end: NOW + 3600, step: 60 })
    // 5 % errors for the last 20 minutes: the page tier fires, so Slack and the webhook get alerts.
    .counter('ranker_requests_total', { code: '200' }, [profile(20), profile(1).step(NOW - 1200, 0.95)])
    .counter('ranker_requests_total', { code: '500' }, [profile(20), profile(0).step(NOW - 1200, 0.05)]);
  prom = await startPrometheus(s);
  slack = new FakeSlackApi();
  await slack.start();
  channel = slack.addChannel('recs-oncall', [alice.id]);
  receiver = await startWebhookReceiver();
  db = await createPostgresDatabase('bw_sec');
  dir = await makeTempDir();
  await fs.mkdir(path.join(dir, 'slos'));
  slack.addUsergroup('SRECSONCALL', [alice.id]);
  await fs.writeFile(
    path.join(dir, 'actions.yaml'),
    'actions: { rules: [] }\nauthorization:\n  rules:\n    - { actions: [incident.open, incident.list, slo.status], everyone: true }\n    - { actions: ["*"], sloOwners: true }\n',
  );
  // The probe's first finding: a secret referenced where no secret belongs.
  await fs.writeFile(
    path.join(dir, 'slos', 'ranker.yaml'),
    `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "\${PROM_URL}", headers: { X-Scope-OrgID: "\${BURNWATCH_TENANT_SECRET}" } }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker, owner: recs-serving }
spec:
  objective: 99.9
  window: 30d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
  alerting: { channel: "#recs-oncall" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: leaky, service: hstu-ranker }
spec:
  objective: 99
  window: "\${SLACK_SIGNING_SECRET}"
  description: "\${BURNWATCH_API_TOKEN}"
  indicator:
    ratio:
      bad: sum(rate(ranker_requests_total{code="\${BURNWATCH_WEBHOOK_SECRET}"}[5m]))
      total: sum(rate(ranker_requests_total[5m]))
`,
  );
  const dbUrl = new URL(db.url);
  dbUrl.password = `${SECRET}-db`;
  bw = await startBurnwatch({
    DATABASE_URL: dbUrl.toString(),
    PGPASSWORD: undefined,
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_PORT: '0',
    BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
    BURNWATCH_LEADER: 'none',
    BURNWATCH_LOG_LEVEL: 'debug',
    BURNWATCH_SCHEDULE: '*/2 * * * * *',
    BURNWATCH_API_TOKEN: API_TOKEN,
    BURNWATCH_WEBHOOK_URL: receiver.url,
    BURNWATCH_WEBHOOK_SECRET: `${SECRET}-webhook`,
    BURNWATCH_TENANT_SECRET: `${SECRET}-tenant`,
    // A password inside an address (Prometheus without auth ignores it).
    PROM_URL: prom.url.replace('http://', `http://burnwatch:${SECRET}-prom@`),
    BURNWATCH_ACTIONS_CONFIG: path.join(dir, 'actions.yaml'),
    SLACK_ONCALL_GROUPS: 'recs-serving=SRECSONCALL',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING,
    SLACK_API_URL: slack.apiUrl,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=${SECRET}-otel`,
  });
  requester = new SlackRequester(`${bw.url}/slack/events`, SIGNING);
  await bw.waitForLog(/evaluation cycle done/, 60_000);
}, 180_000);

afterAll(async () => {
  await bw?.kill('SIGKILL');
  await slack?.stop();
  await receiver?.close();
  await prom?.destroy();
  await db?.drop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const alive = async () => (await call(`${bw.url}/healthz`)).status === 200 && bw.child.exitCode === null;

describe('burnwatch serve under attack', () => {
  it('no signed body crashes the process (JSON null, payload=null, arrays, strings, numbers)', { timeout: 60_000 }, async () => {
    const bodies: Array<[string, string]> = [
      ['null', 'application/json'],
      ['[]', 'application/json'],
      ['"x"', 'application/json'],
      ['42', 'application/json'],
      ['{"type":"event_callback","event":null}', 'application/json'],
      ['{"type":"block_actions"}', 'application/json'],
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['payload=%5B%5D', 'application/x-www-form-urlencoded'],
      ['payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3Anull%7D', 'application/x-www-form-urlencoded'],
      ['payload=%7B', 'application/x-www-form-urlencoded'],
      ['command=%2Fincident', 'application/x-www-form-urlencoded'],
    ];
    for (const [body, type] of bodies) {
      const res = await requester.send(body, type);
      await res.text();
      const ok = await alive();
      count('signed malformed Slack bodies', ok && res.status < 500);
      expect(ok, `alive after ${body}`).toBe(true);
      expect(res.status, body).toBeLessThan(500);
    }
  });

  it('wrong paths get 404, wrong methods 405, bad JSON 400, without an error log line', async () => {
    const before = bw.lines.length;
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const probes: Array<[string, RequestInit, number]> = [
      ['/nope', {}, 404],
      ['/api/nope', {}, 404],
      ['/../../etc/passwd', {}, 404],
      ['/healthz', { method: 'POST' }, 405],
      ['/readyz', { method: 'DELETE' }, 405],
      ['/metrics', { method: 'PUT' }, 405],
      ['/api/slos', { method: 'POST', headers: auth }, 405],
      ['/api/events', { method: 'GET', headers: auth }, 405],
      ['/api/alertmanager', { method: 'GET' }, 405],
      ['/slack/events', { method: 'GET' }, 405],
      ['/api/events', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"kind":' }, 400],
      ['/api/events', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: 'null' }, 400],
      ['/api/alertmanager', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: 'null' }, 400],
      [
        '/api/alertmanager',
        {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            version: '4',
            status: 'firing',
            receiver: 'burnwatch',
            groupKey: 'g',
            alerts: [{ status: 'firing', labels: { alertname: 'X' }, annotations: {}, startsAt: new Date().toISOString(), endsAt: 'garbage', fingerprint: 'f1' }],
          }),
        },
        400,
      ],
    ];
    for (const [p, init, expected] of probes) {
      const res = await call(`${bw.url}${p}`, init);
      count('wrong paths, methods and bodies', res.status === expected);
      expect(res.status, `${init.method ?? 'GET'} ${p}`).toBe(expected);
    }
    expect(await alive()).toBe(true);
    const errors = bw.lines.slice(before).filter((l) => /"level":"(error|fatal)"/.test(l));
    expect(errors).toEqual([]);
  });

  it('read endpoints need the API token; /healthz and the /readyz status stay open; no database details in public', async () => {
    const readyz = await call(`${bw.url}/readyz`);
    expect([200, 503]).toContain(readyz.status);
    expect(Object.keys(JSON.parse(readyz.text)).sort()).toEqual(['ready', 'status']);
    const dbName = new URL(db.url).pathname.slice(1);
    for (const leak of [dbName, '127.0.0.1:5432', 'postgres@']) expect(readyz.text).not.toContain(leak);
    count('public read endpoints', !readyz.text.includes(dbName));
    const slos = await call(`${bw.url}/api/slos`);
    count('public read endpoints', slos.status === 401);
    expect(slos.status).toBe(401);
    const full = await call(`${bw.url}/readyz`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(JSON.parse(full.text)).toHaveProperty('store');
    const withToken = await call(`${bw.url}/api/slos`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect((await call(`${bw.url}/healthz`)).status).toBe(200);
  });

  it('a signed request is accepted once: replays of /incident open open one incident', { timeout: 60_000 }, async () => {
    const form = new URLSearchParams({
      token: 'legacy',
      team_id: 'T0TEAM001',
      channel_id: channel,
      user_id: alice.id,
      user_name: alice.name,
      command: '/incident',
      text: 'open ranker errors',
      response_url: slack.responseUrl(),
      trigger_id: '1.1.trigger',
    }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SIGNING, form, Math.floor(Date.now() / 1000)) };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${bw.url}/slack/events`, { method: 'POST', headers, body: form });
      await res.text();
      statuses.push(res.status);
      if (i > 0) count('replayed signed Slack requests', res.status === 401);
    }
    expect(statuses[0]).toBe(200);
    expect(statuses.slice(1)).toEqual([401, 401, 401, 401]);
    await expect.poll(() => slack.okCallsTo('conversations.create').length, { timeout: 20_000 }).toBe(1);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM incidents');
      expect(rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it("Slack's own retries of an event are answered 200 without acting twice", async () => {
    const event = { type: 'reaction_added', user: alice.id, reaction: 'pushpin', item: { type: 'message', channel, ts: '1.0001' }, event_ts: `${NOW}.0001` };
    const body = JSON.stringify({ token: 't', team_id: 'T0TEAM001', api_app_id: 'A0APP0001', event, type: 'event_callback', event_id: 'EvRETRY0001', event_time: NOW });
    const first = await requester.send(body, 'application/json');
    expect(first.status).toBe(200);
    // Slack re-sends the same event (same event_id), signed anew, with X-Slack-Retry-Num.
    for (const n of [1, 2, 3]) {
      const ts = Math.floor(Date.now() / 1000) + n;
      const res = await fetch(`${bw.url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout', ...signSlackRequest(SIGNING, body, ts) },
        body,
      });
      await res.text();
      count('Slack retries answered without acting', res.status === 200);
      expect(res.status).toBe(200);
    }
  });

  it('the seeded secret appears in no log line, answer, Slack call, webhook or database row', { timeout: 60_000 }, async () => {
    // Everything that would show a leak, asked for with the token.
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    await call(`${bw.url}/readyz`, { headers: auth });
    await call(`${bw.url}/api/slos`, { headers: auth });
    await call(`${bw.url}/metrics`);
    await call(`${bw.url}/readyz`);
    await requester.command({ user: alice, command: '/incident', text: `update ${SECRET.slice(0, 4)} list`, channel, responseUrl: slack.responseUrl() });
    await requester.command({ user: alice, command: '/slo', text: '', channel, responseUrl: slack.responseUrl() });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows: string[] = [];
    try {
      const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
      for (const { table_name } of tables.rows) {
        const { rows: r } = await client.query(`SELECT * FROM "${table_name}"`);
        rows.push(...r.map((row) => `${table_name}: ${JSON.stringify(row)}`));
      }
    } finally {
      await client.end();
    }
    const haystacks = {
      logs: bw.lines,
      answers,
      slack: [...slack.calls.map((c) => JSON.stringify(c.params)), ...slack.responses.map((r) => JSON.stringify(r))],
      webhooks: receiver.requests.map((r) => `${JSON.stringify(r.headers)} ${r.body}`),
      rows,
    };
    await expect.poll(() => receiver.requests.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(slack.okCallsTo('chat.postMessage').length).toBeGreaterThan(0);
    // Someone outside the owner's on-call group tries to resolve: refused, privately, audited.
    await requester.command({ user: { id: 'UMALLORY1', name: 'mallory' }, command: '/incident', text: 'resolve #1 nothing here', channel, responseUrl: slack.responseUrl('mallory') });
    await expect.poll(() => String(slack.responses.find((r) => r.id === 'mallory')?.body.text), { timeout: 20_000 }).toMatch(/^:no_entry:/);
    count('unauthorized incident commands', true);
    const hits: string[] = [];
    let searched = 0;
    for (const [where, list] of Object.entries(haystacks)) {
      for (const item of list) {
        searched += 1;
        if (item.includes(SECRET)) hits.push(`${where}: ${item.slice(0, 300)}`);
      }
    }
    tried['secret search (items searched)'] = { tried: searched, refused: searched - hits.length };
    expect(searched).toBeGreaterThan(50);
    expect(hits).toEqual([]);
    // The leaky SLO is refused, naming the field, without echoing the value.
    const slos = JSON.parse((await call(`${bw.url}/api/slos`, { headers: auth })).text);
    expect(JSON.stringify(slos)).toMatch(/window/);
    process.stdout.write(`security run: ${JSON.stringify(tried)}\n`);
  });
});

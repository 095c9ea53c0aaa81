// A team without Slack works its alerts through the HTTP API: `burnwatch serve` as a real
// process with only the webhook notifier and PagerDuty (the wire-level fake), on a real
// Prometheus with two burning SLOs. A page becomes one alert episode and opens one incident by
// itself; the webhook gets alert.fired and incident.opened; POST /api/alerts/{id}/ack
// acknowledges the episode, the incident (its timeline) and the PagerDuty incident, once per
// Idempotency-Key; an acknowledgement made in PagerDuty acknowledges the other episode.
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePagerDuty, pagerDutySignature, pagerDutyWebhookBody, startFakePagerDuty } from '../fakes/pagerduty-api.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const TOKEN = 'alert-api-token-0123456789';
const PD_KEY = 'a1e47a1e47a1e47a1e47a1e47a1e47a1';
const PD_WEBHOOK_SECRET = 'pd-webhook-secret-alert-api-0123';
const NOW = Math.floor(Date.now() / 60_000) * 60;
const BURN_START = NOW - 600;
const EU = 'hstu-ranker/availability-eu';
const US = 'hstu-ranker/availability-us';

const slo = (name: string, region: string) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ${name}, service: hstu-ranker, owner: recs-serving }
spec:
  objective: 99.9
  window: 28d
  interval: 5s
  source: prometheus
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{region="${region}",code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total{region="${region}"}[$window]))
  alerting: { page: pagerduty:ranker }
`;

describe('alert API, webhook and PagerDuty only (no Slack)', () => {
  let prom: PrometheusServer;
  let pd: FakePagerDuty;
  let hook: WebhookReceiver;
  let db: TestDatabase;
  let dir: string;
  let service: BurnwatchProcess;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the assertions
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> => {
    const res = await fetch(`${service.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json(), headers: res.headers };
  };
  const hookEvents = (kind: string) => hook.accepted().map((r) => r.json).filter((j) => j['kind'] === kind);
  const pageOf = async (sloId: string) => {
    const { json } = await call('GET', `/api/alerts?slo=${encodeURIComponent(sloId)}`);
    // biome-ignore lint/suspicious/noExplicitAny: see above
    return (json.alerts as any[]).find((a) => a.severity === 'page');
  };
  const query = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    let s = scenario({ start: NOW - 3 * 86_400, end: NOW + 3600, step: 60 });
    for (const region of ['eu', 'us']) {
      s = s
        .counter('ranker_requests_total', { region, code: '200' }, [profile(20), profile(1).step(BURN_START, 0)])
        .counter('ranker_requests_total', { region, code: '500' }, [profile(20), profile(0).step(BURN_START, 1)]);
    }
    prom = await startPrometheus(s);
    pd = await startFakePagerDuty();
    pd.addService(PD_KEY);
    hook = await startWebhookReceiver();
    db = await createPostgresDatabase('bw_alertapi');
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(
      path.join(dir, 'slos', 'slos.yaml'),
      `apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: prometheus }\nspec:\n  prometheus: { url: "${prom.url}" }\n---\n${slo('availability-eu', 'eu')}---\n${slo('availability-us', 'us')}`,
    );
    await fs.writeFile(
      path.join(dir, 'paging.yaml'),
      `pagerduty:\n  eventsUrl: ${pd.url}\n  services:\n    ranker: { routingKey: { env: TEST_PD_KEY } }\n  webhookSecrets: [{ env: TEST_PD_WEBHOOK_SECRET }]\n`,
    );
    service = await startBurnwatch({
      DATABASE_URL: db.url,
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_PORT: '0',
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_IDENTITY: 'single',
      BURNWATCH_SCHEDULE: '*/2 * * * * *',
      BURNWATCH_API_TOKEN: TOKEN,
      BURNWATCH_WEBHOOK_URL: hook.url,
      BURNWATCH_WEBHOOK_SECRET: 'webhook-secret-0123456789',
      BURNWATCH_PAGING_CONFIG: path.join(dir, 'paging.yaml'),
      BURNWATCH_INCIDENT_AUTO_OPEN: 'true',
      BURNWATCH_OUTBOX_BACKOFF: '1s',
      BURNWATCH_OUTBOX_MAX_BACKOFF: '2s',
      TEST_PD_KEY: PD_KEY,
      TEST_PD_WEBHOOK_SECRET: PD_WEBHOOK_SECRET,
      SLACK_BOT_TOKEN: undefined,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_APP_TOKEN: undefined,
    });
  }, 120_000);
  afterAll(async () => {
    await service?.kill('SIGTERM');
    await hook?.close();
    await pd?.close();
    await prom?.destroy();
    await db?.drop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('turns a page into one episode and one incident opened by itself, and tells the webhook', { timeout: 120_000 }, async () => {
    const eu = await until('the page episode of the eu SLO', () => pageOf(EU), 90_000);
    expect(eu).toMatchObject({ sloId: EU, severity: 'page', state: 'firing', acknowledgedBy: null });
    expect(eu.incidentId).toEqual(expect.any(Number));
    // A few more cycles of the still-burning SLO: still one episode, one incident.
    const cycles = () => service.lines.filter((l) => l.includes('evaluation cycle done')).length;
    const before = cycles();
    await until('three more cycles', () => cycles() - before >= 3, 60_000);
    const pages = (await call('GET', `/api/alerts?slo=${encodeURIComponent(EU)}`)).json.alerts.filter((a: { severity: string }) => a.severity === 'page');
    expect(pages).toHaveLength(1);
    const incidents = (await call('GET', '/api/incidents')).json.incidents.filter((i: { sloIds: string[] }) => i.sloIds.includes(EU));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ id: eu.incidentId, source: 'auto', status: 'investigating', acknowledgedAt: null });
    expect((await call('GET', `/api/alerts/${eu.id}`)).json).toMatchObject({ id: eu.id, sloId: EU });
    expect((await call('GET', '/api/alerts/999999')).status).toBe(404);

    const fired = await until('alert.fired at the webhook', () => hookEvents('alert.fired').find((e) => e['alertId'] === eu.id));
    expect(fired).toMatchObject({ slo: EU, severity: 'page', service: 'hstu-ranker' });
    const opened = await until('incident.opened at the webhook', () => hookEvents('incident.opened').find((e) => e['incidentId'] === eu.incidentId));
    expect(opened).toMatchObject({ sloIds: [EU], source: 'auto', alertId: eu.id });
    // PagerDuty was paged for it (the state machine's trigger), once.
    await until('the PagerDuty incident', () => pd.incidents.find((i) => i.dedupKey === `burnwatch/${EU}/page`));
  });

  it('acknowledges through the API once per Idempotency-Key: episode, incident timeline, PagerDuty, webhook', { timeout: 60_000 }, async () => {
    const eu = await pageOf(EU);
    const noToken = await fetch(`${service.url}/api/alerts/${eu.id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(401);
    expect((await fetch(`${service.url}/api/alerts`)).status).toBe(401);

    const first = await call('POST', `/api/alerts/${eu.id}/ack`, { by: 'ada@ml.example' }, { 'idempotency-key': 'ack-eu-1' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ id: eu.id, state: 'acknowledged', acknowledgedBy: 'ada@ml.example' });
    const again = await call('POST', `/api/alerts/${eu.id}/ack`, { by: 'ada@ml.example' }, { 'idempotency-key': 'ack-eu-1' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    const second = await call('POST', `/api/alerts/${eu.id}/ack`, {}, { 'idempotency-key': 'ack-eu-2' });
    expect(second.status).toBe(409);
    expect(second.json.error).toContain('ada@ml.example');
    expect((await call('POST', '/api/alerts/999999/ack', {})).status).toBe(404);

    await until('alert.acknowledged at the webhook', () => hookEvents('alert.acknowledged').find((e) => e['alertId'] === eu.id));
    const dedupKey = `burnwatch/${EU}/page`;
    await until('the PagerDuty incident acknowledged', () => pd.incidents.find((i) => i.dedupKey === dedupKey)?.status === 'acknowledged');
    // Delivered everything that was due: still one of each.
    await until('the outbox drained', async () => (await query<{ n: string }>('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL'))[0]!.n === '0' || undefined);
    expect(hookEvents('alert.acknowledged').filter((e) => e['alertId'] === eu.id)).toHaveLength(1);
    expect(hookEvents('alert.acknowledged')[0]).toMatchObject({ slo: EU, acknowledgedBy: 'ada@ml.example', incidentId: eu.incidentId });
    const acks = pd.requests.filter((r) => r.status === 202 && r.event.event_action === 'acknowledge');
    expect(acks.map((r) => r.event.dedup_key)).toEqual([dedupKey]);

    const incident = (await call('GET', `/api/incidents/${eu.incidentId}`)).json;
    expect(incident.acknowledgedAt).not.toBeNull();
    expect(incident.figures.timeToAcknowledgeSeconds).toEqual(expect.any(Number));
    const timeline = await query<{ text: string }>('SELECT text FROM incident_timeline WHERE incident_id = $1 ORDER BY at, id', [eu.incidentId]);
    expect(timeline.filter((t) => t.text === 'ada@ml.example acknowledged')).toHaveLength(1);
    const audit = await query<{ actor: string; target: string }>(`SELECT actor, target FROM audit_log WHERE action = 'alert.acknowledge'`);
    expect(audit).toEqual([{ actor: 'ada@ml.example', target: `alert/${eu.id}` }]);
  });

  it('acknowledges the episode when the acknowledgement is made in PagerDuty (no Slack)', { timeout: 60_000 }, async () => {
    const us = await until('the page episode of the us SLO', () => pageOf(US), 30_000);
    const pdIncident = await until('its PagerDuty incident', () => pd.incidents.find((i) => i.dedupKey === `burnwatch/${US}/page`));
    const body = pagerDutyWebhookBody('incident.acknowledged', pdIncident, 'Maeve');
    const res = await fetch(`${service.url}/api/pagerduty/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-pagerduty-signature': pagerDutySignature(body, PD_WEBHOOK_SECRET) },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: true });
    const acked = (await call('GET', `/api/alerts/${us.id}`)).json;
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Maeve (acknowledged in PagerDuty)' });
    await until('alert.acknowledged at the webhook', () => hookEvents('alert.acknowledged').find((e) => e['alertId'] === us.id));
    const timeline = await query<{ text: string }>('SELECT text FROM incident_timeline WHERE incident_id = $1', [us.incidentId]);
    expect(timeline.some((t) => t.text === 'Maeve (acknowledged in PagerDuty) acknowledged')).toBe(true);
    // Not sent back to where it came from.
    expect(pd.requests.filter((r) => r.event.event_action === 'acknowledge' && r.event.dedup_key === `burnwatch/${US}/page`)).toHaveLength(0);
  });
});

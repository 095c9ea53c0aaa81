// A team without Slack: the wired service with only the webhook notifier works its incidents
// through the HTTP lifecycle API — opened, mitigated, resolved — and the webhook receives each
// lifecycle event. Writes are authenticated, audited and idempotent (Idempotency-Key).
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningService, startService } from '../../src/app/start-service.ts';
import { loadConfig } from '../../src/service/config.ts';
import { SOURCE_FACTORIES } from '../../src/sources/registry.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { listAudit } from '../../src/store/repositories/audit-log.ts';
import { featureStoreLagPage } from '../fixtures/alertmanager.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { until } from '../helpers/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const TOKEN = 'incident-api-token-0123456789';

describe('incident lifecycle API, webhook only (no Slack)', () => {
  let dir: string;
  let service: RunningService;
  let hook: WebhookReceiver;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the assertions
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> => {
    const res = await fetch(`${service.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: await res.json(), headers: res.headers };
  };
  const events = () => hook.accepted().map((r) => r.json).filter((j) => String(j['kind']).startsWith('incident.'));

  beforeAll(async () => {
    dir = await makeTempDir();
    hook = await startWebhookReceiver();
    await fs.mkdir(path.join(dir, 'slos'));
    const config = loadConfig({
      BURNWATCH_PORT: '0',
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_API_TOKEN: TOKEN,
      BURNWATCH_WEBHOOK_URL: hook.url,
      BURNWATCH_WEBHOOK_SECRET: 'webhook-secret-0123456789',
      PROMETHEUS_URL: 'http://127.0.0.1:9',
    });
    service = await startService({
      config,
      logger: pino({ level: 'silent' }),
      loadSpecs: (d) => loadSpecs([d], { cwd: dir, env: {} }),
      sourceFactories: SOURCE_FACTORIES,
    });
  });
  afterAll(async () => {
    await service?.stop('test');
    await hook?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses a write without the bearer token, and reads need it too', async () => {
    const res = await fetch(`${service.url}/api/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x' }) });
    expect(res.status).toBe(401);
    expect((await fetch(`${service.url}/api/incidents`)).status).toBe(401);
    expect((await call('GET', '/api/incidents')).json).toEqual({ incidents: [] });
  });

  it('opens an incident once per Idempotency-Key and tells the webhook', async () => {
    const body = { title: 'Feature store lag', severity: 'page', sloIds: ['features/freshness'], actor: 'ada' };
    const first = await call('POST', '/api/incidents', body, { 'idempotency-key': 'open-1' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ id: 1, title: 'Feature store lag', status: 'investigating', source: 'api', sloIds: ['features/freshness'] });
    expect(first.json.figures).toMatchObject({ timeToDetectSeconds: 0, timeToAcknowledgeSeconds: 0, timeToMitigateSeconds: null, budgetConsumed: [{ sloId: 'features/freshness', consumed: null }] });
    const again = await call('POST', '/api/incidents', body, { 'idempotency-key': 'open-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    expect((await call('GET', '/api/incidents')).json.incidents).toHaveLength(1);
    const opened = await until('incident.opened at the webhook', () => events().find((e) => e['kind'] === 'incident.opened'));
    expect(opened).toMatchObject({ incidentId: 1, title: 'Feature store lag', sloIds: ['features/freshness'], openedBy: 'ada' });
  });

  it('moves it to mitigated and resolved, with the figures the post-mortem uses, each event at the webhook once', async () => {
    const mitigated = await call('POST', '/api/incidents/1/status', { status: 'mitigated', actor: 'ada' }, { 'idempotency-key': 'm-1' });
    expect(mitigated.status).toBe(200);
    expect(mitigated.json.status).toBe('mitigated');
    expect((await call('POST', '/api/incidents/1/status', { status: 'mitigated' }, { 'idempotency-key': 'm-1' })).json).toEqual(mitigated.json);
    expect((await call('POST', '/api/incidents/1/status', { status: 'resolved' })).status).toBe(400); // a summary is required
    const resolved = await call('POST', '/api/incidents/1/status', { status: 'resolved', summary: 'lagging consumer restarted', actor: 'ada' });
    expect(resolved.status).toBe(200);
    const got = await call('GET', '/api/incidents/1');
    expect(got.json).toEqual(resolved.json);
    expect(got.json).toMatchObject({ status: 'resolved', resolutionSummary: 'lagging consumer restarted' });
    const f = got.json.figures;
    expect(f.timeToMitigateSeconds).toBeGreaterThanOrEqual(0);
    expect(f.timeToResolveSeconds).toBeGreaterThanOrEqual(f.timeToMitigateSeconds);
    expect(f.mitigated).toContain('shortest-window burn rate');
    expect((await call('POST', '/api/incidents/1/status', { status: 'resolved', summary: 'again' })).status).toBe(409);
    expect((await call('GET', '/api/incidents/99')).status).toBe(404);
    await until('incident.resolved at the webhook', () => events().find((e) => e['kind'] === 'incident.resolved'));
    expect(events().map((e) => e['kind'])).toEqual(['incident.opened', 'incident.mitigated', 'incident.resolved']);
    const audit = (await listAudit(service.store.db)).filter((a) => a.action.startsWith('incident.'));
    expect(audit.map((a) => [a.action, a.actor, a.target])).toEqual([
      ['incident.open', 'ada', 'incident/1'],
      ['incident.mitigated', 'ada', 'incident/1'],
      ['incident.resolved', 'ada', 'incident/1'],
    ]);
  });

  it('silences by label through the API: the webhook does not get the silenced alert, it gets the others', async () => {
    expect((await call('POST', '/api/silences', { durationSeconds: 3600 })).status).toBe(400); // nothing to match: refused
    const silence = await call('POST', '/api/silences', { labels: { alertname: 'FeatureStoreLag' }, durationSeconds: 3600, comment: 'known, being fixed', actor: 'ada' }, { 'idempotency-key': 's-1' });
    expect(silence.status).toBe(201);
    expect(silence.json).toMatchObject({ labels: { alertname: 'FeatureStoreLag' }, createdBy: 'ada', comment: 'known, being fixed' });
    expect((await call('POST', '/api/silences', { labels: { alertname: 'FeatureStoreLag' }, durationSeconds: 3600 }, { 'idempotency-key': 's-1' })).json).toEqual(silence.json);
    const muted = featureStoreLagPage({ fingerprint: 'fp-muted' });
    const loud = { ...featureStoreLagPage({ fingerprint: 'fp-loud' }), alerts: featureStoreLagPage({ fingerprint: 'fp-loud' }).alerts.map((a) => ({ ...a, labels: { ...a.labels, alertname: 'TrainerStalled' } })) };
    expect((await call('POST', '/api/alertmanager', muted)).status).toBe(200);
    expect((await call('POST', '/api/alertmanager', loud)).status).toBe(200);
    await until('the other alert at the webhook', () => hook.accepted().find((r) => r.json['kind'] === 'external.firing'));
    await until('both delivered or muted', async () => {
      const { rows } = await service.store.db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'external.firing' AND channel = 'webhook' AND delivered_at IS NOT NULL`);
      return Number(rows[0]!.n) === 2 || undefined;
    });
    expect(hook.accepted().filter((r) => String(r.json['kind']).startsWith('external.')).map((r) => r.json['alertname'])).toEqual(['TrainerStalled']);
    expect((await listAudit(service.store.db)).some((a) => a.action === 'silence.create' && a.actor === 'ada')).toBe(true);
  });
});

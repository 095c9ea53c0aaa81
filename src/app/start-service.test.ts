// The wired service in-process on a fresh machine: embedded store, a Prometheus that
// is not there, no Slack. It must start, say what it evaluates and cannot reach, and
// serve its HTTP API.
import fs from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/test-databases.ts';
import { loadConfig } from '../service/config.ts';
import { loadSpecs } from '../spec/load.ts';
import { listAudit } from '../store/repositories/audit-log.ts';
import { listIncidents } from '../incidents/incident-store.ts';
import { listOutbox } from '../store/repositories/outbox.ts';
import { SOURCE_FACTORIES } from '../sources/registry.ts';
import { type RunningService, startService } from './start-service.ts';

const TOKEN = 'test-token-0123456789abcdef';
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the assertions
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

const AVAILABILITY_SLO = `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker }
spec:
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`;

describe('service on a fresh machine', () => {
  let dir: string;
  let service: RunningService;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'ranker.yaml'), AVAILABILITY_SLO);
    await fs.writeFile(path.join(dir, 'slos', 'broken.yaml'), 'apiVersion: burnwatch/v1\nkind: SLO\nmetadata: { name: x }\nspec: { objective: 250 }\n');
    const config = loadConfig({
      BURNWATCH_PORT: '0',
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_API_TOKEN: TOKEN,
      PROMETHEUS_URL: 'http://127.0.0.1:9',
    });
    service = await startService({
      config,
      logger: pino({ level: 'info' }, { write: (l: string) => logs.push(l) }),
      loadSpecs: (d) => loadSpecs([d], { cwd: dir, env: { PROMETHEUS_URL: 'http://127.0.0.1:9' } }),
      sourceFactories: SOURCE_FACTORIES,
    });
  });
  afterAll(async () => {
    await service?.stop('test');
    await fs.rm(dir, { recursive: true, force: true });
  });

  // Reads beyond /healthz and the /readyz status need the token (BURNWATCH_PUBLIC_READ is off).
  const get = (p: string) => fetch(`${service.url}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const post = (p: string, body: unknown, token: string | null = TOKEN) =>
    fetch(`${service.url}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('is healthy and ready, and says what it evaluates and cannot reach', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    const body = await json(ready);
    expect(body).toMatchObject({ ready: true, status: 'degraded', store: { kind: 'sqlite', reachable: true }, cannotReach: ['prometheus'] });
    expect(body.evaluating).toEqual([{ id: 'hstu-ranker/availability', source: 'prometheus', evaluable: false }]);
    expect(body.specProblems.join('\n')).toContain('broken.yaml');
    expect((await get('/readyz?strict=true')).status).toBe(503);
    expect(logs.some((l) => l.includes('cannot reach source prometheus'))).toBe(true);
    expect(logs.some((l) => l.includes('invalid spec skipped') && l.includes('broken.yaml'))).toBe(true);
    // Once, in plain words: what to configure so that every SLO can be evaluated.
    const hints = logs.filter((l) => l.includes('cannot be evaluated yet'));
    expect(hints).toHaveLength(1);
    expect(JSON.parse(hints[0]!).msg).toBe(
      'burnwatch runs, but 1 of 1 SLOs cannot be evaluated yet and show as unknown: set PROMETHEUS_URL to your Prometheus (prometheus does not answer, 1 SLO). See docs/getting-started.md.',
    );
  });

  it('reports the SLO unknown, never fine, and exposes it in /metrics', async () => {
    await expect
      .poll(async () => (await json(get('/api/slos'))).slos[0], { timeout: 20_000 })
      .toMatchObject({ id: 'hstu-ranker/availability', status: 'unknown' });
    // The cycle stores the evaluation before it updates the gauges: wait for the gauges too.
    await expect
      .poll(async () => (await get('/metrics')).text(), { timeout: 20_000 })
      .toContain('burnwatch_slo_status{slo="hstu-ranker/availability",status="unknown"} 1');
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('burnwatch_source_query_errors_total{source="prometheus"');
    expect(metrics).toMatch(/burnwatch_evaluation_cycles_total\{result="ok"\} [1-9]/);
  });

  it('refuses writes without the bearer token', async () => {
    const event = { kind: 'model_promotion', subject: 'hstu-ranker', summary: 'v42 promoted' };
    expect((await post('/api/events', event, null)).status).toBe(401);
    expect((await post('/api/events', event, 'wrong-token-wrong-token')).status).toBe(401);
    const created = await post('/api/events', event);
    expect(created.status).toBe(201);
    expect((await post('/api/events', { kind: 'x' })).status).toBe(400);
    const audit = await listAudit(service.store.db);
    expect(audit.some((a) => a.action === 'event.create' && a.target === 'hstu-ranker')).toBe(true);
  });

  it('turns Alertmanager alerts into notifications and incidents, once per change', async () => {
    const payload = (status: 'firing' | 'resolved') => ({
      version: '4',
      status,
      receiver: 'burnwatch',
      groupKey: '{}:{alertname="FeatureStoreDown"}',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      truncatedAlerts: 0,
      alerts: [
        {
          status,
          labels: { alertname: 'FeatureStoreDown', severity: 'critical' },
          annotations: { summary: 'feature store is down' },
          startsAt: '2026-11-20T10:00:00Z',
          endsAt: status === 'resolved' ? '2026-11-20T10:30:00Z' : '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus/graph',
          fingerprint: 'c0ffee',
        },
      ],
    });
    expect((await post('/api/alertmanager', payload('firing'))).status).toBe(200);
    expect(await json(post('/api/alertmanager', payload('firing')))).toMatchObject({ changed: 0, enqueued: 0 });
    expect((await listIncidents(service.store.db, { openOnly: true })).map((i) => i.title)).toEqual(['feature store is down']);
    await post('/api/alertmanager', payload('resolved'));
    // Resolved in Alertmanager means the alert stopped: the incident is mitigated (one path, with or without Slack); people resolve it.
    const { rows } = await service.store.db.query<{ phase: string; resolved_at: Date | null }>("SELECT phase, resolved_at FROM incidents WHERE key LIKE 'alertmanager:c0ffee:%'");
    expect(rows).toEqual([{ phase: 'mitigated', resolved_at: null }]);
    const kinds = (await listOutbox(service.store.db)).filter((m) => m.kind.startsWith('external.')).map((m) => m.kind);
    expect(kinds.sort()).toEqual(['external.firing', 'external.resolved']);
    expect((await post('/api/alertmanager', { version: '3' })).status).toBe(400);
  });

  it('reloads slos/ when a file changes, without a restart', async () => {
    await fs.writeFile(path.join(dir, 'slos', 'second.yaml'), AVAILABILITY_SLO.replace('name: availability', 'name: errors'));
    await expect
      .poll(async () => (await json(get('/readyz'))).evaluating.map((s: { id: string }) => s.id), { timeout: 10_000 })
      .toEqual(['hstu-ranker/availability', 'hstu-ranker/errors']);
  });
});

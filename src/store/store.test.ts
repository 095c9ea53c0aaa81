import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../../test/helpers/test-databases.ts';
import type { SloEvaluation } from '../domain/evaluation.ts';
import { migrate } from './migrate.ts';
import { openStore, redactUrl, type Store } from './open-store.ts';
import { deleteAlertStatesExcept, loadAlertStates, saveAlertState } from './repositories/alert-state.ts';
import { listAudit, recordAudit } from './repositories/audit-log.ts';
import { insertChangeEvent, listChangeEvents } from './repositories/change-events.ts';
import { latestEvaluations, listEvaluations, pruneEvaluations, saveEvaluation } from './repositories/evaluations.ts';
import { getIncident, insertIncident, updateIncident } from '../incidents/incident-store.ts';
import { dueHeads, enqueue, getByKey, markDelivered, markFailed, markRetry, nextDueAt, pendingByChannel, pruneOutbox } from './repositories/outbox.ts';
import { StoreError } from './store-error.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function evaluation(id: string, evaluatedAt: Date, sli: number): SloEvaluation {
  return {
    id,
    objective: 0.999,
    window: '28d',
    status: 'ok',
    evaluatedAt: evaluatedAt.toISOString(),
    sli,
    errorBudgetRemaining: 0.5,
    timeToExhaustionSeconds: null,
    burnRates: { '5m': 0.2, '1h': Number.POSITIVE_INFINITY },
    tiers: [],
    events: { bad: 1, total: 1000 },
  };
}

describe.each(['postgres', 'sqlite'] as const)('store on %s', (kind) => {
  let store: Store;
  let pgDb: TestDatabase | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir();
    if (kind === 'postgres') pgDb = await createPostgresDatabase('bw_store');
    store = await openStore({ databaseUrl: pgDb?.url, dataDir: dir });
  });
  afterAll(async () => {
    await store?.close();
    await pgDb?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('applies every migration once and records it', async () => {
    expect(store.kind).toBe(kind);
    const { rows } = await store.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toContain('003_outbox.sql');
    expect(await migrate(store.db)).toEqual([]);
  });

  it('keeps evaluation history and answers the latest per SLO', async () => {
    await saveEvaluation(store.db, evaluation('ranking/latency', at(0), 0.9991));
    await saveEvaluation(store.db, evaluation('ranking/latency', at(1), 0.9992));
    await saveEvaluation(store.db, evaluation('ranking/latency', at(1), 0.9993)); // same instant again: replaced
    await saveEvaluation(store.db, evaluation('training/throughput', at(0), 0.98));
    const history = await listEvaluations(store.db, { from: at(0), to: at(5), sloId: 'ranking/latency' });
    expect(history.map((e) => e.sli)).toEqual([0.9991, 0.9993]);
    expect(history[0]!.burnRates).toEqual({ '5m': 0.2, '1h': null });
    expect(history[0]!.events).toEqual({ bad: 1, total: 1000 });
    const latest = await latestEvaluations(store.db);
    expect(latest.map((e) => [e.sloId, e.evaluatedAt.toISOString()])).toEqual([
      ['ranking/latency', at(1).toISOString()],
      ['training/throughput', at(0).toISOString()],
    ]);
  });

  it('restores alert state per SLO and tier', async () => {
    await saveAlertState(store.db, { sloId: 'a/b', tier: 'page:1h/5m', state: 'firing', since: at(0), updatedAt: at(0), details: { n: 1 } });
    await saveAlertState(store.db, { sloId: 'a/b', tier: 'page:1h/5m', state: 'firing', since: at(0), updatedAt: at(3), details: { n: 2 } });
    const states = await loadAlertStates(store.db, 'a/b');
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ state: 'firing', since: at(0), updatedAt: at(3), details: { n: 2 } });
  });

  it('never enqueues the same notification twice and delivers head-of-line per channel', async () => {
    const msg = (key: string, channel: string, minute: number) => ({ idempotencyKey: key, channel, kind: 'alert.firing', payload: { key }, at: at(minute) });
    expect(await enqueue(store.db, msg('k1', 'webhook', 0))).toBe(true);
    expect(await enqueue(store.db, msg('k1', 'webhook', 0))).toBe(false);
    await enqueue(store.db, msg('k2', 'webhook', 1));
    await enqueue(store.db, msg('k3', 'log', 1));
    let heads = await dueHeads(store.db, at(1));
    expect(heads.map((m) => m.idempotencyKey)).toEqual(['k1', 'k3']);

    await markRetry(store.db, heads[0]!.id, at(5), 'HTTP 500');
    heads = await dueHeads(store.db, at(2));
    // k1 waits for its retry and k2 must not overtake it.
    expect(heads.map((m) => m.idempotencyKey)).toEqual(['k3']);
    expect(await pendingByChannel(store.db)).toEqual(new Map([['webhook', 2], ['log', 1]]));

    heads = await dueHeads(store.db, at(5));
    const k1 = heads.find((m) => m.idempotencyKey === 'k1')!;
    expect(k1).toMatchObject({ attempts: 1, lastError: 'HTTP 500' });
    expect(await markDelivered(store.db, k1.id, at(5), { status: 200 })).toBe(true);
    expect(await markDelivered(store.db, k1.id, at(5))).toBe(false);
    await markFailed(store.db, heads.find((m) => m.idempotencyKey === 'k3')!.id, at(5), 'HTTP 400');
    expect((await dueHeads(store.db, at(5))).map((m) => m.idempotencyKey)).toEqual(['k2']);
  });

  it('forgets the alert state of removed SLOs only, and says when the next notification is due', async () => {
    for (const sloId of ['keep/a', 'gone/b', 'gone/c']) {
      await saveAlertState(store.db, { sloId, tier: 'no_data', state: 'ok', since: at(0), updatedAt: at(0), details: {} });
    }
    expect(await deleteAlertStatesExcept(store.db, ['keep/a', 'ranking/latency'])).toBeGreaterThanOrEqual(2);
    expect((await loadAlertStates(store.db)).map((s) => s.sloId)).not.toContain('gone/b');
    expect((await loadAlertStates(store.db, 'keep/a')).map((s) => s.sloId)).toEqual(['keep/a']);
    await enqueue(store.db, { idempotencyKey: 'due-1', channel: 'webhook', kind: 'alert.firing', payload: {}, at: at(-5) });
    const due = await nextDueAt(store.db);
    expect(due).toBeInstanceOf(Date);
    expect(due!.getTime()).toBeLessThanOrEqual(at(-5).getTime());
  });

  it('prunes old history but never a pending notification', async () => {
    await saveEvaluation(store.db, evaluation('old/slo', at(-60 * 24 * 500), 0.5));
    expect(await pruneEvaluations(store.db, at(-60 * 24 * 400))).toBe(1);
    expect(await listEvaluations(store.db, { from: at(-60 * 24 * 600), to: at(-60 * 24 * 400), sloId: 'old/slo' })).toEqual([]);
    await enqueue(store.db, { idempotencyKey: 'old-pending', channel: 'prune', kind: 'k', payload: {}, at: at(-100_000) });
    await enqueue(store.db, { idempotencyKey: 'old-done', channel: 'prune2', kind: 'k', payload: {}, at: at(-100_000) });
    await markDelivered(store.db, (await getByKey(store.db, 'old-done'))!.id, at(-100_000));
    expect(await pruneOutbox(store.db, at(0))).toBeGreaterThanOrEqual(1);
    expect(await getByKey(store.db, 'old-done')).toBeUndefined();
    expect(await getByKey(store.db, 'old-pending')).toBeDefined();
  });

  it('opens one incident per key and records audit and change events', async () => {
    const first = await insertIncident(store.db, { key: 'slo:a/b', title: 'burn', severity: 'page', source: 'auto', sloIds: ['a/b'], alertId: null, openedBy: null, detectedAt: at(0), acknowledgedAt: null, usergroup: null, budgetAtStart: null, openedAt: at(0), startedAt: at(0) });
    const again = await insertIncident(store.db, { key: 'slo:a/b', title: 'burn', severity: 'page', source: 'auto', sloIds: ['a/b'], alertId: null, openedBy: null, detectedAt: at(0), acknowledgedAt: null, usergroup: null, budgetAtStart: null, openedAt: at(1), startedAt: at(1) });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, incident: { id: first.incident.id } });
    await updateIncident(store.db, first.incident.id, { status: 'resolved', resolvedAt: at(9) });
    expect(await getIncident(store.db, first.incident.id)).toMatchObject({ status: 'resolved', resolvedAt: at(9) });

    await recordAudit(store.db, { at: at(2), actor: 'api-token', action: 'event.create', target: 'hstu-ranker', result: 'ok' });
    expect((await listAudit(store.db))[0]).toMatchObject({ actor: 'api-token', result: 'ok', details: {} });

    await insertChangeEvent(store.db, { at: at(3), kind: 'model_promotion', subject: 'hstu-ranker', summary: 'v42 promoted', labels: { version: 'v42' } }, at(3));
    const events = await listChangeEvents(store.db, { from: at(0), to: at(10) });
    expect(events).toMatchObject([{ subject: 'hstu-ranker', summary: 'v42 promoted', labels: { version: 'v42' } }]);
  });
});

describe('embedded store lock', () => {
  it('refuses a second process on the same directory, naming the holder', async () => {
    const dir = await makeTempDir();
    const store = await openStore({ dataDir: dir });
    try {
      const script = `import { openStore } from ${JSON.stringify(path.resolve('src/store/open-store.ts'))};
        try { await openStore({ dataDir: ${JSON.stringify(dir)} }); console.log('opened'); }
        catch (e) { console.log(e.code + ': ' + e.message); }`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(child.stdout).toContain('locked: the embedded database');
      expect(child.stdout).toContain(`pid ${process.pid}`);
      expect(child.stdout).not.toContain('opened');
      await expect(openStore({ dataDir: dir })).rejects.toBeInstanceOf(StoreError);
    } finally {
      await store.close();
    }
    // Released: the next one opens.
    const next = await openStore({ dataDir: dir });
    await next.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('takes over from a holder killed with -9', async () => {
    const dir = await makeTempDir();
    const script = `import { openStore } from ${JSON.stringify(path.resolve('src/store/open-store.ts'))};
      await openStore({ dataDir: ${JSON.stringify(dir)} }); process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const store = await openStore({ dataDir: dir });
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('redacts passwords from database URLs', () => {
    expect(redactUrl('postgres://bw:s3cret@db:5432/burnwatch')).toBe('postgres://bw:***@db:5432/burnwatch');
  });
});

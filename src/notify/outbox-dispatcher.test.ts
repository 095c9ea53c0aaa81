import fs from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../../test/helpers/test-databases.ts';
import { until } from '../../test/helpers/until.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/helpers/webhook-receiver.ts';
import { fixedClock } from '../domain/clock.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { enqueue, getByKey } from '../store/repositories/outbox.ts';
import { logNotifier } from './log-notifier.ts';
import type { Notifier } from './notifier.ts';
import { backoffDelay, OutboxDispatcher } from './outbox-dispatcher.ts';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER, webhookNotifier } from './webhook-notifier.ts';

const SECRET = 'a-webhook-secret-of-some-length';

describe.each(['sqlite', 'postgres'] as const)('outbox dispatcher on %s', (kind) => {
  let store: Store;
  let pgDb: TestDatabase | undefined;
  let dir: string;
  let receiver: WebhookReceiver;
  const clock = fixedClock('2026-11-20T10:00:00Z');
  let leader = true;
  let dispatcher: OutboxDispatcher;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = await makeTempDir();
    if (kind === 'postgres') pgDb = await createPostgresDatabase('bw_outbox');
    store = await openStore({ databaseUrl: pgDb?.url, dataDir: dir });
    receiver = await startWebhookReceiver();
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    dispatcher = new OutboxDispatcher({
      db: store.db,
      notifiers: [webhookNotifier({ url: receiver.url, secret: SECRET, clock }), logNotifier(logger)],
      clock,
      logger: pino({ level: 'silent' }),
      isLeader: () => leader,
      backoffSeconds: 5,
      maxBackoffSeconds: 60,
    });
  });
  afterAll(async () => {
    await dispatcher.stop();
    await receiver.close();
    await store.close();
    await pgDb?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await store.db.query('DELETE FROM outbox');
    receiver.requests.length = 0;
    receiver.respond(() => ({ status: 200 }));
    leader = true;
  });

  const add = (key: string, channel = 'webhook') =>
    enqueue(store.db, { idempotencyKey: key, channel, kind: 'alert.firing', payload: { slo: 'ranking/latency', key }, at: clock.now() });

  it('delivers a signed JSON POST once and records it', async () => {
    await add('a');
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const [req] = receiver.requests;
    expect(req!.json).toMatchObject({ idempotencyKey: 'a', kind: 'alert.firing', slo: 'ranking/latency' });
    expect(req!.headers['idempotency-key']).toBe('a');
    expect(req!.headers[SIGNATURE_HEADER]).toBe(signWebhook(SECRET, String(req!.headers[TIMESTAMP_HEADER]), req!.body));
    expect((await getByKey(store.db, 'a'))!.deliveredAt).not.toBeNull();
  });

  it('retries a 500 with exponential backoff, in order, until delivered', async () => {
    await add('first');
    await add('second');
    receiver.respond(() => ({ status: 500 }));
    await dispatcher.runOnce();
    clock.advance(4);
    await dispatcher.runOnce(); // not due yet
    expect(receiver.requests.map((r) => r.json.idempotencyKey)).toEqual(['first']);
    clock.advance(1);
    await dispatcher.runOnce(); // 5 s after the first failure
    const second = await getByKey(store.db, 'first');
    expect(second).toMatchObject({ attempts: 2, lastError: expect.stringContaining('HTTP 500') });
    expect(second!.nextAttemptAt.getTime() - clock.now().getTime()).toBe(backoffDelay(2, 5, 60) * 1000);
    receiver.respond(() => ({ status: 200 }));
    clock.advance(10);
    expect(await dispatcher.runOnce()).toBe(2);
    expect(receiver.accepted().map((r) => r.json.idempotencyKey)).toEqual(['first', 'second']);
    // 'second' was never sent ahead of 'first'.
    expect(receiver.requests.map((r) => r.json.idempotencyKey)).toEqual(['first', 'first', 'first', 'second']);
  });

  it("honours the receiver's Retry-After", async () => {
    await add('throttled');
    receiver.respond(() => ({ status: 429, headers: { 'retry-after': '42' } }));
    await dispatcher.runOnce();
    const m = await getByKey(store.db, 'throttled');
    expect((m!.nextAttemptAt.getTime() - clock.now().getTime()) / 1000).toBe(42);
  });

  it('gives up on a permanent failure and lets the channel move on', async () => {
    await add('rejected');
    await add('next');
    receiver.respond(({ json }) => ({ status: json.idempotencyKey === 'rejected' ? 400 : 200 }));
    await dispatcher.runOnce();
    expect(await getByKey(store.db, 'rejected')).toMatchObject({ failedAt: expect.any(Date), deliveredAt: null });
    expect(receiver.accepted().map((r) => r.json.idempotencyKey)).toEqual(['next']);
  });

  it('keeps channels independent and logs through the log notifier', async () => {
    await add('w1');
    await add('l1', 'log');
    receiver.respond(() => ({ status: 503 }));
    await dispatcher.runOnce();
    expect((await getByKey(store.db, 'l1'))!.deliveredAt).not.toBeNull();
    expect(logLines.some((l) => l.includes('"key":"l1"'))).toBe(true);
    expect((await getByKey(store.db, 'w1'))!.deliveredAt).toBeNull();
  });

  it('lets a send that hangs hold back its own channel only', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hanging: Notifier = { name: 'hanging', send: () => released.then(() => undefined) };
    const lanes = new OutboxDispatcher({
      db: store.db,
      notifiers: [webhookNotifier({ url: receiver.url, secret: SECRET, clock }), hanging],
      clock,
      logger: pino({ level: 'silent' }),
      isLeader: () => true,
      backoffSeconds: 5,
      maxBackoffSeconds: 60,
    });
    await add('stuck', 'hanging');
    await add('w1');
    lanes.kick();
    await until('w1 delivered', async () => (await getByKey(store.db, 'w1'))!.deliveredAt !== null);
    // Enqueued while the other channel's send still hangs: delivered all the same.
    await add('w2');
    lanes.kick();
    await until('w2 delivered', async () => (await getByKey(store.db, 'w2'))!.deliveredAt !== null);
    expect((await getByKey(store.db, 'stuck'))!.deliveredAt).toBeNull();
    release();
    await lanes.stop({ flush: true });
    expect((await getByKey(store.db, 'stuck'))!.deliveredAt).not.toBeNull();
    expect(receiver.requests.map((r) => r.json.idempotencyKey)).toEqual(['w1', 'w2']);
  });

  it('flushes on stop without ever running two deliveries at once', async () => {
    const flushing = new OutboxDispatcher({
      db: store.db,
      notifiers: [webhookNotifier({ url: receiver.url, secret: SECRET, clock })],
      clock,
      logger: pino({ level: 'silent' }),
      isLeader: () => true,
      backoffSeconds: 5,
      maxBackoffSeconds: 60,
    });
    for (const key of ['f1', 'f2', 'f3']) await add(key);
    flushing.kick(); // a run in progress when the stop comes
    await flushing.stop({ flush: true });
    expect(receiver.requests.map((r) => r.json.idempotencyKey)).toEqual(['f1', 'f2', 'f3']);
    flushing.kick(); // stopped: no more sends
    await add('after');
    expect(await flushing.runOnce()).toBe(0);
  });

  it('on a drained stop (a follower takes over) finishes the send in flight and starts no other', async () => {
    for (const key of ['d1', 'd2', 'd3']) await add(key);
    const started: string[] = [];
    const slow: Notifier = {
      name: 'webhook',
      send: async (n) => {
        started.push(n.idempotencyKey);
        await new Promise((resolve) => setTimeout(resolve, 200));
      },
    };
    const draining = new OutboxDispatcher({ db: store.db, notifiers: [slow], clock, logger: pino({ level: 'silent' }), isLeader: () => true, backoffSeconds: 5, maxBackoffSeconds: 60 });
    draining.kick();
    await until('d1 in flight', async () => started.length === 1);
    await draining.stop({ drain: true, graceSeconds: 20 });
    expect(started).toEqual(['d1']);
    expect((await getByKey(store.db, 'd1'))!.deliveredAt).not.toBeNull();
    expect((await getByKey(store.db, 'd2'))!.deliveredAt).toBeNull(); // left for the next leader
  });

  it('gives up a send still in flight when the shutdown grace is over, leaving it pending', async () => {
    await add('stuck-at-shutdown');
    const started: string[] = [];
    const hangs: Notifier = {
      name: 'webhook',
      send: (n, signal) => {
        started.push(n.idempotencyKey);
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
      },
    };
    const d = new OutboxDispatcher({ db: store.db, notifiers: [hangs], clock, logger: pino({ level: 'silent' }), isLeader: () => true, backoffSeconds: 5, maxBackoffSeconds: 60 });
    d.kick();
    await until('in flight', async () => started.length === 1);
    await d.stop({ drain: true, graceSeconds: 0.2 });
    expect(await getByKey(store.db, 'stuck-at-shutdown')).toMatchObject({ deliveredAt: null, failedAt: null, attempts: 1 });
  });

  it('sends nothing when not the leader', async () => {
    await add('follower');
    leader = false;
    expect(await dispatcher.runOnce()).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });
});

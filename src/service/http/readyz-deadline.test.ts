// /readyz must answer even when the check behind it never does (a store behind a silent
// partition): a 503 naming what did not finish, within the deadline, instead of a probe
// that times out.
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../domain/clock.ts';
import { createMetrics } from '../metrics.ts';
import { createHttpApp } from './create-http-app.ts';

describe('/readyz within a deadline', () => {
  const app = createHttpApp({
    db: {} as pg.Pool, // never queried by these endpoints
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    apiToken: undefined,
    readiness: () => new Promise(() => {}), // hangs forever
    slos: async () => ({}),
    externalChannels: () => [],
    outboxWritten: () => {},
  });
  app.finish();
  const server = app.app.listen(0, '127.0.0.1');
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('answers 503 with the reason when the readiness check does not finish, and /healthz answers all the same', async () => {
    await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once('listening', resolve)));
    const res = await fetch(`${url()}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, status: 'readiness check timed out', reason: 'the readiness check did not answer within 1.5s' });
    expect((await fetch(`${url()}/healthz`)).status).toBe(200);
  });
});

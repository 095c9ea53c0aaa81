import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../../../test/helpers/test-databases.ts';
import { AdvisoryLockElector } from './advisory-lock-elector.ts';

describe('advisory-lock leader election on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createPostgresDatabase('bw_leader');
  });
  afterAll(() => db.drop());

  const elector = (identity: string) =>
    new AdvisoryLockElector({ databaseUrl: db.url, identity, logger: pino({ level: 'silent' }), key: 4242 });

  it('elects one leader and hands over when it stops', async () => {
    const a = elector('a');
    const b = elector('b');
    expect(await a.campaign()).toBe(true);
    expect(await b.campaign()).toBe(false);
    expect(await a.campaign()).toBe(true);
    await a.stop();
    expect(await b.campaign()).toBe(true);
    await b.stop();
  });

  it('stops leading at once when its session is killed, and the other takes over', async () => {
    const a = elector('killed');
    const b = elector('standby');
    const changes: boolean[] = [];
    await a.start((leader) => changes.push(leader));
    expect(a.isLeader()).toBe(true);
    expect(await b.campaign()).toBe(false);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'burnwatch-leader-killed'`);
    await admin.end();
    await expect.poll(() => a.isLeader(), { timeout: 30_000 }).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(await b.campaign()).toBe(true);
    await a.stop();
    await b.stop();
  });
});

import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../../../test/helpers/test-databases.ts';
import { withTransaction } from '../../store/db.ts';
import { migrate } from '../../store/migrate.ts';
import { readLease } from '../../store/repositories/leader-lease.ts';
import { PostgresLeaseElector } from './postgres-lease-elector.ts';

describe('leader lease with a fencing token on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let n = 0;
  beforeAll(async () => {
    db = await createPostgresDatabase('bw_lease');
    pool = new pg.Pool({ connectionString: db.url });
    await migrate(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  // Each test its own lease; a clock of its own moved by hand.
  const setup = () => {
    const name = `t${++n}`;
    let now = 0;
    const make = (identity: string, retryPeriodSeconds = 60) =>
      new PostgresLeaseElector({ databaseUrl: db.url, identity, name, logger: pino({ level: 'silent' }), leaseDurationSeconds: 15, retryPeriodSeconds, now: () => now });
    return { name, make, advance: (ms: number) => (now += ms) };
  };

  it('elects one leader; released on stop, a waiting follower is woken by NOTIFY and takes over', async () => {
    const { name, make } = setup();
    const a = make('a');
    const b = make('b'); // a retry period of 60 s: only the notification can wake it in time
    await a.start(() => {});
    const changes: boolean[] = [];
    await b.start((leader) => changes.push(leader));
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(b.describe()).toMatchObject({ leader: false, holder: 'a' });
    const before = await readLease(pool, name);
    await a.stop();
    // The callback comes once the takeover is written; isLeader may turn true a moment before it.
    await expect.poll(() => changes, { timeout: 10_000 }).toEqual([true]);
    expect(b.isLeader()).toBe(true);
    const after = await readLease(pool, name);
    expect(after).toMatchObject({ holder: 'b', token: before.token + 1 });
    expect(b.describe()).toMatchObject({ leader: true, holder: 'b', token: after.token });
    await b.stop();
    expect((await readLease(pool, name)).holder).toBe('');
  });

  it("takes over at once when the holder's session ends (kill -9, closed connection), and the old leader steps down", async () => {
    const { make } = setup();
    const a = make('killed');
    const b = make('standby');
    const changes: boolean[] = [];
    await a.start((leader) => changes.push(leader));
    expect(await b.campaign()).toBe(false);
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'burnwatch-leader-killed'`);
    await expect.poll(() => a.isLeader(), { timeout: 10_000 }).toBe(false);
    expect(changes).toEqual([true, false]);
    // No waiting for the lease to expire: the session is gone.
    expect(await b.campaign()).toBe(true);
    await a.stop();
    await b.stop();
  });

  it('a silent leader stops acting at its renew deadline; a follower takes over only after a whole lease; the old token is fenced off', async () => {
    const { make, advance } = setup();
    const a = make('silent');
    const b = make('follower');
    expect(await a.campaign()).toBe(true);
    expect(await b.campaign()).toBe(false);
    // a goes silent (it renews no more); its session stays open, as in a partition.
    advance(9_000);
    expect(a.isLeader()).toBe(true);
    expect(await b.campaign()).toBe(false);
    advance(1_000); // 10 s = the renew deadline (2/3 of 15 s): a stops acting
    expect(a.isLeader()).toBe(false);
    expect(await b.campaign()).toBe(false); // b saw the row first at 0 s... and 15 s have not passed
    advance(5_000);
    expect(await b.campaign()).toBe(true);
    // a comes back: its renewal carries the old token and fails; a writes nothing under it.
    await expect(withTransaction(pool, (tx) => a.fence(tx))).rejects.toThrow(/taken over/);
    expect(await a.campaign()).toBe(false);
    expect(a.describe()).toMatchObject({ leader: false, holder: 'follower' });
    await withTransaction(pool, (tx) => b.fence(tx));
    await a.stop();
    await b.stop();
  });

  it('a takeover cannot commit between the leader fencing its write and committing it', async () => {
    const { name, make, advance } = setup();
    const a = make('writer');
    const b = make('taker');
    expect(await a.campaign()).toBe(true);
    expect(await b.campaign()).toBe(false);
    const client = await pool.connect();
    await client.query('BEGIN');
    await a.guardWrite(client);
    await a.fence(client); // the row is now locked by a's transaction
    advance(15_000); // the lease expired in b's eyes; a is still in the middle of its commit
    const taking = b.campaign();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await readLease(pool, name)).holder).toBe('writer');
    await client.query('COMMIT');
    client.release();
    expect(await taking).toBe(true);
    expect((await readLease(pool, name)).holder).toBe('taker');
    await a.stop();
    await b.stop();
  });
});

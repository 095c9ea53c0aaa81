// Leadership outside Kubernetes: a lease row in PostgreSQL with a fencing token
// (src/store/repositories/leader-lease.ts), on one dedicated connection per replica.
//
// Why not the session advisory lock alone: when the leader's connection goes silent
// (packets dropped, nothing closed), PostgreSQL keeps its session — and the lock — until
// its own TCP keepalives give up (2 h by default), and a proxy or pooler in between
// answers those keepalives itself, so no keepalive setting bounds it. Measured: with the
// lock, a 20 s silent cut left no leader for 13–16 s and the lock stayed on the dead
// session; with this lease a follower takes over once the lease expires.
//
// A follower takes the lease (one conditional UPDATE, a new token) when
//   - it is released (holder ''): SIGTERM, woken by NOTIFY, so within one round trip;
//   - the holder's session is gone from pg_stat_activity: kill -9, a closed connection;
//   - it has seen the row's version unchanged for a whole lease duration of its own
//     monotonic clock (counted from when its read returned): a silent partition. No clock
//     of another replica is ever compared, so skew does not matter.
// The leader renews every retry period and acts only while its last renewal started less
// than the renew deadline (2/3 of the lease) ago, so it stops before anyone may take over;
// it steps down at once when its connection fails or a query times out (statement_timeout
// on the server, query_timeout on the client, both well under the renew deadline). Its
// cycle commits only with the row still carrying its token, the row locked until commit.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Queryable } from '../../store/repositories/queryable.ts';
import { fenceLease, type LeaderLease, readLease, releaseLease, renewLease, takeLease } from '../../store/repositories/leader-lease.ts';
import type { LeaderElector } from './leader-elector.ts';

export const LEADER_CHANNEL = 'burnwatch_leader';

export interface PostgresLeaseElectorOptions {
  databaseUrl: string;
  identity: string;
  logger: Logger;
  /** The lease's name (one row per name). */
  name?: string;
  leaseDurationSeconds?: number;
  /** How often followers look and the leader renews; default 1 s. */
  retryPeriodSeconds?: number;
  /** Milliseconds of a monotonic clock (tests move it by hand). */
  now?: () => number;
}

export class NotLeaseHolderError extends Error {
  readonly code = 'not_leader';
  constructor(name: string) {
    super(`the leader lease "${name}" was taken over; nothing was written`);
    this.name = 'NotLeaseHolderError';
  }
}

export class PostgresLeaseElector implements LeaderElector {
  readonly mode = 'postgres' as const;
  readonly #o: PostgresLeaseElectorOptions;
  readonly #name: string;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #client: pg.Client | undefined;
  #session = '';
  /** Held: our token and when the last successful renewal was sent. */
  #held: { token: number; renewStartedAt: number } | undefined;
  /** Followers: the lease as last read, and when its version was first seen. */
  #observed: { lease: LeaderLease; at: number } | undefined;
  #wasLeader = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #busy: Promise<void> | undefined;
  #again = false;
  #onChange: (leader: boolean) => void = () => {};

  constructor(options: PostgresLeaseElectorOptions) {
    this.#o = options;
    this.#name = options.name ?? 'burnwatch';
    this.#leaseMs = (options.leaseDurationSeconds ?? 15) * 1000;
    this.#renewDeadlineMs = (this.#leaseMs * 2) / 3;
    this.#retryMs = (options.retryPeriodSeconds ?? 1) * 1000;
    // A statement that has not answered by then means the connection is in trouble.
    this.#timeoutMs = Math.round(Math.max(500, Math.min(5000, this.#renewDeadlineMs / 3)));
    this.#now = options.now ?? (() => performance.now());
  }

  isLeader(): boolean {
    return this.#held !== undefined && this.#now() - this.#held.renewStartedAt < this.#renewDeadlineMs;
  }

  describe(): Record<string, unknown> {
    const leader = this.isLeader();
    const lease = this.#observed?.lease;
    return {
      mode: this.mode,
      identity: this.#o.identity,
      leader,
      // Who leads, as far as this replica saw at its last look (null: nobody holds the lease).
      holder: leader ? this.#o.identity : lease?.holder ? lease.holder : null,
      ...(leader ? { token: this.#held?.token } : {}),
      leaseDurationSeconds: this.#leaseMs / 1000,
    };
  }

  /** Inside a leader's write transaction, first: the server ends it if this replica goes silent mid-way. */
  async guardWrite(tx: Queryable): Promise<void> {
    await tx.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.round(this.#renewDeadlineMs)}`);
  }

  /** Inside a leader's write transaction, last: commit only under our token (the row stays locked until commit). */
  async fence(tx: Queryable): Promise<void> {
    const held = this.#held;
    if (!held || !this.isLeader() || !(await fenceLease(tx, this.#name, this.#o.identity, held.token))) {
      throw new NotLeaseHolderError(this.#name);
    }
  }

  #report(): void {
    const leader = this.isLeader();
    if (leader === this.#wasLeader) return;
    this.#wasLeader = leader;
    this.#o.logger.info(
      { identity: this.#o.identity, leader, ...(leader ? { token: this.#held?.token } : {}) },
      leader ? 'became the leader (PostgreSQL lease)' : 'lost leadership',
    );
    this.#onChange(leader);
  }

  #drop(reason: string): void {
    const client = this.#client;
    this.#client = undefined;
    this.#session = '';
    if (client) {
      this.#o.logger.warn({ reason, wasLeader: this.#held !== undefined }, 'leader-election connection lost');
      // Destroy rather than end: on a silent connection `end` would wait for an answer.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      client.end().catch(() => {});
    }
    // Our session is gone (or about to be): a follower may take over at once, so stop now.
    this.#held = undefined;
    this.#report();
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = new pg.Client({
      connectionString: this.#o.databaseUrl,
      keepAlive: true,
      query_timeout: this.#timeoutMs + 500,
      connectionTimeoutMillis: this.#timeoutMs + 500,
      statement_timeout: this.#timeoutMs,
      application_name: `burnwatch-leader-${this.#o.identity}`.slice(0, 63),
    });
    client.on('error', (error) => {
      if (this.#client === client) this.#drop(error.message);
    });
    client.on('end', () => {
      if (this.#client === client) this.#drop('connection ended');
    });
    client.on('notification', (n) => {
      if (n.channel === LEADER_CHANNEL && !this.#stopped && !this.isLeader()) this.#soon();
    });
    await client.connect();
    const { rows } = await client.query<{ session: string }>(
      `SELECT pg_backend_pid() || ':' || (extract(epoch FROM backend_start) * 1000000)::bigint AS session
         FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
    );
    await client.query(`LISTEN ${LEADER_CHANNEL}`);
    this.#client = client;
    this.#session = rows[0]!.session;
    return client;
  }

  async #sessionAlive(client: pg.Client, session: string): Promise<boolean> {
    const [pid, start] = session.split(':');
    if (!pid || !start) return false;
    const { rows } = await client.query<{ alive: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                       WHERE pid = $1 AND (extract(epoch FROM backend_start) * 1000000)::bigint = $2) AS alive`,
      [Number(pid), start],
    );
    return rows[0]?.alive === true;
  }

  /** One round: renew (leader) or look and take over if the lease is free, expired or its holder's session gone. */
  async campaign(): Promise<boolean> {
    try {
      const client = await this.#connect();
      const held = this.#held;
      if (held) {
        const startedAt = this.#now();
        const renewed = await renewLease(client, this.#name, this.#o.identity, held.token, this.#session, new Date());
        if (renewed && this.#held === held) {
          held.renewStartedAt = startedAt;
          this.#observed = { lease: renewed, at: this.#now() };
        } else if (!renewed) {
          this.#held = undefined;
          this.#observed = { lease: await readLease(client, this.#name), at: this.#now() };
          this.#o.logger.warn({ token: held.token, holder: this.#observed.lease.holder }, 'the leader lease was taken over by another replica');
        }
      } else {
        const lease = await readLease(client, this.#name);
        const now = this.#now();
        if (!this.#observed || this.#observed.lease.version !== lease.version) this.#observed = { lease, at: now };
        else this.#observed.lease = lease;
        let why: string | undefined;
        if (lease.holder === '') why = 'released';
        else if (now - this.#observed.at >= this.#leaseMs) why = 'expired';
        else if (!(await this.#sessionAlive(client, lease.holderSession))) why = "holder's session ended";
        if (why) {
          const startedAt = this.#now();
          const taken = await takeLease(client, this.#name, lease.version, this.#o.identity, this.#session, new Date());
          if (taken) {
            this.#held = { token: taken.token, renewStartedAt: startedAt };
            this.#observed = { lease: taken, at: this.#now() };
            this.#o.logger.info({ from: lease.holder || null, why, token: taken.token }, 'took the leader lease');
            await client.query(`NOTIFY ${LEADER_CHANNEL}`).catch(() => {});
          }
        }
      }
    } catch (error) {
      this.#drop((error as Error).message);
    }
    this.#report();
    return this.isLeader();
  }

  #soon(): void {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.#loop();
  }

  async #loop(): Promise<void> {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    do {
      this.#again = false;
      this.#busy = this.campaign().then(() => {});
      await this.#busy;
      this.#busy = undefined;
    } while (this.#again && !this.#stopped);
    if (!this.#stopped) {
      // A leader also rechecks right at its renew deadline, so it reports the loss on time.
      this.#timer = setTimeout(() => void this.#loop(), this.#retryMs);
    }
  }

  async start(onChange: (leader: boolean) => void): Promise<void> {
    this.#onChange = onChange;
    await this.#loop();
  }

  /** Releases the lease and wakes the followers (NOTIFY), so one takes over within a round trip. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
    const held = this.#held;
    this.#held = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client && held) {
      try {
        await releaseLease(client, this.#name, this.#o.identity, held.token, new Date());
        await client.query(`NOTIFY ${LEADER_CHANNEL}`);
        this.#o.logger.info({ token: held.token }, 'released the leader lease');
      } catch (error) {
        this.#o.logger.warn({ err: (error as Error).message }, 'could not release the leader lease; it expires by itself');
      }
    }
    this.#report();
    await client?.end().catch(() => {});
  }
}

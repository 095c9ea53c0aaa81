// Leadership outside Kubernetes: a PostgreSQL session-level advisory lock held on a
// dedicated connection. PostgreSQL releases it when that session ends (process
// killed, connection lost), so a replica that dies hands over without any timeout
// of ours; a replica whose connection fails stops being the leader at once.
import pg from 'pg';
import type { Logger } from 'pino';
import type { LeaderElector } from './leader-elector.ts';

export const LEADER_LOCK_KEY = 0x62776c64; // "bwld"

export interface AdvisoryLockElectorOptions {
  databaseUrl: string;
  identity: string;
  logger: Logger;
  retryPeriodSeconds?: number;
  key?: number;
}

export class AdvisoryLockElector implements LeaderElector {
  readonly mode = 'advisory' as const;
  readonly #o: AdvisoryLockElectorOptions;
  #client: pg.Client | undefined;
  #leader = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #onChange: (leader: boolean) => void = () => {};
  #busy: Promise<void> | undefined;

  constructor(options: AdvisoryLockElectorOptions) {
    this.#o = options;
  }

  isLeader(): boolean {
    return this.#leader;
  }

  describe(): Record<string, unknown> {
    return { mode: this.mode, identity: this.#o.identity, leader: this.#leader };
  }

  #set(leader: boolean): void {
    if (leader === this.#leader) return;
    this.#leader = leader;
    this.#o.logger.info({ identity: this.#o.identity, leader }, leader ? 'became the leader (advisory lock)' : 'lost leadership');
    this.#onChange(leader);
  }

  #drop(reason: string): void {
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      this.#o.logger.warn({ reason }, 'leader-election connection lost');
      client.end().catch(() => {});
    }
    this.#set(false);
  }

  /** One round: connect if needed, then try the lock (follower) or check the session is alive (leader). */
  async campaign(): Promise<boolean> {
    try {
      if (!this.#client) {
        const client = new pg.Client({
          connectionString: this.#o.databaseUrl,
          keepAlive: true,
          query_timeout: 5000,
          connectionTimeoutMillis: 5000,
          application_name: `burnwatch-leader-${this.#o.identity}`.slice(0, 63),
        });
        client.on('error', (error) => this.#drop(error.message));
        client.on('end', () => {
          if (this.#client === client) this.#drop('connection ended');
        });
        await client.connect();
        this.#client = client;
      }
      if (this.#leader) {
        await this.#client.query('SELECT 1');
      } else {
        const { rows } = await this.#client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
          this.#o.key ?? LEADER_LOCK_KEY,
        ]);
        this.#set(rows[0]?.ok === true);
      }
    } catch (error) {
      this.#drop((error as Error).message);
    }
    return this.#leader;
  }

  async start(onChange: (leader: boolean) => void): Promise<void> {
    this.#onChange = onChange;
    const period = (this.#o.retryPeriodSeconds ?? 2) * 1000;
    const loop = async () => {
      if (this.#stopped) return;
      this.#busy = this.campaign().then(() => {});
      await this.#busy;
      if (!this.#stopped) this.#timer = setTimeout(loop, period);
    };
    await loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
    const client = this.#client;
    this.#client = undefined;
    this.#set(false);
    if (client) {
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => {});
      await client.end().catch(() => {});
    }
  }
}

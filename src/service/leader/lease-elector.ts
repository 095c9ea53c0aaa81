// Leadership in Kubernetes: a coordination.k8s.io/v1 Lease, the way client-go's
// leaderelection does it (client-node ships no elector):
//   read → 404: create (409 = someone else created it first)
//        → held by another whose record we have seen unchanged for a whole
//          leaseDuration of our own clock: take it; otherwise follow
//        → replace with the read resourceVersion (409 = lost the race).
// Expiry is judged by when *we* observed the record change, not by the holder's
// renewTime, so clock skew between nodes does not matter. A leader that cannot
// renew within renewDeadline (< leaseDuration) stops acting before anyone else
// can take over. Times are MicroTime (6 fractional digits) as the apiserver demands.
import { ApiException, type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.ts';
import type { LeaderElector } from './leader-elector.ts';

export interface LeaseElectorOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  identity: string;
  clock: Clock;
  logger: Logger;
  leaseDurationSeconds: number;
  /** Default 2/3 of the lease duration. */
  renewDeadlineSeconds?: number;
  /** Default 2/15 of the lease duration. */
  retryPeriodSeconds?: number;
}

function isConflict(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

export class LeaseElector implements LeaderElector {
  readonly mode = 'lease' as const;
  readonly #o: LeaseElectorOptions;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  /** The record last seen (holder + renewTime) and when we saw it change. */
  #observed: { holder: string; renewTime: string; at: number } | undefined;
  #lastRenewAt: number | undefined;
  #wasLeader = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #busy: Promise<unknown> | undefined;
  #onChange: (leader: boolean) => void = () => {};

  constructor(options: LeaseElectorOptions) {
    this.#o = options;
    this.#renewDeadlineMs = (options.renewDeadlineSeconds ?? (options.leaseDurationSeconds * 2) / 3) * 1000;
    this.#retryMs = (options.retryPeriodSeconds ?? (options.leaseDurationSeconds * 2) / 15) * 1000;
  }

  /** Leader only while the last successful renewal is younger than renewDeadline. */
  isLeader(): boolean {
    return this.#lastRenewAt !== undefined && this.#o.clock.now().getTime() - this.#lastRenewAt < this.#renewDeadlineMs;
  }

  describe(): Record<string, unknown> {
    return {
      mode: this.mode,
      lease: `${this.#o.namespace}/${this.#o.name}`,
      identity: this.#o.identity,
      leader: this.isLeader(),
      holder: this.#observed?.holder ?? null,
    };
  }

  #spec(now: Date, previous: V1Lease['spec'] | undefined) {
    const keep = previous?.holderIdentity === this.#o.identity;
    return {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: this.#o.leaseDurationSeconds,
      acquireTime: keep && previous?.acquireTime ? new V1MicroTime(new Date(previous.acquireTime).getTime()) : new V1MicroTime(now.getTime()),
      renewTime: new V1MicroTime(now.getTime()),
      leaseTransitions: keep ? (previous?.leaseTransitions ?? 0) : (previous?.leaseTransitions ?? -1) + 1,
    };
  }

  /** One round; returns whether we hold the lease now. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, name, identity, clock } = this.#o;
    const now = clock.now();
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isConflict(error, 404)) throw error;
      try {
        await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: this.#spec(now, undefined) } });
      } catch (createError) {
        if (isConflict(createError, 409)) return false;
        throw createError;
      }
      this.#renewed(now, identity);
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ? String(spec.renewTime instanceof Date ? spec.renewTime.toISOString() : spec.renewTime) : '';
    if (!this.#observed || this.#observed.holder !== holder || this.#observed.renewTime !== renewTime) {
      this.#observed = { holder, renewTime, at: now.getTime() };
    }
    const durationMs = (spec.leaseDurationSeconds ?? this.#o.leaseDurationSeconds) * 1000;
    if (holder !== '' && holder !== identity && this.#observed.at + durationMs > now.getTime()) return false;
    try {
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: { metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion }, spec: this.#spec(now, spec) },
      });
    } catch (error) {
      if (isConflict(error, 409)) return false;
      throw error;
    }
    this.#renewed(now, identity);
    return true;
  }

  #renewed(now: Date, holder: string): void {
    this.#lastRenewAt = now.getTime();
    this.#observed = { holder, renewTime: new V1MicroTime(now.getTime()).toISOString(), at: now.getTime() };
  }

  #report(): void {
    const leader = this.isLeader();
    if (leader === this.#wasLeader) return;
    this.#wasLeader = leader;
    this.#o.logger.info({ identity: this.#o.identity, lease: `${this.#o.namespace}/${this.#o.name}`, leader }, leader ? 'became the leader (lease)' : 'lost leadership');
    this.#onChange(leader);
  }

  async start(onChange: (leader: boolean) => void): Promise<void> {
    this.#onChange = onChange;
    const loop = async () => {
      if (this.#stopped) return;
      this.#busy = this.tryAcquireOrRenew().catch((error: Error) => {
        this.#o.logger.warn({ err: error.message }, 'lease request failed');
      });
      await this.#busy;
      this.#report();
      if (!this.#stopped) this.#timer = setTimeout(loop, this.#retryMs);
    };
    await loop();
  }

  /** Gives the lease up (holder emptied, duration 1 s) so a follower takes over without waiting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
    if (!this.isLeader()) return;
    const { api, namespace, name, clock } = this.#o;
    try {
      const lease = await api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity === this.#o.identity) {
        const now = new V1MicroTime(clock.now().getTime());
        await api.replaceNamespacedLease({
          name,
          namespace,
          body: {
            metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
            spec: {
              ...lease.spec,
              ...(lease.spec.acquireTime ? { acquireTime: new V1MicroTime(new Date(lease.spec.acquireTime).getTime()) } : {}),
              holderIdentity: '',
              leaseDurationSeconds: 1,
              renewTime: now,
            },
          },
        });
      }
    } catch (error) {
      this.#o.logger.warn({ err: (error as Error).message }, 'could not release the lease; it expires by itself');
    }
    this.#lastRenewAt = undefined;
    this.#report();
  }
}

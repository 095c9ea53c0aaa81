// Delivers the outbox: the oldest pending message of each channel, channels in
// parallel, a channel's messages strictly in order. Each channel is a lane of its own:
// a send that hangs (a Slack call waiting out its timeout) holds back its channel only,
// never the others. A failure the notifier calls
// retryable is retried with exponential backoff (or after the receiver's
// Retry-After); a permanent one is recorded and the channel moves on. Delivery is
// recorded right after the send, guarded by `delivered_at IS NULL`, and the key
// travels with the message so a receiver can drop the one retry a crash between
// the two could cause. Only the leader dispatches; `isLeader` is checked before
// every send so a replica that loses leadership stops at once.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { isMutable, isMuted, muteTargetOf } from '../lifecycle/silences.ts';
import type { Db } from '../store/db.ts';
import { activeSilences } from '../store/repositories/silences.ts';
import { dueHeadOf, dueHeads, markDelivered, markFailed, markRetry, type OutboxMessage } from '../store/repositories/outbox.ts';
import { type Notifier, notifierNameOf } from './notifier.ts';
import { NotifyError } from './notify-error.ts';

export interface DispatcherOptions {
  db: Db;
  notifiers: readonly Notifier[];
  clock: Clock;
  logger: Logger;
  isLeader: () => boolean;
  backoffSeconds: number;
  maxBackoffSeconds: number;
  /** How often to look for due messages when not kicked. */
  pollSeconds?: number;
}

export function backoffDelay(attempts: number, initialSeconds: number, maxSeconds: number): number {
  return Math.min(maxSeconds, initialSeconds * 2 ** Math.max(0, attempts - 1));
}

const tracer = trace.getTracer('burnwatch');

export class OutboxDispatcher {
  readonly #o: DispatcherOptions;
  readonly #notifiers: Map<string, Notifier>;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  /** The channels being delivered now: at most one lane each, so no head is ever sent twice at once. */
  readonly #lanes = new Map<string, Promise<number>>();
  #running: Promise<void> | undefined;
  #again = false;
  #polling = true;
  /** Shutting down: finish the sends in flight, start none. */
  #draining = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#notifiers = new Map(options.notifiers.map((n) => [n.name, n]));
  }

  /**
   * Delivers everything that is due now in the channels no lane is delivering yet; resolves
   * with the number delivered once those lanes are done.
   */
  async runOnce(): Promise<number> {
    let delivered = 0;
    // A delivery may open another channel (a Slack job for an incident): look again until nothing moves.
    for (let round = 0; round < 1000; round++) {
      const lanes = await this.#startLanes(false);
      if (lanes.length === 0) break;
      const counts = await Promise.all(lanes);
      const n = counts.reduce((a, b) => a + b, 0);
      delivered += n;
      if (n === 0) break;
    }
    return delivered;
  }

  /** Starts a lane for every channel with a due head and no lane running. */
  async #startLanes(kickAfter: boolean): Promise<Promise<number>[]> {
    if (!this.#o.isLeader() || this.#stop.signal.aborted || this.#draining) return [];
    const heads = await dueHeads(this.#o.db, this.#o.clock.now());
    return heads.filter((m) => !this.#lanes.has(m.channel)).map((m) => this.#lane(m, kickAfter));
  }

  /**
   * One channel: its due head, then the next one once that is settled, until one must wait.
   * `kickAfter`: once done, look for channels its deliveries opened (runOnce looks itself).
   */
  #lane(head: OutboxMessage, kickAfter: boolean): Promise<number> {
    const run = (async () => {
      let delivered = 0;
      let m: OutboxMessage | undefined = head;
      for (let i = 0; m && i < 1000; i++) {
        const outcome = await this.#deliver(m);
        if (outcome === 'delivered') delivered++;
        if (outcome === 'retry' || outcome === 'skipped' || !this.#o.isLeader() || this.#stop.signal.aborted || this.#draining) break;
        m = await dueHeadOf(this.#o.db, m.channel, this.#o.clock.now());
      }
      return delivered;
    })().finally(() => this.#lanes.delete(head.channel));
    this.#lanes.set(head.channel, run);
    if (kickAfter) void run.then((delivered) => delivered > 0 && this.kick(), () => {});
    return run;
  }

  async #deliver(m: OutboxMessage): Promise<'delivered' | 'retry' | 'failed' | 'skipped'> {
    if (!this.#o.isLeader()) return 'skipped';
    const { db, clock, logger } = this.#o;
    const notifier = this.#notifiers.get(notifierNameOf(m.channel));
    const attempt = m.attempts + 1;
    const log = logger.child({ outboxId: m.id, key: m.idempotencyKey, channel: m.channel, attempt });
    if (!notifier) {
      const error = `no notifier for channel "${m.channel}" (is it configured?)`;
      await markRetry(db, m.id, new Date(clock.now().getTime() + this.#o.maxBackoffSeconds * 1000), error);
      log.warn(error);
      return 'retry';
    }
    // The mute stage: a silence (set from Slack, the API, …) holds back its alerts on every channel.
    const muted = isMutable(m.kind) && isMuted(await activeSilences(db, clock.now()), muteTargetOf(m.kind, m.payload), clock.now());
    if (muted && !notifier.receivesMuted) {
      await markDelivered(db, m.id, clock.now(), { muted: true });
      log.info({ kind: m.kind }, 'notification muted by a silence');
      return 'delivered';
    }
    return tracer.startActiveSpan('notify', { attributes: { 'burnwatch.channel': m.channel, 'burnwatch.kind': m.kind, 'burnwatch.attempt': attempt } }, async (span) => {
      try {
        const result = await notifier.send(
          { idempotencyKey: m.idempotencyKey, channel: m.channel, kind: m.kind, payload: m.payload, attempt, ...(muted ? { muted } : {}) },
          this.#stop.signal,
        );
        await markDelivered(db, m.id, clock.now(), result);
        log.info({ kind: m.kind }, 'notification delivered');
        return 'delivered';
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        const retryable = error instanceof NotifyError ? error.retryable : true;
        const message = (error as Error).message;
        if (!retryable) {
          await markFailed(db, m.id, clock.now(), message);
          log.error({ err: message }, 'notification failed permanently; moving on');
          return 'failed';
        }
        const delay =
          error instanceof NotifyError && error.retryAfterSeconds !== undefined
            ? error.retryAfterSeconds
            : backoffDelay(attempt, this.#o.backoffSeconds, this.#o.maxBackoffSeconds);
        await markRetry(db, m.id, new Date(clock.now().getTime() + delay * 1000), message);
        log.warn({ err: message, retryInSeconds: delay }, 'notification not delivered; will retry');
        return 'retry';
      } finally {
        span.end();
      }
    });
  }

  /** Looks for due messages now (or right after the current look) and starts their lanes without waiting for them. */
  kick(): void {
    if (this.#stop.signal.aborted || !this.#polling) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    const failed = (error: Error) => this.#o.logger.error({ err: error.message }, 'outbox dispatch failed; will try again');
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          for (const lane of await this.#startLanes(true)) lane.catch(failed);
        } catch (error) {
          failed(error as Error);
        }
      } while (this.#again && !this.#stop.signal.aborted);
    })().finally(() => {
      this.#running = undefined;
    });
  }

  start(): void {
    const poll = (this.#o.pollSeconds ?? 1) * 1000;
    const tick = () => {
      this.kick();
      this.#timer = setTimeout(tick, poll);
    };
    tick();
  }

  /** Resolves when no look and no lane is running. */
  async #settled(): Promise<void> {
    while (this.#running || this.#lanes.size > 0) {
      await this.#running;
      await Promise.allSettled([...this.#lanes.values()]);
    }
  }

  /**
   * Stops polling. With `flush` (a single replica: nobody else will deliver), lets the running
   * lanes finish and delivers what is due in one last run; with `drain` (another replica takes
   * over at once and delivers the rest), only the sends already in flight finish. Either for at
   * most `graceSeconds`: then the send still in flight is aborted (the next leader sends it
   * again, with the same idempotency key) and its lane finishes recording. With neither, the
   * send in flight is aborted at once.
   */
  async stop(opts: { flush?: boolean; drain?: boolean; graceSeconds?: number } = {}): Promise<void> {
    clearTimeout(this.#timer);
    this.#polling = false;
    if (!opts.flush) this.#draining = true;
    if (opts.flush || opts.drain) {
      const finish = async () => {
        await this.#settled();
        if (opts.flush) await this.runOnce().catch((error: Error) => this.#o.logger.warn({ err: error.message }, 'final outbox flush failed'));
      };
      let timer: NodeJS.Timeout | undefined;
      const grace = opts.graceSeconds;
      const outOfTime = new Promise<'late'>((resolve) => {
        if (grace !== undefined) timer = setTimeout(() => resolve('late'), grace * 1000);
      });
      const result = await Promise.race([finish().then(() => 'done' as const), outOfTime]);
      clearTimeout(timer);
      if (result === 'late') this.#o.logger.warn({ graceSeconds: grace }, 'the final outbox delivery ran out of shutdown grace; what is left stays pending for the next leader');
    }
    this.#draining = true;
    this.#stop.abort();
    await this.#settled();
  }
}

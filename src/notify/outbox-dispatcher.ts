// Delivers the outbox: the oldest pending message of each channel, channels in
// parallel, a channel's messages strictly in order. A failure the notifier calls
// retryable is retried with exponential backoff (or after the receiver's
// Retry-After); a permanent one is recorded and the channel moves on. Delivery is
// recorded right after the send, guarded by `delivered_at IS NULL`, and the key
// travels with the message so a receiver can drop the one retry a crash between
// the two could cause. Only the leader dispatches; `isLeader` is checked before
// every send so a replica that loses leadership stops at once.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Db } from '../store/db.ts';
import { dueHeads, markDelivered, markFailed, markRetry, type OutboxMessage } from '../store/repositories/outbox.ts';
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
  #running: Promise<void> | undefined;
  #again = false;
  #polling = true;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#notifiers = new Map(options.notifiers.map((n) => [n.name, n]));
  }

  /** Delivers everything that is due now; resolves with the number delivered. */
  async runOnce(): Promise<number> {
    let delivered = 0;
    // Each round sends the due head of every channel; a delivered head lets the next one in.
    for (let round = 0; round < 1000; round++) {
      if (!this.#o.isLeader() || this.#stop.signal.aborted) break;
      const heads = await dueHeads(this.#o.db, this.#o.clock.now());
      if (heads.length === 0) break;
      const outcomes = await Promise.all(heads.map((m) => this.#deliver(m)));
      delivered += outcomes.filter((o) => o === 'delivered').length;
      if (outcomes.every((o) => o === 'retry' || o === 'skipped')) break;
    }
    return delivered;
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
    return tracer.startActiveSpan('notify', { attributes: { 'burnwatch.channel': m.channel, 'burnwatch.kind': m.kind, 'burnwatch.attempt': attempt } }, async (span) => {
      try {
        const result = await notifier.send(
          { idempotencyKey: m.idempotencyKey, channel: m.channel, kind: m.kind, payload: m.payload, attempt },
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

  /** Runs now (or right after the current run). */
  kick(): void {
    if (this.#stop.signal.aborted || !this.#polling) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.runOnce();
        } catch (error) {
          this.#o.logger.error({ err: (error as Error).message }, 'outbox dispatch failed; will try again');
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

  /**
   * Stops polling; with `flush`, first delivers what is due in one last serialized run
   * (never alongside a run in progress, which could send a head twice). Then aborts a
   * send still in flight and waits for the current run to finish recording.
   */
  async stop(opts: { flush?: boolean } = {}): Promise<void> {
    clearTimeout(this.#timer);
    this.#polling = false;
    if (opts.flush) {
      while (this.#running) await this.#running;
      await this.runOnce().catch((error: Error) => this.#o.logger.warn({ err: error.message }, 'final outbox flush failed'));
    }
    this.#stop.abort();
    await this.#running;
  }
}

// Runs evaluation cycles on a node-cron schedule (default every minute). Each SLO is
// evaluated when its own interval has passed. Runs never overlap: a tick that finds
// the previous cycle still running is skipped and reported. A cycle that exceeds
// its timeout is aborted (AbortSignal to every source) and reported; it writes nothing.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import type { Metrics } from './metrics.ts';

export type TickResult = 'ran' | 'idle' | 'follower' | 'overlap' | 'aborted' | 'failed' | 'stopped';

export interface SchedulerOptions {
  /** node-cron expression; "* * * * *" = every minute, "* * * * * *" = every second. */
  schedule: string;
  timeoutSeconds: number;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  isLeader: () => boolean;
  slos: () => readonly Slo[];
  run: (slos: readonly Slo[], at: Date, signal: AbortSignal) => Promise<unknown>;
}

export class CycleTimeoutError extends Error {
  readonly code = 'cycle_timeout';
  constructor(seconds: number) {
    super(`evaluation cycle exceeded BURNWATCH_CYCLE_TIMEOUT (${seconds}s) and was aborted`);
    this.name = 'CycleTimeoutError';
  }
}

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #lastRun = new Map<string, number>();
  #task: ScheduledTask | undefined;
  #current: { promise: Promise<TickResult>; controller: AbortController } | undefined;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    if (!cron.validate(options.schedule)) throw new Error(`invalid cron schedule "${options.schedule}"`);
    this.#o = options;
  }

  /** SLOs whose interval has passed since their last completed evaluation (1 s of cron jitter tolerated). */
  due(at: Date): Slo[] {
    return this.#o.slos().filter((slo) => {
      const last = this.#lastRun.get(slo.id);
      return last === undefined || at.getTime() - last >= (slo.intervalSeconds - 1) * 1000;
    });
  }

  /** Forget when SLOs ran (a new leader evaluates everything at once). */
  resetDue(): void {
    this.#lastRun.clear();
  }

  get running(): boolean {
    return this.#current !== undefined;
  }

  async tick(): Promise<TickResult> {
    const { logger, metrics } = this.#o;
    if (this.#stopped) return 'stopped';
    if (this.#current) {
      logger.warn('previous evaluation cycle still running; this tick is skipped');
      metrics?.cycles.inc({ result: 'overlap' });
      return 'overlap';
    }
    if (!this.#o.isLeader()) return 'follower';
    const at = this.#o.clock.now();
    const slos = this.due(at);
    if (slos.length === 0) return 'idle';
    const controller = new AbortController();
    const promise = this.#runOne(slos, at, controller);
    this.#current = { promise, controller };
    try {
      return await promise;
    } finally {
      this.#current = undefined;
    }
  }

  async #runOne(slos: readonly Slo[], at: Date, controller: AbortController): Promise<TickResult> {
    const { logger, metrics, timeoutSeconds } = this.#o;
    const timer = setTimeout(() => controller.abort(new CycleTimeoutError(timeoutSeconds)), timeoutSeconds * 1000);
    const stopTimer = metrics?.cycleDuration.startTimer();
    // A source that ignores the signal must not hold the scheduler: stop waiting on abort.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      await Promise.race([this.#o.run(slos, at, controller.signal), aborted]);
      for (const slo of slos) this.#lastRun.set(slo.id, at.getTime());
      metrics?.cycles.inc({ result: 'ok' });
      return 'ran';
    } catch (error) {
      if (controller.signal.aborted) {
        logger.error({ err: (controller.signal.reason as Error).message, slos: slos.map((s) => s.id) }, 'evaluation cycle aborted');
        metrics?.cycles.inc({ result: 'aborted' });
        return 'aborted';
      }
      logger.error({ err: (error as Error).message }, 'evaluation cycle failed');
      metrics?.cycles.inc({ result: 'failed' });
      return 'failed';
    } finally {
      clearTimeout(timer);
      stopTimer?.();
    }
  }

  start(): void {
    this.#task = cron.schedule(this.#o.schedule, () => void this.tick(), { name: 'burnwatch-evaluate' });
  }

  /** Stops ticking; waits up to `graceSeconds` for the running cycle, then aborts it. */
  async stop(graceSeconds: number): Promise<void> {
    this.#stopped = true;
    await this.#task?.stop();
    await this.#task?.destroy();
    const current = this.#current;
    if (!current) return;
    const grace = setTimeout(() => current.controller.abort(new Error('shutting down')), graceSeconds * 1000);
    await current.promise;
    clearTimeout(grace);
  }
}

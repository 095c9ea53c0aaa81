// A failed delivery, typed so the outbox knows whether and when to retry.
export class NotifyError extends Error {
  readonly notifier: string;
  readonly retryable: boolean;
  /** The receiver asked us to wait (HTTP Retry-After, Slack 429). */
  readonly retryAfterSeconds: number | undefined;
  constructor(
    notifier: string,
    message: string,
    opts: { retryable: boolean; retryAfterSeconds?: number | undefined; cause?: unknown },
  ) {
    super(`${notifier}: ${message}`, { cause: opts.cause });
    this.name = 'NotifyError';
    this.notifier = notifier;
    this.retryable = opts.retryable;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now.getTime()) / 1000);
}

// Web API failures in the outbox's language: whether a retry may help, after how long, and
// whether Slack surely did not act on the call (it answered, and the answer was no).
import { ErrorCode } from './slack-error-codes.ts';
import { NotifyError } from '../notify/notify-error.ts';

/** ok:false errors that a later try can fix. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

interface WebApiFailure {
  code?: string;
  retryAfter?: number;
  data?: { error?: string };
  statusCode?: number;
  message?: string;
}

/** Turns a Web API failure into the outbox's language. */
export function toNotifyError(error: unknown): NotifyError {
  const e = error as WebApiFailure;
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new NotifyError('slack', `rate limited, retry after ${e.retryAfter} s`, { retryable: true, retryAfterSeconds: e.retryAfter, cause: error });
    case ErrorCode.HTTPError:
      return new NotifyError('slack', `HTTP ${e.statusCode}`, { retryable: (e.statusCode ?? 500) >= 500 || e.statusCode === 408, cause: error });
    case ErrorCode.RequestError:
      return new NotifyError('slack', `request failed: ${e.message}`, { retryable: true, cause: error });
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new NotifyError('slack', `Slack refused: ${code}`, { retryable: TRANSIENT_PLATFORM_ERRORS.has(code), cause: error });
    }
    default:
      if (error instanceof NotifyError) return error;
      return new NotifyError('slack', (error as Error).message ?? String(error), { retryable: true, cause: error });
  }
}

/** The ok:false error code, if Slack answered with one. */
export function platformError(error: unknown): string | undefined {
  const e = error as WebApiFailure;
  return e.code === ErrorCode.PlatformError ? e.data?.error : undefined;
}

/**
 * Slack answered and did not act: a 429 (the call was not processed), an ok:false refusal or
 * a 4xx other than 408. A lost connection, a timeout, a 5xx or a 408 leave the outcome unknown.
 */
export function surelyNotDone(error: unknown): boolean {
  const e = error as WebApiFailure;
  if (e.code === ErrorCode.RateLimitedError || e.code === ErrorCode.PlatformError) return true;
  return e.code === ErrorCode.HTTPError && e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 408;
}

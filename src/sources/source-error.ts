// Expected source failures are typed so that the evaluator can turn them into
// "unknown" (never "fine") and a person can tell which source and query to fix.
export type SourceErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'http_error'
  | 'bad_query'
  | 'empty_result'
  | 'bad_response'
  | 'quota'
  | 'auth'
  | 'not_configured';

export class SourceError extends Error {
  readonly code: SourceErrorCode;
  readonly source: string;
  readonly query: string | undefined;
  readonly retryable: boolean;
  /** The SLO whose query failed, when known. */
  readonly slo: string | undefined;
  /** The backend's own reason code (BigQuery: invalidQuery, bytesBilledLimitExceeded, …). */
  readonly reason: string | undefined;

  constructor(
    code: SourceErrorCode,
    message: string,
    opts: { source: string; query?: string; retryable: boolean; cause?: unknown; slo?: string; reason?: string },
  ) {
    const slo = opts.slo ? ` SLO ${opts.slo}:` : '';
    super(`${opts.source}:${slo} ${message}${opts.query ? ` (query: ${opts.query})` : ''}`, { cause: opts.cause });
    this.name = 'SourceError';
    this.code = code;
    this.source = opts.source;
    this.query = opts.query;
    this.retryable = opts.retryable;
    this.slo = opts.slo;
    this.reason = opts.reason;
  }
}

/**
 * A read stopped because its caller gave up (the cycle's BURNWATCH_CYCLE_TIMEOUT, a shutdown):
 * a SourceError, so the SLO is unknown with the reason, and retryable, since the next cycle may
 * have the time. `outcome` says what became of the query at the backend.
 */
export function abortedError(source: string, signal: AbortSignal, outcome: string): SourceError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  return new SourceError('timeout', `read aborted (${why}): ${outcome}`, { source, retryable: true, reason: 'aborted', cause: reason });
}

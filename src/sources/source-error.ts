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
  | 'auth';

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

// BigQuery failures as SourceErrors: the API's reason (invalidQuery,
// bytesBilledLimitExceeded, …), whether a retry may help, and what to change.
import { SourceError, type SourceErrorCode } from '../source-error.ts';

interface ReasonRule {
  code: SourceErrorCode;
  retryable: boolean;
  fix: string;
}

// https://cloud.google.com/bigquery/docs/error-messages
const REASONS: Record<string, ReasonRule> = {
  invalidQuery: { code: 'bad_query', retryable: false, fix: 'fix the SQL (standard SQL; parameters @start, @end, @window_seconds, @bucket_seconds)' },
  invalid: { code: 'bad_query', retryable: false, fix: 'fix the query or the source settings' },
  notFound: { code: 'bad_query', retryable: false, fix: 'check the table name and that the source location matches the dataset location' },
  duplicate: { code: 'bad_query', retryable: false, fix: 'check the query' },
  responseTooLarge: { code: 'bad_query', retryable: false, fix: 'aggregate in SQL; the query must return few rows' },
  resourcesExceeded: { code: 'bad_query', retryable: false, fix: 'simplify the query or aggregate earlier' },
  bytesBilledLimitExceeded: {
    code: 'quota',
    retryable: false,
    fix: 'filter on the partitioning column with @start/@end so the query scans less, or raise maximumBytesBilled of the source',
  },
  quotaExceeded: { code: 'quota', retryable: false, fix: 'the project is out of BigQuery quota; raise it or query less often (interval)' },
  rateLimitExceeded: { code: 'quota', retryable: true, fix: 'too many requests; a later retry may pass' },
  accessDenied: { code: 'auth', retryable: false, fix: 'grant the service account roles/bigquery.jobUser and read access to the dataset' },
  billingNotEnabled: { code: 'auth', retryable: false, fix: 'enable billing for the project' },
  backendError: { code: 'http_error', retryable: true, fix: 'a BigQuery-side failure; a retry may pass' },
  internalError: { code: 'http_error', retryable: true, fix: 'a BigQuery-side failure; a retry may pass' },
  jobBackendError: { code: 'http_error', retryable: true, fix: 'a BigQuery-side failure; a retry may pass' },
  jobInternalError: { code: 'http_error', retryable: true, fix: 'a BigQuery-side failure; a retry may pass' },
  timeout: { code: 'timeout', retryable: true, fix: 'the job hit its timeout; make the query cheaper or raise timeoutSeconds' },
  stopped: { code: 'timeout', retryable: true, fix: 'the job was cancelled (job timeout); make the query cheaper or raise timeoutSeconds' },
};

interface ApiErrorLike {
  code?: number | string;
  message?: string;
  errors?: { reason?: string; message?: string }[];
}

export function bigQueryError(source: string, error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  const e = (error ?? {}) as ApiErrorLike;
  const reason = e.errors?.find((x) => x.reason)?.reason;
  const message = (e.errors?.find((x) => x.message)?.message ?? e.message ?? String(error)).split('\n')[0]!;
  const status = typeof e.code === 'number' ? e.code : undefined;
  const rule = reason ? REASONS[reason] : undefined;
  if (rule) {
    return new SourceError(rule.code, `BigQuery ${reason}: ${message} — ${rule.fix}`, {
      source,
      retryable: rule.retryable,
      reason,
      cause: error,
    });
  }
  if (status !== undefined) {
    const retryable = status >= 500 || status === 429;
    const code: SourceErrorCode = status === 401 || status === 403 ? 'auth' : retryable ? 'http_error' : 'bad_query';
    return new SourceError(code, `BigQuery HTTP ${status}${reason ? ` ${reason}` : ''}: ${message}`, {
      source,
      retryable,
      ...(reason ? { reason } : {}),
      cause: error,
    });
  }
  if (/default credentials|invalid_grant|unauthorized_client|Could not refresh access token/i.test(message)) {
    return new SourceError('auth', `BigQuery credentials: ${message} — use Application Default Credentials or workload identity`, {
      source,
      retryable: false,
      cause: error,
    });
  }
  return new SourceError('unreachable', `cannot reach BigQuery: ${message}`, { source, retryable: true, cause: error });
}

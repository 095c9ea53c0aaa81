// Runs warehouse SLI queries on BigQuery with the official client: standard SQL, named
// parameters, location per query (the client does not send the constructor's), a
// maximumBytesBilled cap (the query fails rather than overspends), a job timeout and a
// client-side deadline. Credentials come from Application Default Credentials (a key
// file in GOOGLE_APPLICATION_CREDENTIALS, gcloud login, or workload identity via the
// metadata server); burnwatch never reads or logs them.
import type { BigQuery, BigQueryOptions, Query } from '@google-cloud/bigquery';
import type { BigQuerySourceSpec } from '../../domain/slo.ts';
import { abortedError, SourceError } from '../source-error.ts';
import { type Row, type SqlParams, usedParameters } from '../sql/sql-contract.ts';
import type { SqlRunner } from '../sql/sql-sli-source.ts';
import { bigQueryError } from './bigquery-errors.ts';
import { readOnlyProblem } from '../sql/read-only-statement.ts';
import { bytesOfJob, bytesOfResponse, type JobBytesListener } from './job-bytes.ts';

const PARAM_TYPES: Record<keyof SqlParams, string> = {
  start: 'TIMESTAMP',
  end: 'TIMESTAMP',
  window_seconds: 'INT64',
  bucket_seconds: 'INT64',
};

export interface BigQueryRunnerOptions {
  /** Injected auth client (tests; a custom credential source). Default: ADC. */
  authClient?: BigQueryOptions['authClient'];
  /** The client's own retries of 5xx/429; default 0: the next cycle retries instead. */
  maxRetries?: number;
  /** Told the bytes processed and billed of every query job that finished. */
  onJobBytes?: JobBytesListener | undefined;
}

export interface BigQueryRunner extends SqlRunner {
  /** Dry run: the bytes the query would scan with these parameters. */
  estimateBytes(sql: string, params: SqlParams): Promise<number>;
}

export function createBigQueryRunner(spec: BigQuerySourceSpec, options: BigQueryRunnerOptions = {}): BigQueryRunner {
  const source = spec.name;
  const timeoutMs = Math.round(spec.timeoutSeconds * 1000);
  // The client library, and Google's auth stack with it, is loaded on the first request: a
  // process without a BigQuery DataSource, or one that never queries it, never loads it.
  let opened: Promise<BigQuery> | undefined;
  function bigquery(): Promise<BigQuery> {
    opened ??= import('@google-cloud/bigquery').then(({ BigQuery }) => {
      const client = new BigQuery({
        projectId: spec.projectId,
        ...(spec.apiEndpoint ? { apiEndpoint: spec.apiEndpoint } : {}),
        ...(options.authClient ? { authClient: options.authClient } : {}),
        autoRetry: (options.maxRetries ?? 0) > 0,
        maxRetries: options.maxRetries ?? 0,
      });
      // jobs.query accepts jobTimeoutMs, but the client only sends it through jobs.insert,
      // which would cost a round trip per query; add it to the jobs.query body instead.
      client.interceptors.push({
        request: (reqOpts: { method?: string; uri?: string; json?: Record<string, unknown> }) => {
          if (reqOpts.method === 'POST' && reqOpts.uri?.endsWith('/queries') && reqOpts.json) {
            reqOpts.json.jobTimeoutMs = String(timeoutMs);
          }
          return reqOpts;
        },
      } as never);
      return client;
    });
    return opened;
  }

  function request(sql: string, params: SqlParams): Query {
    const used = usedParameters(sql);
    return {
      query: sql,
      useLegacySql: false,
      params: Object.fromEntries(used.map((n) => [n, params[n]])),
      types: Object.fromEntries(used.map((n) => [n, PARAM_TYPES[n]])),
      ...(spec.location ? { location: spec.location } : {}),
      ...(spec.maximumBytesBilled !== undefined ? { maximumBytesBilled: String(spec.maximumBytesBilled) } : {}),
      wrapIntegers: true,
    };
  }

  async function withDeadline<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
    work.catch(() => {}); // the loser of the race must not become an unhandled rejection
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SourceError('timeout', `BigQuery did not finish within ${spec.timeoutSeconds}s — make the query cheaper or raise timeoutSeconds`, {
              source,
              retryable: true,
              reason: 'timeout',
            }),
          ),
        timeoutMs,
      );
      // client.query does not tell the id of the job it started, so it cannot be cancelled here; jobTimeoutMs bounds its cost.
      onAbort = () => reject(abortedError(source, signal!, `a job already started runs on at BigQuery for at most its job timeout (${spec.timeoutSeconds}s)`));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Reports what a finished job cost. The final answer states the bytes processed; when it
   * does not state the bytes billed, the job does. Never fails the read: a job whose
   * statistics cannot be had is reported without the bytes billed.
   */
  async function reportBytes(response: unknown, signal?: AbortSignal): Promise<void> {
    const listener = options.onJobBytes;
    if (!listener) return;
    const stated = bytesOfResponse(response);
    const job = stated.job;
    let { processed, billed } = stated;
    if (billed === undefined && job) {
      try {
        const client = await bigquery();
        const [metadata] = await withDeadline(client.job(job.id, job.location ? { location: job.location } : {}).getMetadata(), signal);
        const fromJob = bytesOfJob(metadata);
        processed = fromJob.processed ?? processed;
        billed = fromJob.billed;
      } catch {
        // the rows are what matters; the cost is then known only in part
      }
    }
    if (processed === undefined && billed === undefined) return;
    listener({ source, processedBytes: processed ?? 0, billedBytes: billed });
  }

  // BigQuery's dry run names the statement type (it never executes): only SELECT runs. A
  // text once found to be a SELECT stays one, so each query is dry-run once per process.
  const selects = new Set<string>();
  async function statementType(sql: string, params: SqlParams, signal?: AbortSignal): Promise<string> {
    const [, response] = await withDeadline(bigquery().then((client) => client.createQueryJob({ ...request(sql, params), dryRun: true })), signal);
    return String((response as { statistics?: { query?: { statementType?: string } } } | undefined)?.statistics?.query?.statementType ?? 'UNKNOWN');
  }
  async function requireSelect(sql: string, params: SqlParams, signal?: AbortSignal): Promise<void> {
    if (selects.has(sql)) return;
    const problem = readOnlyProblem(sql);
    const type = problem ? undefined : await statementType(sql, params, signal);
    if (problem || type !== 'SELECT')
      throw new SourceError('bad_query', problem ?? `an SLI query must be a SELECT; BigQuery says this is a ${type} statement`, {
        source,
        retryable: false,
        reason: 'notARead',
      });
    selects.add(sql);
  }

  return {
    async run(sql, params, signal) {
      if (signal?.aborted) throw abortedError(source, signal, 'the query was not sent');
      let rows: Row[];
      let response: unknown;
      try {
        await requireSelect(sql, params, signal);
        // Typed as [rows, job], the promise gives [rows, nextQuery, the last API answer].
        [rows, , response] = (await withDeadline(
          bigquery().then((client) => client.query(request(sql, params))),
          signal,
        )) as unknown as [Row[], unknown, unknown];
      } catch (error) {
        throw bigQueryError(source, error);
      }
      await reportBytes(response, signal);
      return rows;
    },
    async estimateBytes(sql, params) {
      try {
        await requireSelect(sql, params);
        const [, response] = await withDeadline(bigquery().then((client) => client.createQueryJob({ ...request(sql, params), dryRun: true })));
        const stats = (response as { statistics?: { totalBytesProcessed?: string } } | undefined)?.statistics;
        return Number(stats?.totalBytesProcessed ?? 0);
      } catch (error) {
        throw bigQueryError(source, error);
      }
    },
    async ping(signal) {
      try {
        const dryRun = { query: 'SELECT 1', dryRun: true, ...(spec.location ? { location: spec.location } : {}) };
        await withDeadline(bigquery().then((client) => client.createQueryJob(dryRun)), signal);
      } catch (error) {
        throw bigQueryError(source, error);
      }
    },
    async close() {},
  };
}

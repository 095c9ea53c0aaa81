// A wire-level fake of the BigQuery REST API (jobs.query, jobs.getQueryResults,
// jobs.insert for dry runs, jobs.get) on 127.0.0.1, for the real @google-cloud/bigquery
// client. Answers are real: the SQL runs on PGlite when it stays in the common subset
// of both dialects (named parameters, backtick table names, COUNTIF, SAFE_DIVIDE,
// UNIX_SECONDS, TIMESTAMP_SECONDS, DIV are provided), and "bytes processed" is what the
// plan actually read: rows scanned × row width per table. With an index on a time column
// and sequential scans disabled, a range filter reads only the rows in range, like a
// table partitioned by time. Bytes are billed as on-demand BigQuery bills them (at least
// 10 MiB per table read, rounded up to whole MiB), and maximumBytesBilled caps the billed
// bytes, so a cap under 10 MiB refuses every query that reads a table. Scriptable: jobs that stay incomplete for some polls, page
// size, the dataset location, and failures of the next requests (5xx, 429).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { toPositional, UnknownParameterError } from '../../src/sources/sql/named-params.ts';

export interface FakeJob {
  jobId: string;
  query: string;
  params: Record<string, unknown>;
  location: string;
  dryRun: boolean;
  /** What BigQuery's parser would call it (statistics.query.statementType). */
  statementType: string;
  bytesProcessed: number;
  bytesBilled: number;
  maximumBytesBilled: number | undefined;
  jobTimeoutMs: string | undefined;
  /** Incomplete answers still to give before the job is complete. */
  pendingPolls: number;
  schema?: { fields: { name: string; type: string; mode: string }[] };
  rows?: unknown[][];
  error?: ApiFailure;
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: Record<string, string>;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
}

interface ApiFailure {
  status: number;
  reason: string;
  message: string;
}

export interface FakeBigQuery {
  url: string;
  projectId: string;
  /** The warehouse: create schemas (datasets) and tables here. */
  db: PGlite;
  requests: RecordedRequest[];
  jobs: FakeJob[];
  /** The datasets' location; a query sent to another one gets 404 notFound, as on BigQuery (none: inferred). */
  location: string;
  /** Incomplete answers (jobComplete: false) a new job gives before it completes. */
  pollsBeforeComplete: number;
  /** Rows per page when the request does not say (maxResults). */
  pageSize: number;
  /** The next request (any endpoint) fails with this status and reason. */
  failNext(status: number, reason: string, message?: string): void;
  /** Query jobs (not dry runs), in order. */
  queries(): FakeJob[];
  close(): Promise<void>;
}

const SHIMS = `
CREATE FUNCTION countif_step(bigint, boolean) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 + CASE WHEN $2 THEN 1 ELSE 0 END';
CREATE AGGREGATE countif(boolean) (SFUNC = countif_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION unix_seconds(timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT floor(extract(epoch FROM $1))::bigint';
CREATE FUNCTION timestamp_seconds(bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS 'SELECT to_timestamp($1)';
CREATE FUNCTION div(bigint, bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 / $2';
CREATE FUNCTION safe_divide(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $2 = 0 THEN NULL ELSE $1 / $2 END';
SET enable_seqscan = off;
`;

const PARAM_CASTS: Record<string, string> = {
  TIMESTAMP: 'timestamptz',
  DATETIME: 'timestamp',
  DATE: 'date',
  INT64: 'bigint',
  FLOAT64: 'float8',
  NUMERIC: 'numeric',
  STRING: 'text',
  BOOL: 'boolean',
};

// PostgreSQL type OIDs → BigQuery column types.
const COLUMN_TYPES: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'INTEGER',
  21: 'INTEGER',
  23: 'INTEGER',
  700: 'FLOAT',
  701: 'FLOAT',
  1700: 'FLOAT',
  25: 'STRING',
  1043: 'STRING',
  1082: 'DATE',
  1114: 'DATETIME',
  1184: 'TIMESTAMP',
};

export async function startFakeBigQuery(options: { projectId?: string; location?: string } = {}): Promise<FakeBigQuery> {
  const db = await PGlite.create();
  await db.exec(SHIMS);
  const failures: ApiFailure[] = [];
  let jobCounter = 0;

  const fake: FakeBigQuery = {
    url: '',
    projectId: options.projectId ?? 'test-project',
    db,
    requests: [],
    jobs: [],
    location: options.location ?? 'US',
    pollsBeforeComplete: 0,
    pageSize: 10_000,
    failNext(status, reason, message = `fake ${reason}`) {
      failures.push({ status, reason, message });
    },
    queries: () => fake.jobs.filter((j) => !j.dryRun),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };

  /** Translates, plans (bytes) and, unless a dry run, executes one query. */
  async function runJob(job: FakeJob, rawParams: unknown[]): Promise<void> {
    if (job.location !== fake.location) {
      job.error = {
        status: 404,
        reason: 'notFound',
        message: `Not found: Dataset ${fake.projectId} was not found in location ${job.location}`,
      };
      return;
    }
    const types: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    for (const p of rawParams as { name: string; parameterType: { type: string }; parameterValue: { value: string } }[]) {
      types[p.name] = PARAM_CASTS[p.parameterType.type] ?? 'text';
      values[p.name] = decodeParam(p.parameterType.type, p.parameterValue.value);
    }
    job.params = values;
    let text: string;
    let names: string[];
    try {
      ({ text, names } = toPositional(withoutBackticks(job.query), types));
    } catch (error) {
      if (!(error instanceof UnknownParameterError)) throw error;
      job.error = { status: 400, reason: 'invalidQuery', message: `Query parameter '${error.parameter}' not found at [1:1]` };
      return;
    }
    const args = names.map((n) => values[n]);
    // A dry run never executes; only a SELECT is planned here (the plan runs it, as EXPLAIN ANALYZE).
    if (job.dryRun && job.statementType !== 'SELECT') return;
    try {
      const plan = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, args);
      const perTable = bytesPerTable(plan.rows[0]?.['QUERY PLAN']);
      job.bytesProcessed = [...perTable.values()].reduce((a, b) => a + b, 0);
      const billed = bytesBilled(perTable);
      if (!job.dryRun && job.maximumBytesBilled !== undefined && billed > job.maximumBytesBilled) {
        job.error = {
          status: 403,
          reason: 'bytesBilledLimitExceeded',
          message: `Query exceeded limit for bytes billed: ${job.maximumBytesBilled}. ${billed} or higher required.`,
        };
        return;
      }
      if (job.dryRun) return;
      job.bytesBilled = billed;
      const result = await db.query<unknown[]>(text, args, { rowMode: 'array' });
      job.schema = {
        fields: result.fields.map((f) => ({ name: f.name, type: COLUMN_TYPES[f.dataTypeID] ?? 'STRING', mode: 'NULLABLE' })),
      };
      job.rows = result.rows;
    } catch (error) {
      const e = error as { code?: string; message: string };
      job.error =
        e.code === '42P01'
          ? { status: 404, reason: 'notFound', message: `Not found: Table ${e.message}` }
          : { status: 400, reason: 'invalidQuery', message: e.message };
    }
  }

  function newJob(query: string, location: string | undefined, extra: Partial<FakeJob>): FakeJob {
    const job: FakeJob = {
      jobId: `job_${++jobCounter}`,
      query,
      params: {},
      // Without a location BigQuery infers it from the datasets the query reads.
      location: location ?? fake.location,
      dryRun: false,
      statementType: statementTypeOf(query),
      bytesProcessed: 0,
      bytesBilled: 0,
      maximumBytesBilled: undefined,
      jobTimeoutMs: undefined,
      pendingPolls: fake.pollsBeforeComplete,
      ...extra,
    };
    fake.jobs.push(job);
    return job;
  }

  function jobReference(job: FakeJob) {
    return { projectId: fake.projectId, jobId: job.jobId, location: job.location };
  }

  /** jobs.query / jobs.getQueryResults answer: incomplete, or one page of rows. */
  function resultsPage(job: FakeJob, search: Record<string, string>, kind: string) {
    if (job.pendingPolls > 0) {
      job.pendingPolls--;
      return { kind, jobReference: jobReference(job), jobComplete: false };
    }
    const rows = job.rows ?? [];
    const offset = Number(search['pageToken'] ?? 0);
    const size = Number(search['maxResults'] ?? fake.pageSize);
    const page = rows.slice(offset, offset + size);
    const int64Timestamp = search['formatOptions.useInt64Timestamp'] !== 'false';
    const fields = job.schema?.fields ?? [];
    return {
      kind,
      jobReference: jobReference(job),
      jobComplete: true,
      schema: job.schema,
      totalRows: String(rows.length),
      totalBytesProcessed: String(job.bytesProcessed),
      // jobs.query reports the bytes billed; jobs.getQueryResults does not (jobs.get does).
      ...(kind === 'bigquery#queryResponse' ? { totalBytesBilled: String(job.bytesBilled) } : {}),
      cacheHit: false,
      rows: page.map((row) => ({ f: row.map((v, i) => ({ v: encodeValue(v, fields[i]?.type ?? 'STRING', int64Timestamp) })) })),
      ...(offset + size < rows.length ? { pageToken: String(offset + size) } : {}),
    };
  }

  function jobResource(job: FakeJob, configuration: unknown) {
    return {
      kind: 'bigquery#job',
      id: `${fake.projectId}:${job.location}.${job.jobId}`,
      jobReference: jobReference(job),
      configuration,
      status: { state: job.pendingPolls > 0 ? 'RUNNING' : 'DONE' },
      statistics: {
        totalBytesProcessed: String(job.bytesProcessed),
        query: {
          totalBytesProcessed: String(job.bytesProcessed),
          ...(job.dryRun || job.pendingPolls > 0 ? {} : { totalBytesBilled: String(job.bytesBilled), cacheHit: false }),
          statementType: job.statementType,
        },
      },
    };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const search = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : undefined;
    fake.requests.push({ method: req.method ?? '', path: url.pathname, search, body, authorization: req.headers.authorization });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(payload));
    };
    const fail = (f: ApiFailure) =>
      send(f.status, {
        error: {
          code: f.status,
          message: f.message,
          errors: [{ message: f.message, domain: 'global', reason: f.reason }],
          status: f.status >= 500 ? 'INTERNAL' : f.status === 404 ? 'NOT_FOUND' : f.status === 403 ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENT',
        },
      });
    const scripted = failures.shift();
    if (scripted) return fail(scripted);

    const base = `/bigquery/v2/projects/${fake.projectId}`;
    const path = url.pathname;
    if (req.method === 'POST' && path === `${base}/queries`) {
      const b = body ?? {};
      const job = newJob(String(b['query'] ?? ''), b['location'] as string | undefined, {
        dryRun: b['dryRun'] === true,
        maximumBytesBilled: b['maximumBytesBilled'] === undefined ? undefined : Number(b['maximumBytesBilled']),
        jobTimeoutMs: b['jobTimeoutMs'] as string | undefined,
      });
      await runJob(job, (b['queryParameters'] as unknown[]) ?? []);
      if (job.error) return fail(job.error);
      const search2: Record<string, string> = {
        ...(b['maxResults'] !== undefined ? { maxResults: String(b['maxResults']) } : {}),
        'formatOptions.useInt64Timestamp': String((b['formatOptions'] as { useInt64Timestamp?: boolean } | undefined)?.useInt64Timestamp ?? false),
      };
      return send(200, resultsPage(job, search2, 'bigquery#queryResponse'));
    }
    const results = path.startsWith(`${base}/queries/`) ? path.slice(`${base}/queries/`.length) : undefined;
    if (req.method === 'GET' && results !== undefined) {
      const job = fake.jobs.find((j) => j.jobId === results);
      if (!job || (search['location'] ?? job.location) !== job.location) {
        return fail({ status: 404, reason: 'notFound', message: `Not found: Job ${fake.projectId}:${results}` });
      }
      return send(200, resultsPage(job, search, 'bigquery#getQueryResultsResponse'));
    }
    if (req.method === 'POST' && path === `${base}/jobs`) {
      const b = (body ?? {}) as {
        configuration?: { dryRun?: boolean; jobTimeoutMs?: string; query?: { query?: string; queryParameters?: unknown[]; maximumBytesBilled?: string } };
        jobReference?: { jobId?: string; location?: string };
      };
      const q = b.configuration?.query ?? {};
      const job = newJob(q.query ?? '', b.jobReference?.location, {
        dryRun: b.configuration?.dryRun === true,
        maximumBytesBilled: q.maximumBytesBilled === undefined ? undefined : Number(q.maximumBytesBilled),
        jobTimeoutMs: b.configuration?.jobTimeoutMs,
        ...(b.jobReference?.jobId ? { jobId: b.jobReference.jobId } : {}),
      });
      await runJob(job, q.queryParameters ?? []);
      if (job.error) return fail(job.error);
      return send(200, jobResource(job, b.configuration));
    }
    const got = path.startsWith(`${base}/jobs/`) ? path.slice(`${base}/jobs/`.length) : undefined;
    if (req.method === 'GET' && got !== undefined) {
      const job = fake.jobs.find((j) => j.jobId === got);
      if (!job) return fail({ status: 404, reason: 'notFound', message: `Not found: Job ${fake.projectId}:${got}` });
      return send(200, jobResource(job, {}));
    }
    return fail({ status: 404, reason: 'notFound', message: `fake BigQuery has no ${req.method} ${path}` });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 500, message: error.message, errors: [{ reason: 'internalError', message: error.message }] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** `project.dataset.table` → dataset.table (the fake has one project; datasets are schemas). */
function withoutBackticks(sql: string): string {
  return sql.replace(/`([^`]+)`/g, (_, name: string) => name.split('.').slice(-2).join('.'));
}

function decodeParam(type: string, value: string | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'TIMESTAMP') return new Date(value.replace(' ', 'T'));
  if (type === 'INT64' || type === 'FLOAT64' || type === 'NUMERIC') return Number(value);
  if (type === 'BOOL') return value === 'true';
  return value;
}

function encodeValue(value: unknown, type: string, int64Timestamp: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'TIMESTAMP') {
    const ms = (value as Date).getTime();
    return int64Timestamp ? String(BigInt(ms) * 1000n) : String(ms / 1000);
  }
  if (type === 'DATETIME') return (value as Date).toISOString().replace('Z', '');
  if (type === 'DATE') return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  return String(value);
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Plan Width'?: number;
  Plans?: PlanNode[];
}

/** Bytes read per table: per table scan, rows read (kept + filtered out) × loops × row width. */
export function bytesPerTable(explain: unknown): Map<string, number> {
  const root = (Array.isArray(explain) ? explain[0] : explain) as { Plan?: PlanNode } | undefined;
  const bytes = new Map<string, number>();
  const walk = (node: PlanNode | undefined) => {
    if (!node) return;
    const table = node['Relation Name'];
    if (table) {
      const rows = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
      bytes.set(table, (bytes.get(table) ?? 0) + Math.round(rows * (node['Actual Loops'] ?? 1) * Math.max(node['Plan Width'] ?? 8, 8)));
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(root?.Plan);
  return bytes;
}

const MIB = 1024 * 1024;
/** On-demand billing: at least 10 MiB per table read, the total rounded up to whole MiB; no table, nothing billed. */
export const MIN_BILLED_PER_TABLE = 10 * MIB;

export function bytesBilled(perTable: ReadonlyMap<string, number>): number {
  const total = [...perTable.values()].reduce((sum, b) => sum + Math.max(b, MIN_BILLED_PER_TABLE), 0);
  return Math.ceil(total / MIB) * MIB;
}

/** BigQuery's statement types, by the first keyword (a script when more than one statement). */
export function statementTypeOf(sql: string): string {
  const text = sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '').trim().replace(/;\s*$/, '');
  if (/;\s*\S/.test(text)) return 'SCRIPT';
  const word = /^[\s(]*([A-Za-z_]+)/.exec(text)?.[1]?.toUpperCase() ?? '';
  if (word === 'SELECT' || word === 'WITH') return 'SELECT';
  if (word === 'CREATE') return /^\s*CREATE\s+(OR\s+REPLACE\s+)?VIEW/i.test(text) ? 'CREATE_VIEW' : 'CREATE_TABLE';
  if (word === 'DROP') return 'DROP_TABLE';
  return word || 'UNKNOWN';
}

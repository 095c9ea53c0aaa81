// What a BigQuery query cost, read from the statistics the API returns with it: jobs.query
// answers totalBytesProcessed and totalBytesBilled; jobs.getQueryResults (the answer when the
// job outlived jobs.query's wait, or the last of several pages) only totalBytesProcessed, so
// the bytes billed then come from the job (jobs.get, statistics.query).

/** One finished query job of a source: bytes processed and, when known, bytes billed. */
export interface JobBytes {
  source: string;
  processedBytes: number;
  billedBytes: number | undefined;
}

/** Told every finished (not dry-run) job; burnwatch's metrics count them per source. */
export type JobBytesListener = (bytes: JobBytes) => void;

interface ResultsResponse {
  totalBytesProcessed?: string | null;
  totalBytesBilled?: string | null;
  jobReference?: { jobId?: string | null; location?: string | null } | null;
}

interface JobResource {
  statistics?: { query?: { totalBytesProcessed?: string | null; totalBytesBilled?: string | null } | null } | null;
}

/** The bytes an answer states, and the job to ask when it does not state the bytes billed. */
export function bytesOfResponse(response: unknown): { processed?: number; billed?: number; job?: { id: string; location?: string } } {
  const r = (response ?? {}) as ResultsResponse;
  const processed = count(r.totalBytesProcessed);
  const billed = count(r.totalBytesBilled);
  const id = r.jobReference?.jobId ?? undefined;
  const location = r.jobReference?.location ?? undefined;
  return {
    ...(processed !== undefined ? { processed } : {}),
    ...(billed !== undefined ? { billed } : {}),
    ...(id ? { job: { id, ...(location ? { location } : {}) } } : {}),
  };
}

/** The bytes of a job resource (jobs.get). */
export function bytesOfJob(job: unknown): { processed?: number; billed?: number } {
  const q = (job as JobResource | undefined)?.statistics?.query;
  const processed = count(q?.totalBytesProcessed);
  const billed = count(q?.totalBytesBilled);
  return { ...(processed !== undefined ? { processed } : {}), ...(billed !== undefined ? { billed } : {}) };
}

// int64 fields arrive as decimal strings.
function count(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

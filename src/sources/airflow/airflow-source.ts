// Freshness from Airflow: "the last successful run of DAG hstu_daily". A time slice is good
// when, at its end, the DAG's newest successful run ended at most maxAge before. Reads the
// successful runs that ended within the longest window (paged) and the last one before it,
// over Airflow's stable REST API (/api/v1 on Airflow 2, /api/v2 on Airflow 3).
import type { AirflowSourceSpec } from '../../domain/slo.ts';
import type { SliParts, SliReading, SliRequest, SliSource } from '../sli-source.ts';
import { SourceError } from '../source-error.ts';
import { freshnessSlices } from '../sql/freshness-slices.ts';

interface DagRunList {
  dag_runs: Array<{ dag_run_id: string; end_date?: string | null }>;
  total_entries: number;
}

const PAGE = 100;
const MAX_PAGES = 50;

export function createAirflowSource(spec: AirflowSourceSpec, fetchImpl: typeof fetch = fetch): SliSource {
  const base = `${spec.url.replace(/\/$/, '')}/api/${spec.api}/`;
  const authorization = spec.token
    ? `Bearer ${spec.token}`
    : spec.username
      ? `Basic ${Buffer.from(`${spec.username}:${spec.password ?? ''}`).toString('base64')}`
      : undefined;

  async function get<T>(path: string, query: string, signal?: AbortSignal): Promise<T> {
    const url = new URL(path, base);
    const timeout = AbortSignal.timeout(spec.timeoutSeconds * 1000);
    let res: Response;
    try {
      res = await fetchImpl(url, { headers: { accept: 'application/json', ...(authorization && { authorization }) }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (e) {
      const timedOut = timeout.aborted || (e as Error).name === 'TimeoutError';
      throw new SourceError(timedOut ? 'timeout' : 'unreachable', `${timedOut ? `no answer within ${spec.timeoutSeconds}s` : `cannot reach ${url.host}`} (${(e as Error).message})`, { source: spec.name, query, retryable: true, cause: e });
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 200);
      try {
        const body = JSON.parse(text) as { title?: string; detail?: string };
        detail = [body.title, body.detail].filter(Boolean).join(': ') || detail;
      } catch {}
      if (res.status === 401 || res.status === 403) throw new SourceError('auth', `Airflow refused the credentials (${res.status}: ${detail})`, { source: spec.name, query, retryable: false });
      if (res.status === 404) throw new SourceError('bad_query', `not found (${detail})`, { source: spec.name, query, retryable: false });
      throw new SourceError('http_error', `Airflow answered ${res.status} (${detail})`, { source: spec.name, query, retryable: res.status >= 500 || res.status === 429 });
    }
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new SourceError('bad_response', 'Airflow answered something that is not JSON', { source: spec.name, query, retryable: true, cause: e });
    }
  }

  const runsPath = (dag: string) => `dags/${encodeURIComponent(dag)}/dagRuns`;
  const ends = (list: DagRunList) => list.dag_runs.flatMap((r) => (r.end_date ? [new Date(r.end_date)] : []));

  /** When the DAG's successful runs ended, from `from` to `to`, oldest first, plus the last one before `from`. */
  async function successEnds(dag: string, from: Date, to: Date, signal?: AbortSignal): Promise<Date[]> {
    const query = `last successful run of DAG ${dag}`;
    const before = await get<DagRunList>(`${runsPath(dag)}?${new URLSearchParams({ state: 'success', end_date_lte: from.toISOString(), order_by: '-end_date', limit: '1' })}`, query, signal);
    const out = ends(before);
    for (let page = 0, seen = 0; page < MAX_PAGES; page++) {
      const params = new URLSearchParams({ state: 'success', end_date_gte: from.toISOString(), end_date_lte: to.toISOString(), order_by: 'end_date', limit: String(PAGE), offset: String(seen) });
      const list = await get<DagRunList>(`${runsPath(dag)}?${params}`, query, signal);
      seen += list.dag_runs.length;
      out.push(...ends(list).filter((d) => d > from));
      if (list.dag_runs.length === 0 || seen >= list.total_entries) break;
    }
    return out.sort((a, b) => a.getTime() - b.getTime());
  }

  return {
    name: spec.name,
    type: 'airflow',
    async read(request: SliRequest): Promise<SliReading> {
      const { slo } = request;
      if (slo.indicator.kind !== 'freshness') {
        throw new SourceError('bad_query', `an Airflow source answers freshness SLIs only, not ${slo.indicator.kind}`, { source: spec.name, retryable: false, slo: slo.id });
      }
      const { query, maxAgeSeconds } = slo.indicator;
      const longest = Math.max(...request.windows);
      const updates = await successEnds(query.text, new Date(request.at.getTime() - longest * 1000), request.at, request.signal);
      const counts = freshnessSlices(updates, request.at, request.windows, slo.timesliceSeconds, maxAgeSeconds);
      const reading = new Map<number, SliParts>();
      for (const w of request.windows) {
        const c = counts.get(w);
        if (!c) continue;
        const all = { good: c.good, bad: c.total - c.good, total: c.total };
        reading.set(w, Object.fromEntries(request.parts.map((p) => [p, all[p]])));
      }
      return reading;
    },
    async ping(signal) {
      await get('version', 'GET version', signal);
    },
    async close() {},
  };
}

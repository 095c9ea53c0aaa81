// `/api/v1/query_range` for the backtest: one query per window and part over the whole
// history (in chunks below Prometheus's 11,000-points-per-series limit) instead of one
// instant query per step. A range query is the instant query at every step, so the values
// are exactly what the service would have read at those instants.
import type { PrometheusSourceSpec } from '../domain/slo.ts';
import { SourceError } from '../sources/source-error.ts';

/** Values at `start + i × step` (Unix seconds); NaN where the query returned nothing. */
export type RangeValues = Float64Array;

export interface RangeClient {
  readonly name: string;
  queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<RangeValues>;
}

const MAX_POINTS = 10_000;

interface MatrixResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ values: Array<[number, string]> }> };
}

export function prometheusRangeClient(spec: Pick<PrometheusSourceSpec, 'name' | 'url' | 'headers' | 'timeoutSeconds'>): RangeClient {
  const base = spec.url.replace(/\/+$/, '');
  return {
    name: spec.name,
    async queryRange(query, start, end, step, signal) {
      const points = Math.floor((end - start) / step) + 1;
      const out = new Float64Array(points).fill(Number.NaN);
      for (let first = 0; first < points; first += MAX_POINTS) {
        const last = Math.min(points, first + MAX_POINTS) - 1;
        const body = new URLSearchParams({
          query,
          start: String(start + first * step),
          end: String(start + last * step),
          step: String(step),
          timeout: `${spec.timeoutSeconds}s`,
        });
        const matrix = await post(spec, `${base}/api/v1/query_range`, body, query, signal);
        for (const series of matrix) {
          for (const [t, v] of series.values) {
            const i = Math.round((t - start) / step);
            const value = Number(v);
            // Several series (a query that keeps labels): add them up, as the evaluator's sum() does.
            out[i] = Number.isNaN(out[i]!) ? value : out[i]! + value;
          }
        }
      }
      return out;
    },
  };
}

async function post(
  spec: Pick<PrometheusSourceSpec, 'name' | 'headers' | 'timeoutSeconds'>,
  url: string,
  body: URLSearchParams,
  query: string,
  signal?: AbortSignal,
): Promise<Array<{ values: Array<[number, string]> }>> {
  const timeout = AbortSignal.timeout(spec.timeoutSeconds * 1000 * 4);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...spec.headers },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    const timedOut = timeout.aborted;
    throw new SourceError(timedOut ? 'timeout' : 'unreachable', timedOut ? 'range query timed out' : `cannot reach ${url}`, {
      source: spec.name,
      query,
      retryable: true,
      cause: error,
    });
  }
  const text = await response.text();
  let parsed: MatrixResponse;
  try {
    parsed = JSON.parse(text) as MatrixResponse;
  } catch (error) {
    throw new SourceError('bad_response', `HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`, {
      source: spec.name,
      query,
      retryable: response.status >= 500,
      cause: error,
    });
  }
  if (!response.ok || parsed.status !== 'success' || parsed.data?.resultType !== 'matrix') {
    const code = response.status === 400 || response.status === 422 ? 'bad_query' : 'http_error';
    throw new SourceError(code, `HTTP ${response.status}: ${parsed.error ?? 'unexpected response'}`, {
      source: spec.name,
      query,
      retryable: response.status >= 500,
    });
  }
  return parsed.data.result;
}

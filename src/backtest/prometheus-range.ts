// `/api/v1/query_range` for the backtest: one query per window and part over the whole
// history (in chunks below Prometheus's 11,000-points-per-series limit) instead of one
// instant query per step. A range query is the instant query at every step, so the values
// are exactly what the service would have read at those instants.
import type { PrometheusSourceSpec } from '../domain/slo.ts';
import { type ScanSummary, ScanError, scanAnswer } from '../sources/prometheus/answer-scanner.ts';
import { SourceError } from '../sources/source-error.ts';

/** Values at `start + i × step` (Unix seconds); NaN where the query returned nothing. */
export type RangeValues = Float64Array;

export interface RangeClient {
  readonly name: string;
  /** `into`: an array of exactly the points' length to write the values in (else a new one). */
  queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal, into?: Float64Array): Promise<RangeValues>;
}

const MAX_POINTS = 10_000;

export function prometheusRangeClient(spec: Pick<PrometheusSourceSpec, 'name' | 'url' | 'headers' | 'timeoutSeconds'>): RangeClient {
  const base = spec.url.replace(/\/+$/, '');
  return {
    name: spec.name,
    async queryRange(query, start, end, step, signal, into) {
      const points = Math.floor((end - start) / step) + 1;
      const out = (into?.length === points ? into : new Float64Array(points)).fill(Number.NaN);
      for (let first = 0; first < points; first += MAX_POINTS) {
        const last = Math.min(points, first + MAX_POINTS) - 1;
        const body = new URLSearchParams({
          query,
          start: String(start + first * step),
          end: String(start + last * step),
          step: String(step),
          timeout: `${spec.timeoutSeconds}s`,
        });
        // Streamed into `out` as the answer arrives (answer-scanner.ts): no [time, "text"] pair per point.
        await post(spec, `${base}/api/v1/query_range`, body, query, signal, (time, value) => {
          const i = Math.round((time - start) / step);
          // Several series (a query that keeps labels): add them up, as the evaluator's sum() does.
          out[i] = Number.isNaN(out[i]!) ? value : out[i]! + value;
        });
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
  signal: AbortSignal | undefined,
  point: (time: number, value: number) => void,
): Promise<void> {
  const timeout = AbortSignal.timeout(spec.timeoutSeconds * 1000 * 4);
  const failed = (error: unknown, what: string) => {
    const timedOut = timeout.aborted;
    return new SourceError(timedOut ? 'timeout' : 'unreachable', timedOut ? 'range query timed out' : `${what} ${url}`, {
      source: spec.name,
      query,
      retryable: true,
      cause: error,
    });
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...spec.headers },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    throw failed(error, 'cannot reach');
  }
  let summary: ScanSummary;
  try {
    // An error answer has no matrix, so no points; and a failed query's values are thrown away.
    summary = await scanAnswer(response.body, { labels: [], point: (_labels, time, value) => point(time, value) });
  } catch (error) {
    if (!(error instanceof ScanError)) throw failed(error, 'the answer broke off from');
    throw new SourceError('bad_response', `HTTP ${response.status}, not a Prometheus answer: ${error.message}`, {
      source: spec.name,
      query,
      retryable: response.status >= 500,
      cause: error,
    });
  }
  if (!response.ok || summary.status !== 'success' || summary.resultType !== 'matrix') {
    const code = response.status === 400 || response.status === 422 ? 'bad_query' : 'http_error';
    throw new SourceError(code, `HTTP ${response.status}: ${summary.error ?? 'unexpected response'}`, {
      source: spec.name,
      query,
      retryable: response.status >= 500,
    });
  }
}

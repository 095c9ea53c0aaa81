// A small client for the one Prometheus HTTP API endpoint burnwatch needs: the instant query
// `POST /api/v1/query` (form-encoded, so long queries fit). Prometheus, Thanos and Mimir all serve
// it the same way; nothing here uses Prometheus-only endpoints.
import { z } from 'zod';
import { Semaphore } from '../../concurrency/semaphore.ts';
import { SourceError } from '../source-error.ts';
import { parsePromValue, type ScanHandlers, ScanError, scanAnswer } from './answer-scanner.ts';

export interface PrometheusClientOptions {
  /** DataSource name, for error messages. */
  name: string;
  /** Base URL, e.g. http://prometheus:9090 or https://mimir/prometheus. */
  url: string;
  /** Per attempt. */
  timeoutSeconds: number;
  /** Sent with every request (Authorization, X-Scope-OrgID, …). */
  headers?: Record<string, string>;
  /** Queries in flight at once against this source. Default 8. */
  maxConcurrency?: number;
  /** Retries after a 5xx or a network error (not after 4xx or a timeout). Default 2. */
  retries?: number;
  /** First backoff; doubles per retry, with jitter. Default 250 ms. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One series of a range query: its value at each step that had one. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: Array<{ at: Date; value: number }>;
}

// Loose: outside APIs may add fields.
const responseSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z
    .object({
      resultType: z.string(),
      result: z.unknown(),
    })
    .optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});
const scalarSchema = z.tuple([z.number(), z.string()]);
const matrixSchema = z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(z.tuple([z.number(), z.string()])) }));


export class PrometheusClient {
  readonly name: string;
  readonly #opts: Required<Omit<PrometheusClientOptions, 'headers' | 'fetch'>> & { headers: Record<string, string> };
  readonly #fetch: typeof fetch;
  readonly #slots: Semaphore;

  constructor(opts: PrometheusClientOptions) {
    this.name = opts.name;
    const { url, headers } = withoutCredentials(opts.url, opts.headers ?? {});
    this.#opts = {
      name: opts.name,
      url,
      timeoutSeconds: opts.timeoutSeconds,
      headers,
      maxConcurrency: opts.maxConcurrency ?? 8,
      retries: opts.retries ?? 2,
      backoffMs: opts.backoffMs ?? 250,
    };
    this.#fetch = opts.fetch ?? fetch;
    this.#slots = new Semaphore(this.#opts.maxConcurrency);
  }

  /** Instant query at `time` (server time when omitted). Scalars come back as one unlabelled sample. */
  async query(expr: string, time?: Date, signal?: AbortSignal): Promise<Sample[]> {
    const form = new URLSearchParams({ query: expr });
    if (time) form.set('time', (time.getTime() / 1000).toFixed(3));
    const body = await this.#withRetries(() => this.#post('/api/v1/query', form, expr, signal), signal);
    return this.#samples(body, expr);
  }

  /**
   * Instant query whose answer is streamed through `handlers` (answer-scanner.ts) instead of being
   * parsed whole: for answers of 100 000 series, of which only a few labels and the value count.
   * A retried attempt hands the series over again, so handlers must overwrite, not add up.
   */
  async scan(expr: string, time: Date | undefined, handlers: ScanHandlers, signal?: AbortSignal): Promise<{ warnings: string[] }> {
    const form = new URLSearchParams({ query: expr });
    if (time) form.set('time', (time.getTime() / 1000).toFixed(3));
    const source = this.name;
    return this.#withRetries(
      () =>
        this.#post('/api/v1/query', form, expr, signal, async (response) => {
          let summary: Awaited<ReturnType<typeof scanAnswer>>;
          try {
            summary = await scanAnswer(response.body, handlers);
          } catch (cause) {
            if (cause instanceof ScanError) {
              throw new SourceError('bad_response', `not a Prometheus API answer: ${cause.message}`, { source, query: expr, retryable: false, cause });
            }
            throw new SourceError('unreachable', `the answer from ${this.#opts.url} broke off: ${String(cause)}`, { source, query: expr, retryable: !signal?.aborted, cause });
          }
          if (summary.status !== 'success') {
            const detail = summary.error ? `${summary.errorType}: ${summary.error}` : `status ${summary.status}`;
            throw new SourceError('bad_response', `not a Prometheus API answer: ${detail}`, { source, query: expr, retryable: false });
          }
          if (summary.resultType !== 'vector' && summary.resultType !== 'scalar') {
            throw new SourceError('bad_response', `expected an instant vector, got ${summary.resultType}`, { source, query: expr, retryable: false });
          }
          return { warnings: summary.warnings };
        }),
      signal,
    );
  }

  /** Range query `POST /api/v1/query_range`: every `stepSeconds` from start to end inclusive (report backfills). */
  async queryRange(expr: string, start: Date, end: Date, stepSeconds: number, signal?: AbortSignal): Promise<RangeSeries[]> {
    const form = new URLSearchParams({
      query: expr,
      start: (start.getTime() / 1000).toFixed(3),
      end: (end.getTime() / 1000).toFixed(3),
      step: String(stepSeconds),
    });
    const body = (await this.#withRetries(() => this.#post('/api/v1/query_range', form, expr, signal), signal)) as { resultType: string; result: unknown };
    const matrix = body.resultType === 'matrix' ? matrixSchema.safeParse(body.result) : undefined;
    if (!matrix?.success) {
      throw new SourceError('bad_response', `expected a range vector, got ${body.resultType}`, { source: this.name, query: expr, retryable: false });
    }
    return matrix.data.map((s) => ({
      labels: s.metric,
      points: s.values.map(([t, v]) => ({ at: new Date(Math.round(t * 1000)), value: parsePromValue(v) })),
    }));
  }

  async #withRetries<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof SourceError) || !error.retryable || n >= this.#opts.retries || signal?.aborted) throw error;
        const delay = this.#opts.backoffMs * 2 ** n * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async #post(path: string, form: URLSearchParams, expr: string, signal?: AbortSignal): Promise<unknown>;
  async #post<T>(path: string, form: URLSearchParams, expr: string, signal: AbortSignal | undefined, stream: (ok: Response) => Promise<T>): Promise<T>;
  async #post<T>(path: string, form: URLSearchParams, expr: string, signal?: AbortSignal, stream?: (ok: Response) => Promise<T>): Promise<unknown> {
    const release = await this.#slots.acquire();
    const timeout = AbortSignal.timeout(this.#opts.timeoutSeconds * 1000);
    const source = this.name;
    try {
      let response: Response;
      try {
        response = await this.#fetch(`${this.#opts.url}${path}`, {
          method: 'POST',
          headers: { ...this.#opts.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (cause) {
        if (timeout.aborted) {
          throw new SourceError('timeout', `no answer within ${this.#opts.timeoutSeconds}s`, { source, query: expr, retryable: false, cause });
        }
        const why = cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String(cause);
        throw new SourceError('unreachable', `cannot reach ${this.#opts.url}: ${why}`, { source, query: expr, retryable: !signal?.aborted, cause });
      }
      // A streamed answer is read while it arrives (an error answer is small: read it whole below).
      if (stream && response.ok) {
        try {
          return await stream(response);
        } catch (cause) {
          if (!timeout.aborted) throw cause;
          throw new SourceError('timeout', `no complete answer within ${this.#opts.timeoutSeconds}s`, { source, query: expr, retryable: false, cause });
        }
      }
      const text = await response.text().catch(() => '');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = responseSchema.safeParse(json);
      if (!response.ok) {
        const detail = parsed.success && parsed.data.error ? `${parsed.data.errorType}: ${parsed.data.error}` : text.slice(0, 200);
        const status = response.status;
        if (status === 401 || status === 403) {
          throw new SourceError('auth', `HTTP ${status} (check the source's headers): ${detail}`, { source, query: expr, retryable: false });
        }
        if (status === 400 || status === 422) {
          throw new SourceError('bad_query', `HTTP ${status}: ${detail}`, { source, query: expr, retryable: false });
        }
        throw new SourceError('http_error', `HTTP ${status}: ${detail}`, { source, query: expr, retryable: status >= 500 });
      }
      if (!parsed.success || parsed.data.status !== 'success') {
        throw new SourceError('bad_response', `not a Prometheus API answer: ${text.slice(0, 200)}`, { source, query: expr, retryable: false });
      }
      return parsed.data.data;
    } finally {
      release();
    }
  }

  #samples(data: unknown, expr: string): Sample[] {
    const { resultType, result } = data as { resultType: string; result: unknown };
    if (resultType === 'vector') {
      const samples = vectorSamples(result);
      if (samples) return samples;
    } else if (resultType === 'scalar') {
      const scalar = scalarSchema.safeParse(result);
      if (scalar.success) return [{ labels: {}, value: parsePromValue(scalar.data[1]) }];
    }
    throw new SourceError('bad_response', `expected an instant vector, got ${resultType}`, { source: this.name, query: expr, retryable: false });
  }
}

/**
 * The samples of an instant vector (`[{ metric: {…strings}, value: [time, "text"] }]`), or
 * undefined when it is not one. Checked by hand rather than by a zod schema, which copies every
 * series: merged queries answer hundreds of series each, and at 10 000 SLOs the copies were a
 * quarter of the memory a cycle allocates.
 */
function vectorSamples(result: unknown): Sample[] | undefined {
  if (!Array.isArray(result)) return undefined;
  const out: Sample[] = new Array(result.length);
  for (let i = 0; i < result.length; i++) {
    const { metric, value } = (result[i] ?? {}) as { metric?: unknown; value?: unknown };
    if (typeof metric !== 'object' || metric === null || Array.isArray(metric)) return undefined;
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || typeof value[1] !== 'string') return undefined;
    for (const label in metric) if (typeof (metric as Record<string, unknown>)[label] !== 'string') return undefined;
    out[i] = { labels: metric as Record<string, string>, value: parsePromValue(value[1]) };
  }
  return out;
}

/**
 * fetch refuses URLs with user:password@; turn them into a Basic Authorization header (unless one
 * is configured) so that the credentials also stay out of error messages.
 */
function withoutCredentials(raw: string, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  const url = new URL(raw);
  const out = { ...headers };
  if (url.username || url.password) {
    const hasAuth = Object.keys(out).some((k) => k.toLowerCase() === 'authorization');
    const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    if (!hasAuth) out.authorization = `Basic ${basic}`;
    url.username = '';
    url.password = '';
  }
  return { url: url.toString().replace(/\/+$/, ''), headers: out };
}

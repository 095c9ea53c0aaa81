// SliSource over the Prometheus HTTP API: one instant query per SLO and window, holding every
// requested part (good/bad/total) as a labelled series. Identical queries at the same instant
// (SLOs that share an indicator) are asked once.
import { createHash } from 'node:crypto';
import type { PrometheusSourceSpec } from '../../domain/slo.ts';
import type { SliPart, SliReading, SliRequest, SliSource } from '../sli-source.ts';
import { SourceError } from '../source-error.ts';
import { PrometheusClient, type PrometheusClientOptions, type Sample } from './prometheus-client.ts';
import { planQueries, type QueryPlan } from './batch-queries.ts';
import { combinedQuery, PART_LABEL } from './sli-queries.ts';

const SHARED_QUERIES = 256;

export class PrometheusSource implements SliSource {
  readonly type = 'prometheus' as const;
  readonly name: string;
  readonly client: PrometheusClient;
  /** In-flight and recent answers by instant and query text. */
  readonly #shared = new Map<string, Promise<Sample[]>>();
  #lastPlan: { digest: string; plan: QueryPlan } | undefined;

  constructor(opts: PrometheusClientOptions) {
    this.name = opts.name;
    this.client = new PrometheusClient(opts);
  }

  static fromSpec(spec: PrometheusSourceSpec, extra: Partial<PrometheusClientOptions> = {}): PrometheusSource {
    return new PrometheusSource({ name: spec.name, url: spec.url, timeoutSeconds: spec.timeoutSeconds, headers: spec.headers, ...extra });
  }

  async read(request: SliRequest): Promise<SliReading> {
    const answers = await Promise.all(
      request.windows.map(async (window) => {
        const query = combinedQuery(request.slo, request.parts, window);
        return { window, query, samples: await this.#query(query, request.at, request.signal) };
      }),
    );
    return this.#reading(request, answers);
  }

  /**
   * Every request's queries planned together: queries of SLOs that differ only in one label value
   * are merged (see batch-queries.ts), so a fleet of similar SLOs costs a few queries per window.
   */
  async readMany(requests: readonly SliRequest[]): Promise<Array<SliReading | Error>> {
    const at = requests[0]?.at;
    if (requests.some((r) => r.at.getTime() !== at?.getTime())) {
      return Promise.all(requests.map((r) => this.read(r).catch((error: Error) => error)));
    }
    const asked = requests.flatMap((request, r) =>
      request.windows.map((window) => ({ r, window, query: combinedQuery(request.slo, request.parts, window) })),
    );
    const plan = this.#plan(asked.map((a) => a.query));
    const signal = requests[0]?.signal;
    const answers = await Promise.allSettled(plan.queries.map((q) => this.#query(q, at!, signal)));
    const perRequest = requests.map(() => [] as Array<{ window: number; query: string; samples: Sample[] }>);
    const failures = new Map<number, Error>();
    asked.forEach((a, i) => {
      const route = plan.routes[i]!;
      const answer = answers[route.query]!;
      if (answer.status === 'rejected') {
        failures.set(a.r, answer.reason instanceof Error ? answer.reason : new Error(String(answer.reason)));
        return;
      }
      const samples = route.label === undefined ? answer.value : answer.value.filter((s) => s.labels[route.label!] === route.value);
      perRequest[a.r]!.push({ window: a.window, query: a.query, samples });
    });
    return requests.map((request, r) => {
      const failure = failures.get(r);
      if (failure) return failure;
      try {
        return this.#reading(request, perRequest[r]!);
      } catch (error) {
        return error as Error;
      }
    });
  }

  /** The SLO set rarely changes between cycles, and with it the plan: reuse it while the queries are the same. */
  #plan(queries: string[]): QueryPlan {
    const hash = createHash('sha256');
    for (const q of queries) hash.update(q).update('\u0000');
    const digest = hash.digest('hex');
    if (this.#lastPlan?.digest === digest) return this.#lastPlan.plan;
    const plan = planQueries(queries);
    this.#lastPlan = { digest, plan };
    return plan;
  }

  #reading(request: SliRequest, answers: ReadonlyArray<{ window: number; query: string; samples: Sample[] }>): SliReading {
    const reading: SliReading = new Map();
    const answered = new Set<SliPart>();
    for (const { window, query, samples } of answers) {
      const parts: Partial<Record<SliPart, number>> = {};
      for (const s of samples) {
        const part = s.labels[PART_LABEL] as SliPart | undefined;
        if (part && request.parts.includes(part)) {
          if (!Number.isFinite(s.value)) {
            throw new SourceError('bad_response', `the ${part} part of ${request.slo.id} is ${s.value}: it must count events`, {
              source: this.name,
              query,
              retryable: false,
            });
          }
          parts[part] = s.value;
          answered.add(part);
        }
      }
      if (request.parts.every((p) => parts[p] !== undefined)) reading.set(window, parts);
    }
    // A part that is empty in every window is a wrong or absent metric: say which query.
    const silent = request.parts.filter((p) => !answered.has(p));
    if (silent.length > 0) {
      const longest = answers.at(-1)!;
      throw new SourceError('empty_result', `no series for the ${silent.join(' and ')} part of ${request.slo.id}`, {
        source: this.name,
        query: longest.query,
        retryable: false,
      });
    }
    return reading;
  }

  #query(query: string, at: Date, signal?: AbortSignal): Promise<Sample[]> {
    const key = `${at.getTime()}|${query}`;
    let answer = this.#shared.get(key);
    if (!answer) {
      answer = this.client.query(query, at, signal);
      answer.catch(() => this.#shared.delete(key));
      this.#shared.set(key, answer);
      if (this.#shared.size > SHARED_QUERIES) this.#shared.delete(this.#shared.keys().next().value!);
    }
    return answer;
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.client.query('vector(1)', undefined, signal);
  }

  async close(): Promise<void> {
    this.#shared.clear();
  }
}

// SliSource over the Prometheus HTTP API: one instant query per SLO and window, holding every
// requested part (good/bad/total) as a labelled series. Identical queries at the same instant
// (SLOs that share an indicator) are asked once.
import { createHash } from 'node:crypto';
import { formatDuration } from '../../domain/duration.ts';
import type { PrometheusSourceSpec } from '../../domain/slo.ts';
import type { SliReading, SliRequest, SliSource } from '../sli-source.ts';
import { PrometheusClient, type PrometheusClientOptions, type Sample } from './prometheus-client.ts';
import { planFamilies, type QueryFamily, type QueryPlan } from './batch-queries.ts';
import { ReadingBuilder } from './reading-builder.ts';
import { combinedQuery, combinedQueryTemplate } from './sli-queries.ts';

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
    const reading = new ReadingBuilder(request, this.name);
    await Promise.all(
      request.windows.map(async (window) => {
        reading.add(window, await this.#query(combinedQuery(request.slo, request.parts, window), request.at, request.signal));
      }),
    );
    const result = reading.result();
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Every request's queries planned together: queries of SLOs that differ only in one label value
   * are merged (see batch-queries.ts), so a fleet of similar SLOs costs a few queries per window.
   * Each SLO's query is built and planned once with its window left open (window-slot.ts), not
   * once per window, and each answer is read into the SLOs' readings as soon as it arrives, then
   * dropped: at 10 000 SLOs that is what keeps a cycle's memory down.
   */
  async readMany(requests: readonly SliRequest[]): Promise<Array<SliReading | Error>> {
    const at = requests[0]?.at;
    if (requests.some((r) => r.at.getTime() !== at?.getTime())) {
      return Promise.all(requests.map((r) => this.read(r).catch((error: Error) => error)));
    }
    const durations = new Map<number, string>();
    const duration = (w: number) => durations.get(w) ?? durations.set(w, formatDuration(w)).get(w)!;
    const families: QueryFamily[] = [];
    for (const request of requests) {
      const text = combinedQueryTemplate(request.slo, request.parts);
      if (text !== undefined) families.push({ text, windows: request.windows.map(duration) });
      else for (const w of request.windows) families.push({ text: combinedQuery(request.slo, request.parts, w) });
    }
    const plan = this.#plan(families);
    // Routes are in request order, each request's windows in turn: who reads each planned query.
    const readers = plan.queries.map(() => [] as Array<{ request: number; window: number; label?: string; value?: string }>);
    let route = 0;
    requests.forEach((request, r) => {
      for (const window of request.windows) {
        const { query, label, value } = plan.routes[route++]!;
        readers[query]!.push({ request: r, window, ...(label === undefined ? {} : { label, value: value! }) });
      }
    });
    const readings = requests.map((request) => new ReadingBuilder(request, this.name));
    const signal = requests[0]?.signal;
    await Promise.all(
      plan.queries.map(async (query, q) => {
        let samples: Sample[];
        try {
          samples = await this.#query(query, at!, signal, { retain: false });
        } catch (error) {
          for (const reader of readers[q]!) readings[reader.request]!.fail(reader.window, error instanceof Error ? error : new Error(String(error)));
          return;
        }
        // A merged answer (all its readers pick by one label) is indexed once by the label's
        // values rather than filtered for every SLO.
        const byValue = new Map<string, Sample[]>();
        const label = readers[q]![0]?.label;
        if (label !== undefined) {
          for (const s of samples) {
            const v = s.labels[label];
            if (v === undefined) continue;
            const same = byValue.get(v);
            if (same) same.push(s);
            else byValue.set(v, [s]);
          }
        }
        for (const reader of readers[q]!) {
          readings[reader.request]!.add(reader.window, reader.value === undefined ? samples : (byValue.get(reader.value) ?? []));
        }
      }),
    );
    return readings.map((reading) => reading.result());
  }

  /** The SLO set rarely changes between cycles, and with it the plan: reuse it while the queries are the same. */
  #plan(families: QueryFamily[]): QueryPlan {
    const hash = createHash('sha256');
    for (const f of families) hash.update(f.text).update(`\u0000${f.windows?.join(',') ?? ''}\u0000`);
    const digest = hash.digest('hex');
    if (this.#lastPlan?.digest === digest) return this.#lastPlan.plan;
    const plan = planFamilies(families);
    this.#lastPlan = { digest, plan };
    return plan;
  }

  /**
   * One answer, shared by every caller asking the same query at the same instant while it is in
   * flight, and kept for later callers too unless `retain` is false (a merged query of a cycle is
   * never asked again at that instant: keeping it would only hold memory).
   */
  #query(query: string, at: Date, signal?: AbortSignal, { retain = true } = {}): Promise<Sample[]> {
    const key = `${at.getTime()}|${query}`;
    let answer = this.#shared.get(key);
    if (!answer) {
      const asked = this.client.query(query, at, signal);
      answer = asked;
      const forget = () => {
        if (this.#shared.get(key) === asked) this.#shared.delete(key);
      };
      asked.then(retain ? undefined : forget, forget);
      this.#shared.set(key, asked);
      if (this.#shared.size > SHARED_QUERIES) this.#shared.delete(this.#shared.keys().next().value!);
    }
    return answer;
  }

  async seriesLabels(query: string, at: Date, signal?: AbortSignal): Promise<Array<Record<string, string>>> {
    return (await this.client.query(query, at, signal)).map((s) => s.labels);
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.client.query('vector(1)', undefined, signal);
  }

  async close(): Promise<void> {
    this.#shared.clear();
  }
}

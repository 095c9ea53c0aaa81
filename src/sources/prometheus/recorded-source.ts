// Recorded mode: the SliSource reads the series that the rules of `burnwatch generate prometheus`
// record (evaluated by Prometheus, Thanos Ruler or the Mimir/Cortex ruler) instead of running each
// SLO's PromQL. A cycle costs one query per distinct window, whatever the number of SLOs; each
// answer is split per SLO by its id label. A series that is missing or older than two rule
// intervals makes its SLO unknown, naming the record and its rule group: never ok.
import { budgetingOf, type PrometheusSourceSpec, type Slo } from '../../domain/slo.ts';
import { errorRatioRecord, eventsRecord, idLabelValue, LABEL_KEYS, ruleGroupName } from '../../domain/recorded-series.ts';
import { formatDuration } from '../../domain/duration.ts';
import type { SliParts, SliReading, SliRequest, SliSource } from '../sli-source.ts';
import { SourceError } from '../source-error.ts';
import type { ScanHandlers } from './answer-scanner.ts';
import { PrometheusClient, type PrometheusClientOptions } from './prometheus-client.ts';
import { recordedAgeQuery, recordedWindowQuery } from './recorded-queries.ts';
import { PART_LABEL } from './sli-queries.ts';

/** The labels a recorded answer is read by: either id label set, and the part. */
const SCANNED_LABELS = [LABEL_KEYS.burnwatch.id, LABEL_KEYS.sloth.id, PART_LABEL] as const;

export interface RecordedSourceOptions extends PrometheusClientOptions {
  /** The rule groups' evaluation interval; a series older than two of them is stale. Default 60. */
  ruleIntervalSeconds?: number;
}

/** Whether the evaluator needs this window's event count (the minEvents guard of a long window). */
export function needsEvents(slo: Slo, windowSeconds: number): boolean {
  return (
    slo.alerting.minEvents > 0 && budgetingOf(slo.indicator.kind) === 'occurrences' && slo.alerting.tiers.some((t) => t.longSeconds === windowSeconds)
  );
}

export class RecordedPrometheusSource implements SliSource {
  readonly type = 'prometheus' as const;
  readonly mode = 'recorded' as const;
  readonly name: string;
  readonly client: PrometheusClient;
  readonly ruleIntervalSeconds: number;

  constructor(opts: RecordedSourceOptions) {
    this.name = opts.name;
    // Few queries per cycle, each answering for every SLO: two at a time keeps the memory of a
    // 100 000-SLO cycle to two answers.
    this.client = new PrometheusClient({ maxConcurrency: 2, ...opts });
    this.ruleIntervalSeconds = opts.ruleIntervalSeconds ?? 60;
  }

  static fromSpec(spec: PrometheusSourceSpec, extra: Partial<RecordedSourceOptions> = {}): RecordedPrometheusSource {
    return new RecordedPrometheusSource({
      name: spec.name,
      url: spec.url,
      timeoutSeconds: spec.timeoutSeconds,
      headers: spec.headers,
      ...(spec.ruleIntervalSeconds !== undefined && { ruleIntervalSeconds: spec.ruleIntervalSeconds }),
      ...extra,
    });
  }

  async read(request: SliRequest): Promise<SliReading> {
    const [result] = await this.readMany([request]);
    if (result instanceof Error) throw result;
    return result!;
  }

  async readMany(requests: readonly SliRequest[]): Promise<Array<SliReading | Error>> {
    const byInstant = new Map<number, number[]>();
    requests.forEach((r, i) => {
      const t = r.at.getTime();
      const same = byInstant.get(t);
      if (same) same.push(i);
      else byInstant.set(t, [i]);
    });
    const out: Array<SliReading | Error> = new Array(requests.length);
    for (const indices of byInstant.values()) {
      const results = await this.#readAt(indices.map((i) => requests[i]!));
      indices.forEach((i, k) => {
        out[i] = results[k]!;
      });
    }
    return out;
  }

  /** Requests of one instant: one query per window. */
  async #readAt(requests: readonly SliRequest[]): Promise<Array<SliReading | Error>> {
    const at = requests[0]!.at;
    const signal = requests[0]!.signal;
    // Who answers to which label value; the ids of both label sets point at the same request.
    const byBurnwatchId = new Map<string, number>();
    const bySlothId = new Map<string, number>();
    const readers = new Map<number, number[]>();
    const events = new Set<number>();
    requests.forEach((r, i) => {
      byBurnwatchId.set(idLabelValue(r.slo, 'burnwatch'), i);
      bySlothId.set(idLabelValue(r.slo, 'sloth'), i);
      for (const w of r.windows) {
        const list = readers.get(w);
        if (list) list.push(i);
        else readers.set(w, [i]);
        if (needsEvents(r.slo, w)) events.add(w);
      }
    });
    // Each window's answers, one slot per request: the readings are views over them, not a map
    // and an object per SLO and window.
    const tables = new Map<number, WindowTable>();
    // The problem of each request's shortest failing window (windows answer in any order).
    const problems: Array<{ window: number; error: SourceError } | undefined> = new Array(requests.length);
    const fail = (i: number, window: number, error: SourceError) => {
      const known = problems[i];
      if (!known || window < known.window) problems[i] = { window, error };
    };

    await Promise.all(
      [...readers].map(async ([window, who]) => {
        const query = recordedWindowQuery(window, events.has(window), 2 * this.ruleIntervalSeconds);
        // Per request: NaN until its series arrives. The answer is streamed (answer-scanner.ts)
        // straight into flat arrays: at 100 000 SLOs no body string, no object per series.
        const ratio = new Float64Array(requests.length).fill(Number.NaN);
        // Asked only of the SLOs without a fresh ratio (usually none).
        let age: Float64Array | undefined;
        const count = events.has(window) ? new Float64Array(requests.length).fill(Number.NaN) : undefined;
        const seen = new Uint8Array(requests.length);
        const handlers: ScanHandlers = {
          labels: SCANNED_LABELS,
          sample: (labels, value) => {
            const id = labels[0];
            const i = id ? byBurnwatchId.get(id) : labels[1] ? bySlothId.get(labels[1]) : undefined;
            if (i === undefined) return;
            const part = labels[2];
            if (part === 'ratio') {
              ratio[i] = value;
              seen[i]! |= 1;
            } else if (part === 'age' && age) age[i] = value;
            else if (part === 'events' && count) {
              count[i] = value;
              seen[i]! |= 2;
            }
          },
        };
        try {
          await this.client.scan(query, at, handlers, signal);
          // Without a fresh ratio: how old is their record, if there is one?
          const without = who.filter((i) => !(seen[i]! & 1));
          if (without.length > 0) {
            age = new Float64Array(requests.length).fill(Number.NaN);
            const ids = { burnwatch: without.map((i) => idLabelValue(requests[i]!.slo, 'burnwatch')), sloth: without.map((i) => idLabelValue(requests[i]!.slo, 'sloth')) };
            await this.client.scan(recordedAgeQuery(window, ids), at, handlers, signal);
          }
        } catch (error) {
          const e = error instanceof SourceError ? error : new SourceError('unreachable', String(error), { source: this.name, query, retryable: true });
          for (const i of who) fail(i, window, e);
          return;
        }
        const record = errorRatioRecord(window);
        for (const i of who) {
          const slo = requests[i]!.slo;
          if (!(seen[i]! & 1)) {
            // No fresh ratio: stale if its record has an age, else never written (or gone).
            const recordAge = age?.[i] ?? Number.NaN;
            fail(i, window, Number.isNaN(recordAge) ? this.#missing(slo, record, window) : this.#stale(slo, record, recordAge));
            continue;
          }
          if (needsEvents(slo, window) && !(seen[i]! & 2)) {
            fail(i, window, this.#missing(slo, eventsRecord(window), window));
          }
        }
        tables.set(window, { ratio, count });
      }),
    );
    return requests.map((request, i) => problems[i]?.error ?? new RecordedReading(tables, request.slo, request.windows, request.parts.includes('good'), i));
  }

  #selector(slo: Slo, record: string): string {
    return `${record}{${LABEL_KEYS.burnwatch.id}="${slo.id}"}`;
  }

  #missing(slo: Slo, record: string, window: number): SourceError {
    return new SourceError(
      'empty_result',
      `no recorded series ${record} for ${slo.id} (neither ${LABEL_KEYS.burnwatch.id}="${slo.id}" nor ${LABEL_KEYS.sloth.id}="${idLabelValue(slo, 'sloth')}"): the ${formatDuration(window)} rule of group ${ruleGroupName(slo.id)} is not loaded (burnwatch generate prometheus), or its query had no data`,
      { source: this.name, query: this.#selector(slo, record), retryable: true, slo: slo.id },
    );
  }

  #stale(slo: Slo, record: string, ageSeconds: number): SourceError {
    return new SourceError(
      'empty_result',
      `recorded series ${record} is stale: last written ${formatDuration(Math.round(ageSeconds))} ago, more than two rule intervals (${formatDuration(2 * this.ruleIntervalSeconds)}); is rule group ${ruleGroupName(slo.id)} still evaluated?`,
      { source: this.name, query: this.#selector(slo, record), retryable: true, slo: slo.id },
    );
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await this.client.query('vector(1)', undefined, signal);
  }

  async close(): Promise<void> {}
}

/** One window's answers: the error ratio per request, and the event count where it was recorded. */
interface WindowTable {
  ratio: Float64Array;
  count: Float64Array | undefined;
}

/**
 * One request's reading, read from the window tables when the evaluator asks. It keeps the SLO,
 * not the request (its windows are the evaluator's one array per SLO): the cycle's 100 000
 * requests are garbage once the answers are in.
 */
class RecordedReading implements SliReading {
  readonly #tables: ReadonlyMap<number, WindowTable>;
  readonly #slo: Slo;
  readonly #windows: readonly number[];
  readonly #good: boolean;
  readonly #i: number;

  constructor(tables: ReadonlyMap<number, WindowTable>, slo: Slo, windows: readonly number[], good: boolean, i: number) {
    this.#tables = tables;
    this.#slo = slo;
    this.#windows = windows;
    this.#good = good;
    this.#i = i;
  }

  has(window: number): boolean {
    return this.#tables.has(window) && this.#windows.includes(window);
  }

  get(window: number): SliParts | undefined {
    if (!this.has(window)) return undefined;
    const table = this.#tables.get(window)!;
    const events = needsEvents(this.#slo, window) ? table.count?.[this.#i] : undefined;
    return partsOf(this.#good, table.ratio[this.#i]!, events);
  }
}

/**
 * The parts the evaluator asked for, from a ratio. Where the events are recorded they are the
 * total (the minEvents guard compares them); elsewhere the total is 1 and bad is the ratio, which
 * gives the evaluator the same error ratio. A ratio of NaN is 0/0: no events, no budget spent.
 */
function partsOf(good: boolean, ratio: number, events: number | undefined): SliParts {
  const empty = Number.isNaN(ratio);
  const total = events ?? (empty ? 0 : 1);
  const bad = empty || total === 0 ? 0 : events === undefined ? ratio : ratio * total;
  // bad is always given: the evaluator takes it over total − good, which would round the ratio.
  const parts: SliParts = { bad, total };
  if (good) parts.good = total - bad;
  return parts;
}

// One SLO's reading, filled window by window as the answers arrive. Keeping the parts (numbers)
// rather than the answers lets every answer be dropped as soon as it is read: a 10 000-SLO cycle
// would otherwise hold all of its answers until the slowest query returns.
import type { SliPart, SliParts, SliReading, SliRequest } from '../sli-source.ts';
import { SourceError } from '../source-error.ts';
import type { Sample } from './prometheus-client.ts';
import { combinedQuery, PART_LABEL } from './sli-queries.ts';

export class ReadingBuilder {
  readonly #request: SliRequest;
  readonly #source: string;
  readonly #reading = new Map<number, SliParts>();
  readonly #answered = new Set<SliPart>();
  // Answers arrive in any order; report the problem of the first window, whichever came first.
  #failed: { window: number; error: Error } | undefined;
  #invalid: { window: number; error: Error } | undefined;

  constructor(request: SliRequest, source: string) {
    this.#request = request;
    this.#source = source;
  }

  /** The series of one window: those labelled with a part this request asks for. */
  add(window: number, samples: readonly Sample[]): void {
    const { parts: wanted, slo } = this.#request;
    const parts: Partial<Record<SliPart, number>> = {};
    for (const s of samples) {
      const part = s.labels[PART_LABEL] as SliPart | undefined;
      if (!part || !wanted.includes(part)) continue;
      if (!Number.isFinite(s.value)) {
        const error = new SourceError('bad_response', `the ${part} part of ${slo.id} is ${s.value}: it must count events`, {
          source: this.#source,
          query: this.#query(window),
          retryable: false,
        });
        if (!this.#invalid || window < this.#invalid.window) this.#invalid = { window, error };
        return;
      }
      parts[part] = s.value;
      this.#answered.add(part);
    }
    if (wanted.every((p) => parts[p] !== undefined)) this.#reading.set(window, parts);
  }

  /** The query of this window failed. */
  fail(window: number, error: Error): void {
    if (!this.#failed || window < this.#failed.window) this.#failed = { window, error };
  }

  /** The reading, or why there is none. */
  result(): SliReading | Error {
    if (this.#failed) return this.#failed.error;
    if (this.#invalid) return this.#invalid.error;
    // A part that is empty in every window is a wrong or absent metric: say which query.
    const silent = this.#request.parts.filter((p) => !this.#answered.has(p));
    if (silent.length > 0) {
      return new SourceError('empty_result', `no series for the ${silent.join(' and ')} part of ${this.#request.slo.id}`, {
        source: this.#source,
        query: this.#query(Math.max(...this.#request.windows)),
        retryable: false,
      });
    }
    return this.#reading;
  }

  /** Errors name the SLO's own query for the window, the one a person can run by hand. */
  #query(window: number): string {
    return combinedQuery(this.#request.slo, this.#request.parts, window);
  }
}

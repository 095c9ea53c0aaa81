// The seam between the evaluator and every data source. The evaluator asks a source
// for the parts of an SLI it answers (for a mixed ratio: good from one source, total
// from another) over each window ending at one instant; the source decides how
// (PromQL, SQL, cached per-interval aggregates).
import type { Slo } from '../domain/slo.ts';

/** Events (occurrence kinds) or slices (time-slice kinds). */
export type SliPart = 'good' | 'bad' | 'total';

export interface SliRequest {
  slo: Slo;
  /** Window lengths in seconds, each ending at `at`. */
  windows: readonly number[];
  at: Date;
  /** Which parts this source must answer; the evaluator derives the missing one (bad = total − good). */
  parts: readonly SliPart[];
  signal?: AbortSignal;
}

/** The parts of one window. */
export type SliParts = Partial<Record<SliPart, number>>;

/**
 * Per window, the requested parts. A window with no data is absent (the evaluator reports it
 * unknown). Usually a Map; the evaluator only reads it by window, so a source that holds its
 * answers in flat arrays (recorded mode, 100 000 SLOs) hands out a view instead of a map each.
 */
export type SliReading = Pick<ReadonlyMap<number, SliParts>, 'get' | 'has'>;

export interface SliSource {
  readonly name: string;
  readonly type: 'prometheus' | 'bigquery' | 'postgres' | 'airflow';
  /** Throws SourceError on failure; never returns made-up zeros for a source that did not answer. */
  read(request: SliRequest): Promise<SliReading>;
  /**
   * Optional: answers many requests (same instant) at once, so a source can share work across
   * SLOs. One entry per request, in order: its reading, or the SourceError that request met.
   */
  readMany?(requests: readonly SliRequest[]): Promise<Array<SliReading | Error>>;
  /**
   * Optional: the label sets of the series a query returns at one instant (the values a grouped
   * SLO is evaluated for). Prometheus sources answer it.
   */
  seriesLabels?(query: string, at: Date, signal?: AbortSignal): Promise<Array<Record<string, string>>>;
  /** Cheap reachability probe for /readyz. */
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

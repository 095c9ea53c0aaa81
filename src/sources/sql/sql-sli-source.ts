// An SliSource over any SQL warehouse (BigQuery, PostgreSQL). It turns the per-indicator
// SQL contract (sql-contract.ts) into good/bad/total per window, and keeps per-interval
// aggregates in burnwatch's store so that a cycle reads only what is new since the last
// one (plus an overlap for late data) instead of rescanning the SLO window.
import type { Slo } from '../../domain/slo.ts';
import type { Db } from '../../store/db.ts';
import type { SliPart, SliParts, SliReading, SliRequest, SliSource } from '../sli-source.ts';
import { SourceError } from '../source-error.ts';
import { alignDown, alignUp, freshnessSlices } from './freshness-slices.ts';
import { type MemoryCache, openMemoryCache } from './memory-cache.ts';
import { readOneRowRatio } from './one-row-ratio.ts';
import {
  type CacheEntry,
  type Coverage,
  cacheKey,
  countSlices,
  type IntervalRow,
  loadCoverage,
  loadUpdates,
  storeIntervals,
  sumRatio,
} from './interval-cache.ts';
import {
  ContractError,
  isBucketed,
  type RatioColumn,
  readRatioBuckets,
  readRatioRow,
  readSeries,
  readUpdates,
  type Row,
  type SqlParams,
} from './sql-contract.ts';

/** Runs one query with the contract's parameters; throws SourceError (without the SLO) on failure. */
export interface SqlRunner {
  run(sql: string, params: SqlParams, signal?: AbortSignal): Promise<Row[]>;
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface SqlSliSourceOptions {
  name: string;
  type: 'bigquery' | 'postgres';
  runner: SqlRunner;
  /** burnwatch's store, where the per-interval aggregates live; default: in memory, for this source's life. */
  cache?: Db | undefined;
  /** How far back each cycle re-reads for late-arriving rows. Default 300 s. */
  overlapSeconds?: number;
}

const MS = 1000;
const DEFAULT_OVERLAP_SECONDS = 300;
const MAX_WALK_STEPS = 100_000;
/** Freshness queries per read while filling the window the first time; the rest follows next cycles. */
const BACKFILL_WALK_STEPS = 50;

/** What one read brought: the intervals, and how far back they are complete when less than asked. */
interface Fetched {
  rows: IntervalRow[];
  from?: Date;
}

/** The query role, for messages: "good query", "freshness query". */
type Role = string;

export class SqlSliSource implements SliSource {
  readonly name: string;
  readonly type: 'bigquery' | 'postgres';
  readonly #runner: SqlRunner;
  readonly #db: Db | undefined;
  #memory: Promise<MemoryCache> | undefined;
  readonly #lastSegments = new Map<string, { at: number; values: Map<number, Partial<Record<SliPart, number>>> }>();
  readonly #overlapMs: number;

  constructor(options: SqlSliSourceOptions) {
    this.name = options.name;
    this.type = options.type;
    this.#runner = options.runner;
    this.#db = options.cache;
    this.#overlapMs = (options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS) * MS;
  }

  async read(request: SliRequest): Promise<SliReading> {
    const { slo } = request;
    const indicator = slo.indicator;
    switch (indicator.kind) {
      case 'ratio':
        return this.#readRatio(request);
      case 'freshness':
        return this.#readFreshness(request, indicator.query.text, indicator.maxAgeSeconds);
      case 'throughput':
        if (indicator.activeWhen) {
          throw this.#contractError(slo, 'activeWhen query', indicator.activeWhen.text, new ContractError(
            'activeWhen is not supported for SQL sources; return (ts, value) rows only while the job is active',
          ));
        }
        return this.#readSeries(request, indicator.query.text, 'gte', indicator.min);
      case 'threshold':
        return this.#readSeries(request, indicator.query.text, indicator.op, indicator.value);
      case 'latency':
        throw new SourceError('bad_query', 'a latency indicator reads a Prometheus histogram; use a ratio query for SQL', {
          source: this.name,
          slo: slo.id,
          retryable: false,
        });
    }
  }

  ping(signal?: AbortSignal): Promise<void> {
    return this.#runner.ping(signal);
  }

  async close(): Promise<void> {
    await this.#runner.close();
    if (this.#memory) await (await this.#memory).close();
  }

  async #cache(): Promise<Db> {
    if (this.#db) return this.#db;
    this.#memory ??= openMemoryCache();
    return (await this.#memory).db;
  }

  // ratio ------------------------------------------------------------------------------

  async #readRatio(request: SliRequest): Promise<SliReading> {
    const { slo } = request;
    if (slo.indicator.kind !== 'ratio') throw new Error('unreachable');
    const indicator = slo.indicator;
    // Parts that share one query text are read by one query.
    const byQuery = new Map<string, RatioColumn[]>();
    for (const part of request.parts) {
      const ref = indicator[part];
      if (!ref) {
        throw new SourceError('bad_query', `the ratio has no "${part}" query, yet the evaluator asked this source for it`, {
          source: this.name,
          slo: slo.id,
          retryable: false,
        });
      }
      if (ref.source !== this.name) {
        throw new Error(`${this.name} was asked for ${slo.id}'s ${part}, which comes from ${ref.source}`);
      }
      byQuery.set(ref.text, [...(byQuery.get(ref.text) ?? []), part]);
    }
    const reading: SliReading = new Map(request.windows.map((w) => [w, {}]));
    for (const [sql, columns] of byQuery) {
      const role = `${columns.join('/')} query`;
      const values = isBucketed(sql)
        ? await this.#ratioCached(request, sql, columns, role)
        : await this.#ratioSegments(request, sql, columns, role);
      for (const [w, v] of values) Object.assign(reading.get(w)!, v);
    }
    return reading;
  }

  /**
   * The one-row form, kept as segments in the interval cache (one-row-ratio.ts): after the
   * first read a cycle reads only new data, the overlap and the strips the window starts
   * moved over. Like the bucketed form it is read at most once per SLO interval.
   */
  async #ratioSegments(request: SliRequest, sql: string, columns: RatioColumn[], role: Role) {
    const { slo } = request;
    const key = JSON.stringify([slo.id, sql, columns, request.windows]);
    const last = this.#lastSegments.get(key);
    const sinceLast = last ? request.at.getTime() - last.at : Number.POSITIVE_INFINITY;
    if (last && sinceLast >= 0 && sinceLast < slo.intervalSeconds * MS) return last.values;
    const entry: CacheEntry = { sloId: slo.id, source: this.name, kind: 'ratio-row', query: sql, intervalSeconds: slo.timesliceSeconds };
    const out = await readOneRowRatio(
      {
        db: await this.#cache(),
        entry,
        columns,
        overlapMs: this.#overlapMs,
        gridSeconds: slo.timesliceSeconds,
        read: async (from, until) => {
          const rows = await this.#run(request, role, sql, rangeParams({ from, until }, slo.timesliceSeconds));
          return this.#parse(slo, role, sql, () => readRatioRow(rows, columns));
        },
      },
      request.at,
      request.windows,
    );
    this.#lastSegments.set(key, { at: request.at.getTime(), values: out });
    return out;
  }

  /** The bucketed form: rows (ts, parts) per bucket of the SLO's timeslice, cached. */
  async #ratioCached(request: SliRequest, sql: string, columns: RatioColumn[], role: Role) {
    const { slo } = request;
    const bucket = slo.timesliceSeconds;
    const entry: CacheEntry = { sloId: slo.id, source: this.name, kind: 'ratio', query: sql, intervalSeconds: bucket };
    const { asOf } = await this.#refresh(request, entry, async (range) => {
      const params = rangeParams(range, bucket);
      const rows = await this.#run(request, role, sql, params);
      const buckets = this.#parse(slo, role, sql, () => readRatioBuckets(rows, columns));
      const merged = new Map<number, IntervalRow>();
      for (const { ts, values } of buckets) {
        this.#checkBucket(slo, role, sql, ts, range, bucket);
        const row = merged.get(ts.getTime()) ?? { start: ts };
        for (const c of columns) row[c] = (row[c] ?? 0) + (values[c] ?? 0);
        merged.set(ts.getTime(), row);
      }
      return { rows: [...merged.values()] };
    });
    const sums = await sumRatio(await this.#cache(), cacheKey(entry), asOf, request.windows);
    return new Map(
      request.windows.map((w) => {
        const s = sums.get(w) ?? { good: 0, bad: 0, total: 0 };
        const parts: Partial<Record<SliPart, number>> = {};
        for (const c of columns) parts[c] = s[c];
        return [w, parts] as const;
      }),
    );
  }

  // throughput / threshold ---------------------------------------------------------------

  async #readSeries(request: SliRequest, sql: string, op: 'gte' | 'gt' | 'lte' | 'lt', threshold: number) {
    const { slo } = request;
    const slice = slo.timesliceSeconds;
    const role = `${slo.indicator.kind} query`;
    const entry: CacheEntry = { sloId: slo.id, source: this.name, kind: 'series', query: sql, intervalSeconds: slice };
    const { asOf } = await this.#refresh(request, entry, async (range) => {
      const rows = await this.#run(request, role, sql, rangeParams(range, slice));
      const points = this.#parse(slo, role, sql, () => readSeries(rows));
      const slices = new Map<number, IntervalRow>();
      for (const { ts, values } of points) {
        this.#checkInRange(slo, role, sql, ts, range, 'ts');
        const start = alignDown(ts.getTime(), slice);
        const row = slices.get(start) ?? { start: new Date(start), valueSum: 0, valueCount: 0 };
        row.valueSum! += values;
        row.valueCount! += 1;
        slices.set(start, row);
      }
      return { rows: [...slices.values()] };
    });
    const counts = await countSlices(await this.#cache(), cacheKey(entry), asOf, request.windows, slice, op, threshold);
    return slicesReading(request, counts);
  }

  // freshness ----------------------------------------------------------------------------

  async #readFreshness(request: SliRequest, sql: string, maxAgeSeconds: number) {
    const { slo } = request;
    const slice = slo.timesliceSeconds;
    const role = 'freshness query';
    const entry: CacheEntry = { sloId: slo.id, source: this.name, kind: 'freshness', query: sql, intervalSeconds: slice };
    const { asOf, from } = await this.#refresh(request, entry, (range, backfill) =>
      this.#walkUpdates(request, sql, role, range, maxAgeSeconds, backfill ? BACKFILL_WALK_STEPS : MAX_WALK_STEPS),
    );
    // While the first fill of a long window is still under way, only the windows it covers are known.
    const known = request.windows.filter((w) => alignUp(asOf.getTime() - w * MS, slice) >= from.getTime());
    if (known.length === 0) return new Map();
    const longest = Math.max(...known);
    const updates = await loadUpdates(await this.#cache(), cacheKey(entry), new Date(alignDown(asOf.getTime() - longest * MS, slice)), asOf);
    return slicesReading(request, freshnessSlices(updates, asOf, known, slice, maxAgeSeconds));
  }

  /**
   * Every update in [range.from, range.until) that decides a slice, and the last one
   * before. The query answers "the latest update before @end"; walking @end back from
   * slice boundary to slice boundary finds the latest update of every slice with at most
   * one query per slice that had an update (one per cycle once warm). A query that
   * returns the whole history in [@start, @end) is read in one step. After `maxSteps`
   * the walk stops and says how far back it got; the next read goes on from there.
   */
  async #walkUpdates(
    request: SliRequest,
    sql: string,
    role: Role,
    range: Coverage,
    maxAgeSeconds: number,
    maxSteps: number,
  ): Promise<Fetched> {
    const slice = request.slo.timesliceSeconds;
    const from = range.from.getTime();
    // An update older than this cannot make any slice of the range good.
    const start = new Date(from - maxAgeSeconds * MS);
    const latestPerSlice = new Map<number, Date>();
    let cursor = range.until.getTime();
    let complete = false;
    for (let step = 0; step < maxSteps && !complete; step++) {
      const params: SqlParams = { start, end: new Date(cursor), window_seconds: Math.round((cursor - start.getTime()) / MS), bucket_seconds: slice };
      const rows = await this.#run(request, role, sql, params);
      const updates = this.#parse(request.slo, role, sql, () => readUpdates(rows));
      if (updates.length === 0) {
        complete = true;
        break;
      }
      let earliest = Number.POSITIVE_INFINITY;
      for (const u of updates) {
        if (u.getTime() >= cursor) {
          throw this.#contractError(request.slo, role, sql, new ContractError(
            `last_update ${u.toISOString()} is not before @end (${new Date(cursor).toISOString()}); filter with updated_at < @end`,
          ));
        }
        const key = alignDown(u.getTime(), slice);
        const known = latestPerSlice.get(key);
        if (!known || known < u) latestPerSlice.set(key, u);
        earliest = Math.min(earliest, u.getTime());
      }
      cursor = alignDown(earliest, slice);
      complete = earliest < from || cursor <= start.getTime();
    }
    const rows = [...latestPerSlice].map(([s, u]): IntervalRow => ({ start: new Date(s), lastUpdate: u }));
    // Slices from the earliest update's slice on are decided; those before need more walking.
    return complete ? { rows } : { rows, from: new Date(Math.max(cursor, from)) };
  }

  // incremental refresh -------------------------------------------------------------------

  /**
   * Brings the cache up to `at` for the longest window and returns the instant the
   * cached data is complete to. Reads only: the whole window on first use, what the
   * window grew by, and what is new since the last read plus the overlap. A read within
   * the SLO's interval of the previous one is skipped (expensive SQL is read at most once
   * per interval).
   */
  async #refresh(
    request: SliRequest,
    entry: CacheEntry,
    fetch: (range: Coverage, backfill: boolean) => Promise<Fetched>,
  ): Promise<{ asOf: Date; from: Date }> {
    const { slo, at } = request;
    const bucket = entry.intervalSeconds;
    const longest = Math.max(...request.windows);
    const needFrom = new Date(alignDown(at.getTime() - longest * MS, bucket));
    const key = cacheKey(entry);
    const coverage = await loadCoverage(await this.#cache(), key);
    // Ranges to read; the first fill and a grown window are backfills (freshness may take several reads).
    const ranges: { range: Coverage; backfill: boolean }[] = [];
    let until: number;
    let from = needFrom;
    if (!coverage || coverage.until.getTime() < needFrom.getTime() || coverage.from.getTime() > at.getTime()) {
      ranges.push({ range: { from: needFrom, until: at }, backfill: true });
      until = at.getTime();
    } else {
      until = coverage.until.getTime();
      if (coverage.from.getTime() > needFrom.getTime()) {
        from = coverage.from;
        ranges.push({ range: { from: needFrom, until: coverage.from }, backfill: true });
      }
      if (at.getTime() - until >= slo.intervalSeconds * MS) {
        const start = Math.max(alignDown(until - this.#overlapMs, bucket), coverage.from.getTime());
        ranges.push({ range: { from: new Date(start), until: at }, backfill: false });
      }
    }
    for (const { range, backfill } of ranges) {
      const fetched = await fetch(range, backfill);
      if (backfill) from = fetched.from ?? needFrom;
      until = Math.max(until, range.until.getTime());
      await storeIntervals(await this.#cache(), entry, range, fetched.rows, { from, until: new Date(until) }, needFrom);
    }
    // Evaluating an instant inside what is cached (check --at in the past) reads as of it.
    return { asOf: new Date(Math.min(until, at.getTime())), from };
  }

  // helpers -------------------------------------------------------------------------------

  async #run(request: SliRequest, role: Role, sql: string, params: SqlParams): Promise<Row[]> {
    try {
      return await this.#runner.run(sql, params, request.signal);
    } catch (error) {
      if (error instanceof SourceError) {
        throw new SourceError(error.code, `${role}: ${stripSource(error, this.name)}`, {
          source: this.name,
          slo: request.slo.id,
          query: oneLine(sql),
          retryable: error.retryable,
          ...(error.reason ? { reason: error.reason } : {}),
          cause: error,
        });
      }
      throw error;
    }
  }

  #parse<T>(slo: Slo, role: Role, sql: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof ContractError) throw this.#contractError(slo, role, sql, error);
      throw error;
    }
  }

  #contractError(slo: Slo, role: Role, sql: string, error: ContractError): SourceError {
    return new SourceError('bad_query', `${role}: ${error.message}`, {
      source: this.name,
      slo: slo.id,
      query: oneLine(sql),
      retryable: false,
      cause: error,
    });
  }

  #checkInRange(slo: Slo, role: Role, sql: string, ts: Date, range: Coverage, column: string): void {
    if (ts < range.from || ts >= range.until) {
      throw this.#contractError(slo, role, sql, new ContractError(
        `${column} ${ts.toISOString()} is outside [@start, @end) = [${range.from.toISOString()}, ${range.until.toISOString()}); filter with ${column} >= @start AND ${column} < @end`,
      ));
    }
  }

  #checkBucket(slo: Slo, role: Role, sql: string, ts: Date, range: Coverage, bucket: number): void {
    if (ts.getTime() % (bucket * MS) !== 0) {
      throw this.#contractError(slo, role, sql, new ContractError(
        `ts ${ts.toISOString()} is not the start of a ${bucket}s bucket; group by the bucket start, e.g. TIMESTAMP_SECONDS(DIV(UNIX_SECONDS(t), @bucket_seconds) * @bucket_seconds) in BigQuery or to_timestamp(floor(extract(epoch FROM t) / @bucket_seconds) * @bucket_seconds) in PostgreSQL`,
      ));
    }
    const lastBucket = alignDown(range.until.getTime() - 1, bucket);
    if (ts < range.from || ts.getTime() > lastBucket) this.#checkInRange(slo, role, sql, ts, range, 'ts');
  }
}

function rangeParams(range: Coverage, bucketSeconds: number): SqlParams {
  return {
    start: range.from,
    end: range.until,
    window_seconds: Math.round((range.until.getTime() - range.from.getTime()) / MS),
    bucket_seconds: bucketSeconds,
  };
}

function slicesReading(request: SliRequest, counts: Map<number, { good: number; total: number }>): SliReading {
  const reading = new Map<number, SliParts>();
  for (const w of request.windows) {
    const c = counts.get(w);
    if (!c) continue; // not known yet: the evaluator reports the window unknown
    const all: Record<SliPart, number> = { good: c.good, bad: c.total - c.good, total: c.total };
    const parts: Partial<Record<SliPart, number>> = {};
    for (const p of request.parts) parts[p] = all[p];
    reading.set(w, parts);
  }
  return reading;
}

function stripSource(error: SourceError, source: string): string {
  const prefix = `${source}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return error.query ? message.replace(` (query: ${error.query})`, '') : message;
}

function oneLine(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

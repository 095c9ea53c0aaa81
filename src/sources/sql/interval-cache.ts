// Per-interval aggregates of warehouse queries, kept in burnwatch's store
// (migration 010): what has been read, and the sums each window needs.
import { createHash } from 'node:crypto';
import type { Db } from '../../store/db.ts';
import { engineOf, toDate, withTransaction } from '../../store/db.ts';
import { rowsPerInsert, valuesList } from '../../store/sql.ts';

export interface CacheEntry {
  sloId: string;
  source: string;
  /** ratio-row: the one-row ratio form, stored as variable-length segments (one-row-ratio.ts). */
  kind: 'ratio' | 'ratio-row' | 'series' | 'freshness';
  query: string;
  intervalSeconds: number;
}

export interface Coverage {
  from: Date;
  until: Date;
}

export interface IntervalRow {
  start: Date;
  good?: number | undefined;
  bad?: number | undefined;
  total?: number | undefined;
  valueSum?: number | undefined;
  valueCount?: number | undefined;
  lastUpdate?: Date | undefined;
}

export function cacheKey(entry: CacheEntry): string {
  return createHash('sha256')
    .update(JSON.stringify([entry.sloId, entry.source, entry.kind, entry.query, entry.intervalSeconds]))
    .digest('hex')
    .slice(0, 32);
}

export async function loadCoverage(db: Db, key: string): Promise<Coverage | null> {
  const { rows } = await db.query<{ covered_from: Date; covered_until: Date }>(
    'SELECT covered_from, covered_until FROM warehouse_cache WHERE cache_key = $1',
    [key],
  );
  const row = rows[0];
  return row ? { from: row.covered_from, until: row.covered_until } : null;
}

/**
 * Replaces what is stored for [range.from, range.until) with `rows` (a re-read of late
 * data may have emptied a bucket), records the new coverage and forgets intervals the
 * longest window no longer reaches, keeping the last one before (freshness needs it).
 * Rows outside the range (a freshness baseline) are merged, never deleted.
 */
export async function storeIntervals(
  db: Db,
  entry: CacheEntry,
  range: Coverage,
  rows: readonly IntervalRow[],
  coverage: Coverage,
  keepFrom: Date,
): Promise<void> {
  const key = cacheKey(entry);
  await withTransaction(db, async (client) => {
    // An entry not read for the whole window (an edited query, a removed SLO) is dead weight.
    await client.query('DELETE FROM warehouse_cache WHERE slo_id = $1 AND cache_key <> $2 AND covered_until < $3', [
      entry.sloId,
      key,
      keepFrom,
    ]);
    await client.query(
      `INSERT INTO warehouse_cache (cache_key, slo_id, source, kind, interval_seconds, covered_from, covered_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (cache_key) DO UPDATE SET covered_from = excluded.covered_from, covered_until = excluded.covered_until`,
      [key, entry.sloId, entry.source, entry.kind, entry.intervalSeconds, coverage.from, coverage.until],
    );
    await client.query('DELETE FROM warehouse_intervals WHERE cache_key = $1 AND interval_start >= $2 AND interval_start < $3', [
      key,
      range.from,
      range.until,
    ]);
    // Multi-row VALUES (no arrays in the portable subset), the later update kept on a merge.
    // SQLite runs in this process: one cached single-row statement per row is its fastest form
    // (a VALUES list of thousands of rows takes longer to compile than to run).
    const per = engineOf(db) === 'sqlite' ? 1 : rowsPerInsert(8);
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      await client.query(
        `INSERT INTO warehouse_intervals (cache_key, interval_start, good, bad, total, value_sum, value_count, last_update)
         VALUES ${valuesList(chunk.length, 8)}
         ON CONFLICT (cache_key, interval_start) DO UPDATE SET
           good = excluded.good, bad = excluded.bad, total = excluded.total,
           value_sum = excluded.value_sum, value_count = excluded.value_count,
           last_update = CASE
             WHEN warehouse_intervals.last_update IS NULL OR excluded.last_update > warehouse_intervals.last_update THEN excluded.last_update
             ELSE warehouse_intervals.last_update END`,
        chunk.flatMap((r) => [key, r.start, r.good ?? null, r.bad ?? null, r.total ?? null, r.valueSum ?? null, r.valueCount ?? null, r.lastUpdate ?? null]),
      );
    }
    await client.query(
      `DELETE FROM warehouse_intervals WHERE cache_key = $1 AND interval_start < (
         SELECT max(interval_start) FROM warehouse_intervals WHERE cache_key = $1 AND interval_start <= $2)`,
      [key, keepFrom],
    );
  });
}

export type RatioSums = Map<number, { good: number; bad: number; total: number }>;

/** Window starts as parameters $3…, so one range scan serves every window (FILTER per window). */
function windowStarts(asOf: Date, windows: readonly number[]): Date[] {
  return windows.map((w) => new Date(asOf.getTime() - w * 1000));
}

/**
 * Sums of the buckets inside [asOf − w, until) for each window w (zero when none); `until`
 * is asOf except for the one-row form, whose stored segments end where the overlap begins.
 */
export async function sumRatio(db: Db, key: string, asOf: Date, windows: readonly number[], until = asOf): Promise<RatioSums> {
  const starts = windowStarts(asOf, windows);
  const earliest = new Date(asOf.getTime() - Math.max(...windows) * 1000);
  const columns = windows.flatMap((_, i) =>
    ['good', 'bad', 'total'].map((c) => `sum(${c}) FILTER (WHERE interval_start >= $${i + 4}) AS ${c}_${i}`),
  );
  const { rows } = await db.query<Record<string, number | null>>(
    `SELECT ${columns.join(', ')} FROM warehouse_intervals
      WHERE cache_key = $1 AND interval_start >= $2 AND interval_start < $3`,
    [key, earliest, until, ...starts],
  );
  const row = rows[0] ?? {};
  return new Map(windows.map((w, i) => [w, { good: row[`good_${i}`] ?? 0, bad: row[`bad_${i}`] ?? 0, total: row[`total_${i}`] ?? 0 }]));
}

export type SliceOp = 'gte' | 'gt' | 'lte' | 'lt';
const SQL_OP: Record<SliceOp, string> = { gte: '>=', gt: '>', lte: '<=', lt: '<' };

/**
 * Complete slices with data inside [asOf − w, asOf) per window, and how many are good
 * (the mean of the slice's values satisfies `op threshold`).
 */
export async function countSlices(
  db: Db,
  key: string,
  asOf: Date,
  windows: readonly number[],
  sliceSeconds: number,
  op: SliceOp,
  threshold: number,
): Promise<Map<number, { good: number; total: number }>> {
  const starts = windowStarts(asOf, windows);
  const earliest = new Date(asOf.getTime() - Math.max(...windows) * 1000);
  // Only complete slices: the last one must end by asOf.
  const lastStart = new Date(asOf.getTime() - sliceSeconds * 1000);
  const columns = windows.flatMap((_, i) => [
    `count(*) FILTER (WHERE interval_start >= $${i + 5}) AS total_${i}`,
    `count(*) FILTER (WHERE interval_start >= $${i + 5} AND value_sum / value_count ${SQL_OP[op]} $4) AS good_${i}`,
  ]);
  const { rows } = await db.query<Record<string, string>>(
    `SELECT ${columns.join(', ')} FROM warehouse_intervals
      WHERE cache_key = $1 AND interval_start >= $2 AND interval_start <= $3 AND value_count > 0`,
    [key, earliest, lastStart, threshold, ...starts],
  );
  const row = rows[0] ?? {};
  return new Map(windows.map((w, i) => [w, { good: Number(row[`good_${i}`] ?? 0), total: Number(row[`total_${i}`] ?? 0) }]));
}

/** Updates (latest per slice) before `until`, from the last one before `from` on. */
export async function loadUpdates(db: Db, key: string, from: Date, until: Date): Promise<Date[]> {
  const { rows } = await db.query<{ last_update: Date }>(
    `SELECT last_update FROM warehouse_intervals
      WHERE cache_key = $1 AND last_update IS NOT NULL AND last_update < $3
        AND interval_start >= COALESCE((SELECT max(interval_start) FROM warehouse_intervals
                                        WHERE cache_key = $1 AND last_update IS NOT NULL AND interval_start < $2), $4)
      ORDER BY last_update`,
    [key, from, until, new Date(0)],
  );
  return rows.map((r) => r.last_update);
}

/** A stored one-row segment: the row at `start` holds the sums for [start, end). */
export interface Segment extends IntervalRow {
  end: Date;
}

/**
 * The stored segment whose inside holds `point` (start < point < end), or null when the
 * point is a segment boundary or outside the coverage. Segments tile the coverage, so a
 * segment ends where the next one starts.
 */
export async function segmentAround(db: Db, key: string, point: Date, coverage: Coverage): Promise<Segment | null> {
  if (point <= coverage.from || point >= coverage.until) return null;
  const { rows } = await db.query<{ interval_start: Date; good: number | null; bad: number | null; total: number | null; next: unknown }>(
    `SELECT s.interval_start, s.good, s.bad, s.total,
            (SELECT min(n.interval_start) FROM warehouse_intervals n
              WHERE n.cache_key = $1 AND n.interval_start > s.interval_start) AS next
       FROM warehouse_intervals s
      WHERE s.cache_key = $1 AND s.interval_start <= $2 AND s.interval_start >= $3
      ORDER BY s.interval_start DESC LIMIT 1`,
    [key, point, coverage.from],
  );
  const row = rows[0];
  if (!row || row.interval_start.getTime() === point.getTime()) return null;
  // A subquery's value has no declared type on SQLite: it arrives as the stored epoch milliseconds.
  const next = toDate(row.next);
  const end = next && next < coverage.until ? next : coverage.until;
  if (end <= point) return null;
  return { start: row.interval_start, end, good: row.good ?? undefined, bad: row.bad ?? undefined, total: row.total ?? undefined };
}

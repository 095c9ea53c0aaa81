// The one-row ratio form (one row of good/bad/total for [@start, @end), no @bucket_seconds),
// read incrementally. The query is a function of its range and its sums add up over
// disjoint ranges, so burnwatch keeps the longest window as a tiling of variable-length
// segments in the interval cache (a row at `start` holds the sums up to the next row):
//  - first read: one query per gap between consecutive window starts, [at−28d, at−3d),
//    [at−3d, at−1d) … [at−30m, at−overlap): the window is scanned once, in 7 queries for
//    the default windows (one query per 1m interval would be 40,320 queries for 28 days);
//  - the newest `overlap`, [at−overlap, at), is read every cycle and never stored, so late
//    rows are counted; what has just left it is read once and stored;
//  - a window start inside a stored segment splits it: the shorter side is read (one
//    cycle's worth when the window has just moved) and the other side is the stored sum
//    minus it. With cycles one timeslice apart, a window start lands on a boundary an
//    earlier cycle stored, needing no query, once burnwatch has read for that window's length.
// A cycle thus reads the new data, the overlap and at most one cycle's worth per window,
// in at most 2 + (windows longer than the overlap) small queries. Window starts and segment
// ends lie on the timeslice grid (starts rounded up, as in the bucketed form), so a
// cycle's jitter does not move them. Every window equals a rescan of it provided rows older
// than the overlap no longer change (the bucketed form assumes the same). Windows no longer
// than the overlap are read whole every cycle.
import type { Db } from '../../store/db.ts';
import { type CacheEntry, type Coverage, cacheKey, type IntervalRow, loadCoverage, segmentAround, type Segment, storeIntervals, sumRatio } from './interval-cache.ts';
import { alignDown, alignUp } from './freshness-slices.ts';
import type { RatioColumn, RatioValues } from './sql-contract.ts';

const MS = 1000;

export interface OneRowRatio {
  db: Db;
  entry: CacheEntry;
  columns: readonly RatioColumn[];
  overlapMs: number;
  /** Window starts and segment boundaries lie on this grid (the SLO's timeslice). */
  gridSeconds: number;
  /** Runs the one-row query for [from, until). */
  read(from: Date, until: Date): Promise<RatioValues>;
}

/**
 * good/bad/total per window [at − w, at), its start rounded up to the grid (like the
 * bucketed form's), reading only what the cache does not hold.
 */
export async function readOneRowRatio(q: OneRowRatio, at: Date, windows: readonly number[]): Promise<Map<number, RatioValues>> {
  const t = at.getTime();
  const { final, starts } = segmentPoints(t, windows, q.overlapMs, q.gridSeconds);
  const stored = windows.filter((w) => starts.get(w)! < final);
  let sums: Awaited<ReturnType<typeof sumRatio>> | undefined;
  if (stored.length > 0) {
    await cover(q, [...new Set([...stored.map((w) => starts.get(w)!), final])].sort((a, b) => a - b));
    // Stored boundaries lie on the grid, so a segment starts at or after at − w only from the rounded start on.
    sums = await sumRatio(q.db, cacheKey(q.entry), at, stored, new Date(final));
  }
  const recent = final < t ? await q.read(new Date(final), at) : {};
  const out = new Map<number, RatioValues>();
  for (const w of windows) {
    const s = sums?.get(w);
    const start = starts.get(w)!;
    if (s) out.set(w, add(q.columns, pick(q.columns, s), recent));
    else out.set(w, start === final ? recent : start < t ? await q.read(new Date(start), at) : {});
  }
  return out;
}

/**
 * Where stored segments end (`final`: the overlap's start, rounded down to the grid) and
 * each window's start (rounded up). Both on the grid, so that with cycles one grid step
 * apart a window start lands where an earlier cycle's `final` was, whatever the jitter.
 */
export function segmentPoints(at: number, windows: readonly number[], overlapMs: number, gridSeconds: number) {
  return {
    final: alignDown(at - overlapMs, gridSeconds),
    starts: new Map(windows.map((w) => [w, alignUp(at - w * MS, gridSeconds)])),
  };
}

/** [from, until) cut at the points inside it. */
export function piecesBetween(from: number, until: number, points: readonly number[]): [number, number][] {
  const cuts = [from, ...points.filter((p) => p > from && p < until), until];
  return cuts.slice(1).map((end, i) => [cuts[i]!, end]);
}

/** Makes the stored segments cover [first point, last point) with a boundary at every point. */
async function cover(q: OneRowRatio, points: readonly number[]): Promise<void> {
  const key = cacheKey(q.entry);
  const needFrom = points[0]!;
  const final = points.at(-1)!;
  const keepFrom = new Date(needFrom);
  const store = (range: Coverage, rows: IntervalRow[], coverage: Coverage) => storeIntervals(q.db, q.entry, range, rows, coverage, keepFrom);
  const old = await loadCoverage(q.db, key);
  if (!old || old.until.getTime() < needFrom || old.from.getTime() > final) {
    // Nothing usable: read the window, one query per gap between points.
    const range = { from: new Date(Math.min(needFrom, old?.from.getTime() ?? needFrom)), until: new Date(Math.max(final, old?.until.getTime() ?? final)) };
    await store(range, await readPieces(q, needFrom, final, points), { from: keepFrom, until: new Date(final) });
    return;
  }
  let coverage = old;
  if (coverage.from.getTime() > needFrom) {
    // A longer window than before (or an earlier instant): read what it adds.
    const range = { from: keepFrom, until: coverage.from };
    coverage = { from: keepFrom, until: coverage.until };
    await store(range, await readPieces(q, needFrom, range.until.getTime(), points), coverage);
  }
  if (coverage.until.getTime() < final) {
    // What has left the overlap since the last read.
    const range = { from: coverage.until, until: new Date(final) };
    coverage = { from: coverage.from, until: range.until };
    await store(range, await readPieces(q, range.from.getTime(), final, points), coverage);
  }
  for (const p of points) {
    const segment = await segmentAround(q.db, key, new Date(p), coverage);
    if (segment) await store({ from: segment.start, until: segment.end }, await split(q, segment, p), coverage);
  }
  // Segments before the longest window are dropped (above); the coverage says so.
  if (coverage.from.getTime() < needFrom) await store({ from: keepFrom, until: keepFrom }, [], { from: keepFrom, until: coverage.until });
}

async function readPieces(q: OneRowRatio, from: number, until: number, points: readonly number[]): Promise<IntervalRow[]> {
  const rows: IntervalRow[] = [];
  for (const [start, end] of piecesBetween(from, until, points)) {
    rows.push({ start: new Date(start), ...(await q.read(new Date(start), new Date(end))) });
  }
  return rows;
}

/** Two segments in place of one: the shorter side read, the other the stored sum minus it. */
async function split(q: OneRowRatio, segment: Segment, at: number): Promise<IntervalRow[]> {
  const point = new Date(at);
  const readLeft = at - segment.start.getTime() <= segment.end.getTime() - at;
  const read = readLeft ? await q.read(segment.start, point) : await q.read(point, segment.end);
  const rest: RatioValues = {};
  for (const c of q.columns) rest[c] = (segment[c] ?? 0) - (read[c] ?? 0);
  return readLeft
    ? [{ start: segment.start, ...read }, { start: point, ...rest }]
    : [{ start: segment.start, ...rest }, { start: point, ...read }];
}

function pick(columns: readonly RatioColumn[], sums: Record<RatioColumn, number>): RatioValues {
  const out: RatioValues = {};
  for (const c of columns) out[c] = sums[c];
  return out;
}

function add(columns: readonly RatioColumn[], a: RatioValues, b: RatioValues): RatioValues {
  const out: RatioValues = {};
  for (const c of columns) out[c] = (a[c] ?? 0) + (b[c] ?? 0);
  return out;
}

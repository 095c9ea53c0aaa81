// Freshness as time slices: the slice [s, s+T) is good when, at its end, the newest
// update is at most maxAge old. Pure: updates in, good/total slices per window out.

const MS = 1000;

export function alignDown(ms: number, seconds: number): number {
  const size = seconds * MS;
  return Math.floor(ms / size) * size;
}

export function alignUp(ms: number, seconds: number): number {
  const size = seconds * MS;
  return Math.ceil(ms / size) * size;
}

/**
 * `updates` sorted ascending, including the last update before the longest window.
 * Only complete slices count; a slice with no update ever before its end is bad.
 */
export function freshnessSlices(
  updates: readonly Date[],
  asOf: Date,
  windows: readonly number[],
  sliceSeconds: number,
  maxAgeSeconds: number,
): Map<number, { good: number; total: number }> {
  const lastEnd = alignDown(asOf.getTime(), sliceSeconds);
  const step = sliceSeconds * MS;
  const firstStart = Math.min(...windows.map((w) => alignUp(asOf.getTime() - w * MS, sliceSeconds)));
  const count = Math.max(0, Math.round((lastEnd - firstStart) / step));
  // goodBefore[k]: good slices among the first k slices from firstStart.
  const goodBefore = new Int32Array(count + 1);
  let u = 0;
  let latest = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < count; k++) {
    const end = firstStart + (k + 1) * step;
    while (u < updates.length && updates[u]!.getTime() < end) latest = updates[u++]!.getTime();
    goodBefore[k + 1] = goodBefore[k]! + (end - latest <= maxAgeSeconds * MS ? 1 : 0);
  }
  const out = new Map<number, { good: number; total: number }>();
  for (const w of windows) {
    const from = Math.round((alignUp(asOf.getTime() - w * MS, sliceSeconds) - firstStart) / step);
    const total = Math.max(0, count - from);
    out.set(w, { good: goodBefore[count]! - goodBefore[Math.min(from, count)]!, total });
  }
  return out;
}

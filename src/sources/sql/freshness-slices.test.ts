import { describe, expect, it } from 'vitest';
import { freshnessSlices } from './freshness-slices.ts';

const T0 = Date.parse('2026-11-21T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe('freshness slices', () => {
  it('judges each slice at its end by the newest update before it', () => {
    // Updates at -100 and -30 minutes, maxAge 40 minutes, over the 2 h before 00:00: slices ending
    // at or before -100 have no update yet (20), those ending in (-60, -30] are stale (30).
    const out = freshnessSlices([at(-100), at(-30)], at(0), [60, 7200], 60, 40 * 60);
    expect(out.get(7200)).toEqual({ good: 70, total: 120 });
    expect(out.get(60)).toEqual({ good: 1, total: 1 });
  });

  it('counts slices before any update as bad, and only complete slices', () => {
    const out = freshnessSlices([at(-5)], new Date(T0 + 30_000), [600], 60, 3600);
    // asOf 00:00:30: complete slices from -9 min (the window start rounded up) to 00:00: 9 slices;
    // those ending at or before the update at -5 min are bad.
    expect(out.get(600)).toEqual({ good: 5, total: 9 });
  });

  it('treats an update exactly at a slice end as after it (the newest update before the end counts)', () => {
    const out = freshnessSlices([at(-10)], at(0), [60 * 20], 60, 0);
    // maxAge 0: only a slice whose end equals an update's time can be good, and "before" is strict.
    expect(out.get(1200)).toEqual({ good: 0, total: 20 });
  });
});

import { describe, expect, it } from 'vitest';
import { customPeriod, isoWeekOf, lastCompleteWeek, PeriodError, previousPeriod, weekPeriod } from './iso-week.ts';

describe('ISO weeks', () => {
  it('maps a week label to Monday 00:00 UTC and the next Monday', () => {
    expect(weekPeriod('2026-W47')).toEqual({ label: '2026-W47', start: '2026-11-16T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' });
    // 2021-01-03 (a Sunday) belongs to 2020-W53; 2026-W01 starts in December 2025.
    expect(isoWeekOf(new Date('2021-01-03T12:00:00Z'))).toEqual({ year: 2020, week: 53 });
    expect(weekPeriod('2026-W01').start).toBe('2025-12-29T00:00:00.000Z');
  });

  it('rejects labels that name no week, with the range that exists', () => {
    expect(() => weekPeriod('2027-W53')).toThrow(/weeks 01 to 52/);
    expect(weekPeriod('2026-W53').end).toBe('2027-01-04T00:00:00.000Z');
    expect(() => weekPeriod('2026-47')).toThrow(PeriodError);
  });

  it('reports on the last full week when run on Monday morning', () => {
    expect(lastCompleteWeek(new Date('2026-11-23T09:00:00Z')).label).toBe('2026-W47');
    expect(lastCompleteWeek(new Date('2026-11-22T23:59:00Z')).label).toBe('2026-W46');
    expect(previousPeriod(weekPeriod('2026-W01')).label).toBe('2025-W52');
  });

  it('accepts a custom interval and its predecessor of equal length', () => {
    const p = customPeriod('2026-11-10', '2026-11-13');
    expect(p.start).toBe('2026-11-10T00:00:00.000Z');
    expect(previousPeriod(p)).toMatchObject({ start: '2026-11-07T00:00:00.000Z', end: '2026-11-10T00:00:00.000Z' });
    expect(() => customPeriod('2026-11-13', '2026-11-10')).toThrow(/must be after/);
    expect(() => customPeriod('yesterday', '2026-11-10')).toThrow(/not a date/);
  });
});

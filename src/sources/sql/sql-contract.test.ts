import { describe, expect, it } from 'vitest';
import { ContractError, isBucketed, readRatioBuckets, readRatioRow, readSeries, readUpdates, toDate, toNumber } from './sql-contract.ts';

describe('the SQL contract', () => {
  it('reads numbers from both drivers: pg bigint strings, BigQuery wrapped integers, floats', () => {
    expect(toNumber('12', 'good')).toBe(12);
    expect(toNumber({ value: '9007199254740991' }, 'good')).toBe(9_007_199_254_740_991);
    expect(toNumber(0.5, 'value')).toBe(0.5);
    expect(toNumber(null, 'good')).toBeNull();
    expect(() => toNumber('twelve', 'good')).toThrow('column "good" must be a number, got "twelve"');
  });

  it('reads timestamps: Date, BigQuery TIMESTAMP objects, zone-less DATETIME as UTC', () => {
    expect(toDate({ value: '2026-11-21T12:00:00.000Z' }, 'ts')).toEqual(new Date('2026-11-21T12:00:00Z'));
    expect(toDate({ value: '2026-11-21T12:00:00' }, 'ts')).toEqual(new Date('2026-11-21T12:00:00Z'));
    expect(toDate('2026-11-21 12:00:00+01:00', 'ts')).toEqual(new Date('2026-11-21T11:00:00Z'));
    expect(() => toDate(42, 'last_update')).toThrow(ContractError);
  });

  it('takes no row as zero events and refuses several rows in the one-row form', () => {
    expect(readRatioRow([], ['good', 'total'])).toEqual({ good: 0, total: 0 });
    expect(readRatioRow([{ GOOD: '3', total: 4 }], ['good', 'total'])).toEqual({ good: 3, total: 4 });
    expect(() => readRatioRow([{ good: 1, total: 1 }, { good: 1, total: 1 }], ['good', 'total'])).toThrow(/returned 2 rows/);
    expect(() => readRatioRow([{ ok: 1, total: 1 }], ['good', 'total'])).toThrow('missing column "good" (got ok, total)');
  });

  it('needs ts in the bucketed form and skips NULL measurements in series', () => {
    expect(isBucketed('SELECT … GROUP BY DIV(x, @bucket_seconds)')).toBe(true);
    expect(isBucketed('SELECT count(*) AS total FROM t WHERE ts < @end')).toBe(false);
    expect(isBucketed("SELECT count(*) AS total FROM t WHERE ts < @end -- no @bucket_seconds here\n AND note <> '@bucket_seconds'")).toBe(false);
    expect(() => readRatioBuckets([{ good: 1, total: 1 }], ['good', 'total'])).toThrow(/missing column "ts"/);
    const ts = new Date('2026-11-21T00:00:00Z');
    expect(readSeries([{ ts, value: null }, { ts, value: '2.5' }])).toEqual([{ ts, values: 2.5 }]);
    expect(readUpdates([{ last_update: null }])).toEqual([]);
  });
});

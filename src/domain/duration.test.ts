import { describe, expect, it } from 'vitest';
import { formatDuration, isDuration, parseDuration } from './duration.ts';

describe('durations', () => {
  it('parses Prometheus durations', () => {
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('28d')).toBe(2_419_200);
    expect(parseDuration('1w')).toBe(604_800);
    expect(parseDuration('150ms')).toBeCloseTo(0.15, 12);
  });
  it('rejects what Prometheus rejects', () => {
    for (const bad of ['', '5', 'm5', '5 m', '1.5.0h', '-5m']) expect(isDuration(bad)).toBe(false);
    expect(() => parseDuration('5')).toThrow(/not a duration/);
  });
  it('formats windows the way they are written', () => {
    expect(formatDuration(300)).toBe('5m');
    expect(formatDuration(2_419_200)).toBe('28d');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(2_592_000)).toBe('30d');
  });
});

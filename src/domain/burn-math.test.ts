import { describe, expect, it } from 'vitest';
import { budgetRemaining, burnRate, detectionTime, lowTrafficEvents, resetTime } from './burn-math.ts';
import { parseDuration } from './duration.ts';
import { defaultTiers } from './tiers.ts';

describe('workbook tiers', () => {
  it('has the workbook factors at 30d and 28d', () => {
    expect(defaultTiers(parseDuration('30d')).map((t) => t.factor)).toEqual([14.4, 6, 3, 1]);
    const f28 = defaultTiers(parseDuration('28d')).map((t) => t.factor);
    expect(f28.slice(0, 3)).toEqual([13.44, 5.6, 2.8]);
    expect(f28[3]).toBeCloseTo(0.9333, 4);
  });

  it('detects a 100% error step at 99.9% in 51.8 s on the 1h page tier', () => {
    const [page] = defaultTiers(parseDuration('30d'));
    expect(detectionTime(1, 0.999, page!.longSeconds, page!.factor)).toBeCloseTo(51.84, 2);
  });

  it('resets the 1h tier about 4.9 minutes after a 100% step stops', () => {
    const [page] = defaultTiers(parseDuration('30d'));
    expect(resetTime(1, 0.999, page!.shortSeconds, page!.factor)).toBeCloseTo(300 * (1 - 0.0144), 6);
  });

  it('says one bad event fires the 1h page tier below about 70 events an hour at 99.9%', () => {
    expect(lowTrafficEvents(14.4, 0.999)).toBeCloseTo(69.44, 2);
  });

  it('computes burn rate and budget remaining', () => {
    expect(burnRate(0.01, 0.99)).toBeCloseTo(1, 12);
    expect(budgetRemaining(0.002, 0.999)).toBeCloseTo(-1, 12);
  });
});

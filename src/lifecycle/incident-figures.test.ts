import { describe, expect, it } from 'vitest';
import { parseDuration } from '../domain/duration.ts';
import { formatBudget, formatSpan, incidentFigures, shortestWindowBurnRate } from './incident-figures.ts';
import { incidentProgress } from './incident-progress.ts';

describe('incident figures', () => {
  it('gives each affected SLO its own budget figure, and the response times from the two starts', () => {
    const f = incidentFigures({
      startedAt: '2026-11-24T14:03:00Z',
      detectedAt: '2026-11-24T14:30:00Z',
      openedAt: '2026-11-24T14:30:00Z',
      acknowledgedAt: '2026-11-24T14:34:00Z',
      mitigatedAt: '2026-11-24T15:00:00Z',
      resolvedAt: '2026-11-24T15:30:00Z',
      slos: [
        { sloId: 'a', budgetAtStart: 0.8, budgetAtEnd: 0.745 },
        { sloId: 'b', budgetAtStart: 0.9, budgetAtEnd: 0.95 },
        { sloId: 'c', budgetAtStart: null, budgetAtEnd: 0.5 },
      ],
    });
    expect(f.slos.map((s) => s.consumed)).toEqual([expect.closeTo(0.055, 12), 0, null]);
    expect([f.toDetectSeconds, f.toAcknowledgeSeconds, f.toMitigateSeconds, f.toResolveSeconds, f.impactSeconds]).toEqual([1620, 240, 1800, 3600, 3420]);
    expect([formatBudget(f.slos[0]!.consumed), formatSpan(f.toDetectSeconds), formatSpan(f.toResolveSeconds), formatSpan(null)]).toEqual(['5.5%', '27m', '1h', null]);
  });

  it('reads the burn rate of the shortest window', () => {
    expect(shortestWindowBurnRate({ '1h': 20, '5m': 0.4, '30m': 7 }, parseDuration)).toBe(0.4);
    expect(shortestWindowBurnRate({ '1h': 20, '5m': null }, parseDuration)).toBeNull();
    expect(shortestWindowBurnRate({}, parseDuration)).toBeNull();
  });
});

describe('incident progress in a cycle', () => {
  const at = new Date('2026-11-24T15:00:00Z');
  const open = { id: 1, status: 'investigating' as const, detectedAt: new Date('2026-11-24T14:30:00Z'), sloIds: ['a', 'b'] };
  const reading = (shortestBurnRate: number | null, budgetRemaining = 0.7) => ({ budgetRemaining, shortestBurnRate, shortestWindow: '5m' });

  it('is mitigated when every affected SLO\'s shortest window burns below 1x, though a slower page tier may still fire', () => {
    const [p] = incidentProgress([open], new Map([['a', reading(0.2, 0.74)], ['b', reading(0.9, 0.6)]]), at);
    expect(p!.mitigated).toEqual({ at, reason: 'the burn stopped: the shortest-window burn rate is below 1x (a 5m 0.2x, b 5m 0.9x)' });
    expect(p!.budgets).toEqual([{ sloId: 'a', budgetAtEnd: 0.74 }, { sloId: 'b', budgetAtEnd: 0.6 }]);
  });

  it('is not mitigated while one SLO still burns, when a rate is unknown, before the page, or twice', () => {
    expect(incidentProgress([open], new Map([['a', reading(0.2)], ['b', reading(1.5)]]), at)[0]!.mitigated).toBeNull();
    expect(incidentProgress([open], new Map([['a', reading(0.2)], ['b', reading(null)]]), at)[0]!.mitigated).toBeNull();
    expect(incidentProgress([open], new Map([['a', reading(0.2)]]), new Date('2026-11-24T14:00:00Z'))[0]!.mitigated).toBeNull();
    expect(incidentProgress([{ ...open, status: 'mitigated' }], new Map([['a', reading(0.2)]]), at)[0]!.mitigated).toBeNull();
    expect(incidentProgress([open], new Map(), at)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { SloEvaluation } from '../../domain/evaluation.ts';
import { budgetBar, renderCheckTable } from './check-table.ts';

const base: SloEvaluation = {
  id: 'ranker/latency',
  objective: 99,
  window: '28d',
  status: 'ok',
  evaluatedAt: '2026-11-20T10:00:00.000Z',
  sli: 0.995,
  errorBudgetRemaining: 0.5,
  timeToExhaustionSeconds: null,
  burnRates: { '5m': 0.5, '1h': 1 / 3, '28d': 0.5 },
  tiers: [{ severity: 'page', long: '1h', short: '5m', factor: 13.44, longBurnRate: 1 / 3, shortBurnRate: 0.5, firing: false }],
  events: { bad: 5, total: 1000 },
};

describe('check table', () => {
  it('draws the remaining budget as a bar, empty when overspent, ? when unknown', () => {
    expect(budgetBar(0.5)).toBe('[█████░░░░░]   50.0%');
    expect(budgetBar(-0.25)).toBe('[░░░░░░░░░░]  -25.0%');
    expect(budgetBar(null)).toBe('[??????????]       ?');
  });

  it('lines up windows in time order, lists firing tiers, and explains unknown SLOs below', () => {
    const unknown: SloEvaluation = {
      ...base,
      id: 'ranker/freshness',
      status: 'unknown',
      sli: null,
      errorBudgetRemaining: null,
      burnRates: { '5m': null, '1h': null, '28d': null },
      error: 'prom: cannot reach http://prom:9090',
    };
    const paging: SloEvaluation = { ...base, id: 'ranker/availability', status: 'page', burnRates: { '5m': 20, '1h': 16.123, '28d': 0.5 } };
    paging.tiers = [{ ...base.tiers[0]!, longBurnRate: 16.123, shortBurnRate: 20, firing: true }];
    const text = renderCheckTable(new Date('2026-11-20T10:00:00Z'), [base, paging, unknown]);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^SLO\s+STATUS\s+SLI\s+BUDGET\s+5m\s+1h\s+28d\s+FIRING$/);
    expect(lines[2]).toMatch(/^ranker\/latency\s+ok\s+99\.5000%\s+\[█████░░░░░\]\s+50\.0%\s+0\.5\s+0\.333\s+0\.5\s+-$/);
    expect(lines[3]).toMatch(/^ranker\/availability\s+page\s+.*\s20\s+16\.1\s+0\.5\s+page 1h\/5m$/);
    expect(lines[4]).toMatch(/^ranker\/freshness\s+unknown\s+\?\s+\[\?{10}\]\s+\?\s+\?\s+\?\s+\?\s+-$/);
    expect(text).toContain('ranker/freshness (unknown): prom: cannot reach http://prom:9090');
  });
});

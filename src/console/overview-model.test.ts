import { describe, expect, it } from 'vitest';
import { makeSlo } from '../../test/fixtures/slo.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import { buildOverview } from './overview-model.ts';

const indicator = { kind: 'ratio', bad: { source: 'prometheus', language: 'promql', text: 'x' }, total: { source: 'prometheus', language: 'promql', text: 'y' } } as never;
const now = new Date('2026-11-27T03:00:00Z');
const evaluation = (sloId: string): StoredEvaluation => ({
  sloId,
  evaluatedAt: now,
  status: 'ok',
  objective: 99,
  sli: 0.999,
  budgetRemaining: 0.9,
  timeToExhaustionSeconds: null,
  burnRates: {},
  tiers: [],
  events: { bad: 1, total: 1000 },
  error: null,
});

describe('the overview', () => {
  it('shows an SLO with no stored evaluation as "no data", never ok, and worse than an ok one', () => {
    const healthy = { ...makeSlo({ id: 'product-search/availability', indicator }), owner: 'search' };
    const late = { ...makeSlo({ id: 'late-service/checkout', indicator }), owner: 'search' };
    const o = buildOverview([healthy, late], new Map([[healthy.id, evaluation(healthy.id)]]), now, {});
    const rows = o.groups.flatMap((g) => g.services.flatMap((s) => s.rows));
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['late-service/checkout', 'nodata'],
      ['product-search/availability', 'ok'],
    ]);
    expect(o.counts.find((c) => c.status === 'nodata')?.count).toBe(1);
  });
});

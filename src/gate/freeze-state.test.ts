import { describe, expect, it } from 'vitest';
import { makeSlo } from '../../test/fixtures/slo.ts';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { StoredFreeze } from '../store/repositories/budget-freezes.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import { freezeChanges, freezeTargets, gateFreezes } from './freeze-state.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const slo = makeSlo({ id: 'ranker/availability', indicator: { kind: 'ratio', total: { source: 'prom', language: 'promql', text: 'x' } } });
const policy: BudgetPolicy = { name: 'freeze', slos: [slo.id], services: [], freezeBelow: 0.1, allowFixes: true, override: { approvers: [], maxSeconds: 86_400 }, origin: { file: 'p.yaml', line: 1 } };
const evaluation = (budget: number | null, status: StoredEvaluation['status'] = 'ok'): Map<string, StoredEvaluation> =>
  new Map([[slo.id, { sloId: slo.id, evaluatedAt: NOW, status, objective: 99.9, sli: null, budgetRemaining: budget, timeToExhaustionSeconds: null, burnRates: {}, tiers: [], events: null, error: null }]]);
const open: StoredFreeze = { id: 'f1', policy: 'freeze', sloId: slo.id, startedAt: new Date('2026-12-01T08:00:00Z'), startBudget: 0.05, endedAt: null, endBudget: null, threshold: 0.1 };
const fresh = () => true;
const targets = freezeTargets([policy], [slo]);

describe('freeze changes', () => {
  it('starts at or below the threshold and ends above it', () => {
    expect(freezeChanges(targets, evaluation(0.1), [], fresh).map((c) => c.kind)).toEqual(['start']);
    expect(freezeChanges(targets, evaluation(0.05), [open], fresh)).toEqual([]);
    expect(freezeChanges(targets, evaluation(0.2), [open], fresh).map((c) => c.kind)).toEqual(['end']);
  });

  it('neither starts nor ends on an unknown, budgetless or stale evaluation', () => {
    expect(freezeChanges(targets, evaluation(0.01, 'unknown'), [], fresh)).toEqual([]);
    expect(freezeChanges(targets, evaluation(null), [open], fresh)).toEqual([]);
    expect(freezeChanges(targets, evaluation(0.9), [open], () => false)).toEqual([]);
    // ...and the gate keeps the stored freeze while it cannot tell.
    expect(gateFreezes(targets, evaluation(0.9), [open], [], () => false).get(slo.id)).toMatchObject({ policy: 'freeze', since: open.startedAt });
  });

  it('ends a freeze whose policy is gone', () => {
    expect(freezeChanges([], evaluation(0.01), [open], fresh)).toMatchObject([{ kind: 'end', target: undefined }]);
  });
});

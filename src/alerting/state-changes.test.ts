import { describe, expect, it } from 'vitest';
import { makeSlo } from '../../test/fixtures/slo.ts';
import { computeEvaluation } from '../evaluator/compute-evaluation.ts';
import { isPristine, sloStateUnchanged } from './state-changes.ts';
import { advanceAlerts } from './state-machine.ts';

const slo = makeSlo({ id: 'recs/ranker', indicator: { kind: 'ratio', bad: { source: 'prom', language: 'promql', text: 'bad' }, total: { source: 'prom', language: 'promql', text: 'total' } } });
const windows = [300, 1800, 3600, 7200, 21_600, 86_400, 259_200, 2_592_000];
const evaluate = (errorRatio: number, minute: number) =>
  computeEvaluation(slo, new Date(Date.UTC(2026, 11, 3, 12, minute)), new Map(windows.map((w) => [w, { bad: errorRatio * 1e6, total: 1e6 }])));

describe('which alert state a cycle writes', () => {
  it('a healthy SLO stays pristine and is not written; a page, its resolution and an unknown streak are', () => {
    const first = advanceAlerts({ version: 1, slos: {} }, [evaluate(0.0001, 0)]);
    expect(isPristine(first.state.slos['recs/ranker']!)).toBe(true);
    expect(sloStateUnchanged(undefined, first.state.slos['recs/ranker']!)).toBe(true);

    const burning = advanceAlerts(first.state, [evaluate(0.5, 1)]);
    expect(burning.transitions.length).toBeGreaterThan(0);
    expect(sloStateUnchanged(first.state.slos['recs/ranker'], burning.state.slos['recs/ranker']!)).toBe(false);
    expect(sloStateUnchanged(undefined, burning.state.slos['recs/ranker']!)).toBe(false);

    const still = advanceAlerts(burning.state, [evaluate(0.5, 2)]);
    expect(sloStateUnchanged(burning.state.slos['recs/ranker'], still.state.slos['recs/ranker']!)).toBe(true);

    const resolved = advanceAlerts(still.state, [evaluate(0, 3)]);
    expect(sloStateUnchanged(still.state.slos['recs/ranker'], resolved.state.slos['recs/ranker']!)).toBe(false);
    // Resolved is not pristine: the episode's times are kept.
    expect(isPristine(resolved.state.slos['recs/ranker']!)).toBe(false);

    const unknown = advanceAlerts(first.state, [computeEvaluation(slo, new Date(Date.UTC(2026, 11, 3, 12, 4)), new Map(), ['prom: cannot reach'])]);
    expect(sloStateUnchanged(first.state.slos['recs/ranker'], unknown.state.slos['recs/ranker']!)).toBe(false);
  });
});

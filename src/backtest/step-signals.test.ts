import { describe, expect, it } from 'vitest';
import { computeEvaluation, windowsOf } from '../evaluator/index.ts';
import { makeSlo } from '../generate/__fixtures__/slos.ts';
import type { SloHistory } from './history.ts';
import { signalReader } from './step-signals.ts';

const prom = (text: string) => ({ source: 'prometheus', language: 'promql' as const, text });

describe('step signals (the backtest fast path)', () => {
  it('agree with computeEvaluation at every step: status, each tier, budget, shortest burn rate', () => {
    const slo = makeSlo('shop/checkout', { kind: 'ratio', bad: prom('b'), total: prom('t') }, { minEvents: 40 });
    const windows = windowsOf(slo);
    const points = 5000;
    // Deterministic noise: bursts of errors, gaps (NaN), zero traffic, bad above total and below 0.
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const history: SloHistory = { slo, grid: { start: 1_800_000_000, step: 60, points }, windows: new Map(), problems: [] };
    for (const w of windows) {
      const bad = new Float64Array(points);
      const total = new Float64Array(points);
      for (let i = 0; i < points; i++) {
        const r = rand();
        total[i] = r < 0.03 ? Number.NaN : r < 0.06 ? 0 : r < 0.2 ? 30 * rand() : (w / 60) * 100 * rand();
        const burst = Math.floor(i / 300) % 3 === 0 ? 0.2 : 0.0005;
        bad[i] = r > 0.98 ? total[i]! * 1.5 : r > 0.96 ? -1 : r > 0.95 ? Number.NaN : total[i]! * burst * rand() * 2;
      }
      history.windows.set(w, { bad, total });
    }
    const reader = signalReader(slo, history, windows);
    const seen = new Set<string>();
    for (let i = 0; i < points; i++) {
      const fast = reader.at(i);
      const counts = new Map<number, { bad: number; total: number }>();
      for (const w of windows) {
        const s = history.windows.get(w)!;
        if (Number.isFinite(s.bad[i]) && Number.isFinite(s.total[i])) counts.set(w, { bad: Math.min(Math.max(s.bad[i]!, 0), s.total[i]!), total: s.total[i]! });
      }
      const full = computeEvaluation(slo, new Date(), counts);
      expect({ i, status: fast.status, firing: [...fast.firing].map(Boolean), remaining: fast.remaining, shortBurn: fast.shortBurn }).toEqual({
        i,
        status: full.status,
        firing: full.tiers.map((t) => t.firing),
        remaining: full.errorBudgetRemaining,
        shortBurn: full.burnRates['5m'],
      });
      seen.add(full.status);
      if (full.tiers.some((t) => t.suppressed)) seen.add('suppressed');
    }
    // The noise reaches every case.
    expect([...seen].sort()).toEqual(['ok', 'page', 'suppressed', 'ticket', 'unknown']);
  });
});

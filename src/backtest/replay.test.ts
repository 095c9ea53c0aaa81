import { describe, expect, it } from 'vitest';
import { detectionTime } from '../domain/burn-math.ts';
import { windowsOf } from '../evaluator/index.ts';
import { makeSlo } from '../generate/__fixtures__/slos.ts';
import { comparePolicies } from './compare.ts';
import { type Grid, gridOf, type SloHistory } from './history.ts';
import { scoreIncidents } from './incidents.ts';
import { withPolicy } from './policy.ts';
import { renderBacktestHtml } from './render-html.ts';
import { renderBacktestText } from './render-text.ts';
import { replay } from './replay.ts';

const slo = makeSlo('shop/checkout', {
  kind: 'ratio',
  bad: { source: 'prometheus', language: 'promql', text: 'sum(increase(errors_total[$window]))' },
  total: { source: 'prometheus', language: 'promql', text: 'sum(increase(requests_total[$window]))' },
}, { window: '30d' });

const T0 = Date.parse('2026-11-10T06:00:00Z') / 1000;
const PER_MINUTE = 1000;

/** Closed-form history: 1000 events a minute, every one bad between `from` and `to` (Unix seconds). */
function stepHistory(grid: Grid, outages: Array<[number, number]>, s = slo): SloHistory {
  const windows = new Map<number, { bad: Float64Array; total: Float64Array }>();
  for (const w of windowsOf(s)) {
    const bad = new Float64Array(grid.points);
    const total = new Float64Array(grid.points);
    for (let i = 0; i < grid.points; i++) {
      const t = grid.start + i * grid.step;
      const overlap = outages.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(t, b) - Math.max(t - w, a)), 0);
      bad[i] = (overlap / 60) * PER_MINUTE;
      total[i] = (w / 60) * PER_MINUTE;
    }
    windows.set(w, { bad, total });
  }
  return { slo: s, grid, windows, problems: [] };
}

const grid = gridOf(new Date((T0 - 3600) * 1000), new Date((T0 + 6 * 3600) * 1000), 60);
const outage: [number, number] = [T0, T0 + 600];
const iso = (t: number) => new Date(t * 1000).toISOString();

describe('replay', () => {
  const result = replay(stepHistory(grid, [outage]));

  it('fires the page tier within one step of the workbook detection time, and pages once per tier', () => {
    const page = result.firings.find((f) => f.tier === 'page-1h-5m')!;
    // 100 % errors at 99.9 %: B/e × L × b = 51.8 s, so the first one-minute step after the start.
    expect(detectionTime(1, 0.999, 3600, 14.4)).toBeCloseTo(51.84, 2);
    expect(page.start).toBe(iso(T0 + 60));
    expect(page.notifiedAt).toBe(page.start);
    expect(page.detectionDelaySeconds).toBe(0);
    // The 5m window drops below 14.4× five minutes after the errors stop.
    expect(page.end).toBe(iso(outage[1] + 300));
    expect(result.firings.find((f) => f.tier === 'page-6h-30m')).toMatchObject({ start: iso(T0 + 180), end: iso(outage[1] + 1800) });
  });

  it('holds ticket tiers back while a page fires and sends them when the pages resolve', () => {
    const ticket = result.firings.find((f) => f.tier === 'ticket-1d-2h')!;
    expect(ticket.start).toBe(iso(T0 + 300));
    expect(ticket.notifiedAt).toBe(iso(outage[1] + 1800));
    expect(result.pagesPerWeek * (result.stepSeconds * (grid.points - 1)) / 604_800).toBeCloseTo(2, 9);
  });

  it('reports the budget a firing had already spent, and the budget at the end', () => {
    // Ten minutes of total outage = 10,000 bad events of a 30d budget of 43,200.
    expect(result.finalBudgetRemaining).toBeCloseTo(1 - 10_000 / 43_200, 9);
    const page6h = result.firings.find((f) => f.tier === 'page-6h-30m')!;
    expect(page6h.budgetSpent).toBeCloseTo(3000 / 43_200, 9);
    expect(result.budgetExhaustedSeconds).toBe(0);
    expect(result.budget.at(-1)?.[1]).toBeCloseTo(1 - 10_000 / 43_200, 9);
  });

  it('counts time with the budget exhausted', () => {
    const long = replay(stepHistory(grid, [[T0, T0 + 50 * 60]]));
    // 43.2 minutes of outage exhaust the budget; it stays exhausted until the end.
    const exhaustedAt = T0 + 43.2 * 60;
    const end = grid.start + (grid.points - 1) * 60;
    expect(long.budgetExhaustedSeconds).toBe(Math.floor((end - exhaustedAt) / 60 + 1) * 60);
    expect(long.finalBudgetRemaining).toBeLessThan(0);
  });

  it('treats missing data as unknown, not as good', () => {
    const history = stepHistory(grid, [outage]);
    const gap = history.windows.get(300)!;
    for (let i = 0; i < 30; i++) gap.total[i] = Number.NaN;
    const r = replay(history);
    expect(r.unknownSeconds).toBe(30 * 60);
  });

  it('compares two policies and scores them against known incidents', () => {
    const lenient = withPolicy(slo, { name: 'lenient', tiers: [{ severity: 'page', budgetPercent: 50, long: '6h', short: '30m' }] });
    const strict = replay(stepHistory(grid, [outage, [T0 + 3 * 3600, T0 + 3 * 3600 + 120]]));
    const loose = replay(stepHistory(grid, [outage, [T0 + 3 * 3600, T0 + 3 * 3600 + 120]], lenient));
    const [diff] = comparePolicies([strict], [loose]);
    expect(diff!.pagesB).toBe(0);
    expect(diff!.onlyA.map((f) => `${f.tier} ${f.start}`)).toEqual([
      `page-1h-5m ${iso(T0 + 60)}`,
      `page-6h-30m ${iso(T0 + 180)}`,
      `page-1h-5m ${iso(T0 + 3 * 3600 + 60)}`,
      `page-6h-30m ${iso(T0 + 3 * 3600 + 60)}`,
    ]);

    const score = scoreIncidents([strict], [
      { slo: 'shop/checkout', start: iso(T0), end: iso(T0 + 600), title: 'bad deploy' },
      { slo: 'shop/checkout', start: iso(T0 - 3000), end: iso(T0 - 2400), title: 'a slow outage nobody measured' },
      { slo: 'other/slo', start: iso(T0), end: iso(T0 + 60) },
    ]);
    expect(score.recall).toBe(0.5);
    expect(score.incidents[0]).toMatchObject({ detected: true, delaySeconds: 60 });
    // The two-minute blip pages but is no known incident.
    expect(score.precision).toBeLessThan(1);
    expect(score.ignored).toHaveLength(1);

    const report = { result: { from: strict.from, to: strict.to, stepSeconds: 60, policies: [{ policy: { name: 'A', tiers: null }, results: [strict] }, { policy: { name: 'lenient', tiers: null }, results: [loose] }], skipped: [] }, compare: [diff!], incidents: [score] };
    const text = renderBacktestText(report);
    expect(text).toMatch(/page 1h\/5m\s+2026-11-10 06:01 → 2026-11-10 06:15 \(14m\)/);
    expect(text).toMatch(/only A: page 1h\/5m 2026-11-10 09:01/);
    expect(text).toMatch(/recall 50\.0%/);
    const html = renderBacktestHtml(report);
    expect(html).toMatch(/<svg [^>]*aria-label="error budget remaining of shop\/checkout"/);
    expect(html).toMatch(/<path d="M[\d.]+,[\d.]+L/);
  });
});

describe('replay fast path', () => {
  it('gives the same result as the full evaluation and state machine at every step', () => {
    // Deterministic noise: bursts of errors, and windows whose answers come and go in streaks of
    // one to six steps (coarse samples), so steps cross no-data and back, with tiers firing.
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const noisy = (s: typeof slo, points: number): SloHistory => {
      const g: Grid = { start: T0, step: 60, points };
      const windows = new Map<number, { bad: Float64Array; total: Float64Array }>();
      for (const w of windowsOf(s)) {
        const bad = new Float64Array(points);
        const total = new Float64Array(points);
        let gapLeft = 0;
        for (let i = 0; i < points; i++) {
          if (gapLeft === 0 && rand() < (w === 300 ? 0.15 : 0.01)) gapLeft = 1 + Math.floor(rand() * 6);
          const gap = gapLeft > 0;
          if (gap) gapLeft--;
          const burst = Math.floor(i / 400) % 4 === 0 ? 0.05 : 0.0002;
          total[i] = gap ? Number.NaN : (w / 60) * PER_MINUTE * (0.5 + rand());
          bad[i] = gap ? Number.NaN : total[i]! * burst * rand() * 2;
        }
        windows.set(w, { bad, total });
      }
      return { slo: s, grid: g, windows, problems: [] };
    };
    const lenient = withPolicy(slo, { name: 'lenient', tiers: [{ severity: 'page', budgetPercent: 5, long: '6h', short: '30m' }, { severity: 'ticket', budgetPercent: 10, long: '1d', short: '2h' }] });
    for (const s of [slo, lenient]) {
      const history = noisy(s, 6000);
      const fast = replay(history);
      const full = replay(history, { evaluateEveryStep: true });
      expect(fast).toEqual(full);
      // The noise reaches the cases the fast path decides: firings, resolutions, unknown steps,
      // and tiers that fire while another window is unanswered.
      expect(full.firings.filter((f) => f.end !== null).length).toBeGreaterThan(2);
      expect(full.unknownSeconds).toBeGreaterThan(0);
      const unanswered = (f: { start: string }) => [...history.windows.values()].some((w) => Number.isNaN(w.total[(Date.parse(f.start) / 1000 - T0) / 60]!));
      expect(full.firings.some(unanswered)).toBe(true);
    }
  });
});

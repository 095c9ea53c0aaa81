// From bad/total counts to the report's figures. Pure; null in, null out.
import { budgetRemaining } from '../domain/burn-math.ts';
import type { WindowCounts } from '../domain/evaluation.ts';
import type { RollingFigures, SloFigures, WeekFigures } from './report-data.ts';

// Attainments are ratios of integers; compare with a tolerance so 0.999 meets 99.9 %.
const EPSILON = 1e-12;

export function sloFigures(counts: WindowCounts | null, objective: number): SloFigures {
  if (!counts || !(counts.total > 0)) return { attainment: null, met: null, bad: counts?.bad ?? null, total: counts?.total ?? null };
  const attainment = 1 - counts.bad / counts.total;
  return { attainment, met: attainment >= objective - EPSILON, bad: counts.bad, total: counts.total };
}

/** Budget share a number of bad events used: bad / (B × total over the rolling window). */
export function budgetShare(bad: number | null | undefined, rolling: WindowCounts | null, objective: number): number | null {
  if (bad === null || bad === undefined || !rolling || !(rolling.total > 0)) return null;
  return bad / ((1 - objective) * rolling.total);
}

export function weekFigures(week: WindowCounts | null, rolling: WindowCounts | null, objective: number): WeekFigures {
  return { ...sloFigures(week, objective), budgetConsumed: budgetShare(week?.bad, rolling, objective) };
}

export function rollingFigures(rolling: WindowCounts | null, objective: number): RollingFigures {
  const figures = sloFigures(rolling, objective);
  return {
    ...figures,
    budgetRemaining: figures.attainment === null ? null : budgetRemaining(1 - figures.attainment, objective),
  };
}

export function difference(now: number | null, before: number | null): number | null {
  return now === null || before === null ? null : now - before;
}

export function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = Math.floor(known.length / 2);
  return known.length % 2 ? (known[mid] as number) : ((known[mid - 1] as number) + (known[mid] as number)) / 2;
}

export function secondsBetween(from: string, to: string | null): number | null {
  return to === null ? null : (Date.parse(to) - Date.parse(from)) / 1000;
}

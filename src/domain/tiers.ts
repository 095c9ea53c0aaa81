// Multi-window, multi-burn-rate tiers (Google SRE Workbook, ch. 5).
import { formatDuration } from './duration.ts';
import type { Severity } from './slo.ts';

export interface Tier {
  severity: Severity;
  /** Percent of the period's budget spent within `long` that fires the tier. */
  budgetPercent: number;
  long: string;
  short: string;
  longSeconds: number;
  shortSeconds: number;
  /** Burn-rate threshold both windows must exceed. */
  factor: number;
  /** Extra labels / annotations on this tier's alert (e.g. Sloth's page_alert.labels). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * factor = X/100 × P / L. The order of operations matters: it reproduces Sloth's
 * numbers exactly (14.4, 6, 3, 1 at 30d; 13.44, 5.6, 2.8, 0.9333… at 28d).
 */
export function burnFactor(budgetPercent: number, periodSeconds: number, longSeconds: number): number {
  return ((budgetPercent / 100) * periodSeconds) / longSeconds;
}

// A fleet of 100 000 SLOs on the default tiers would otherwise hold 400 000 copies of four
// tiers (half its SLOs' memory): a tier without labels is made once per distinct set of numbers
// and shared, frozen, by every SLO that has it.
const madeTiers = new Map<string, Tier>();
/** Each shared tier's number, which names it in the key of a shared list. */
const tierNumbers = new WeakMap<Tier, number>();

export function makeTier(
  severity: Severity,
  budgetPercent: number,
  longSeconds: number,
  shortSeconds: number,
  periodSeconds: number,
): Tier {
  const key = `${severity}|${budgetPercent}|${longSeconds}|${shortSeconds}|${periodSeconds}`;
  let tier = madeTiers.get(key);
  if (!tier) {
    tier = Object.freeze({
      severity,
      budgetPercent,
      long: formatDuration(longSeconds),
      short: formatDuration(shortSeconds),
      longSeconds,
      shortSeconds,
      factor: burnFactor(budgetPercent, periodSeconds, longSeconds),
    });
    madeTiers.set(key, tier);
    tierNumbers.set(tier, madeTiers.size);
  }
  return tier;
}

/** Page 2 % in 1h (5m), page 5 % in 6h (30m), ticket 10 % in 1d (2h), ticket 10 % in 3d (6h). */
export const DEFAULT_TIERS: ReadonlyArray<{ severity: Severity; budgetPercent: number; longSeconds: number; shortSeconds: number }> = [
  { severity: 'page', budgetPercent: 2, longSeconds: 3600, shortSeconds: 300 },
  { severity: 'page', budgetPercent: 5, longSeconds: 21_600, shortSeconds: 1800 },
  { severity: 'ticket', budgetPercent: 10, longSeconds: 86_400, shortSeconds: 7200 },
  { severity: 'ticket', budgetPercent: 10, longSeconds: 259_200, shortSeconds: 21_600 },
];

export function defaultTiers(periodSeconds: number): Tier[] {
  return DEFAULT_TIERS.map((t) => makeTier(t.severity, t.budgetPercent, t.longSeconds, t.shortSeconds, periodSeconds));
}

const sharedLists = new Map<string, readonly Tier[]>();

/**
 * One frozen list per distinct list of tiers: SLOs with the same tiers (most of a fleet) share it.
 * Tiers with labels or annotations are an SLO's own and keep the list its own.
 */
export function sharedTierList(tiers: readonly Tier[]): readonly Tier[] {
  if (tiers.some((t) => !tierNumbers.has(t))) return tiers;
  const key = tiers.map((t) => tierNumbers.get(t)).join(',');
  let list = sharedLists.get(key);
  if (!list) {
    list = Object.freeze([...tiers]);
    sharedLists.set(key, list);
  }
  return list;
}

/** Every distinct window (long and short) a set of tiers needs, ascending. */
export function tierWindows(tiers: readonly Tier[]): number[] {
  return [...new Set(tiers.flatMap((t) => [t.shortSeconds, t.longSeconds]))].sort((a, b) => a - b);
}

export const SEVERITY_RANK: Record<Severity, number> = { ticket: 1, page: 2 };

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

export function makeTier(
  severity: Severity,
  budgetPercent: number,
  longSeconds: number,
  shortSeconds: number,
  periodSeconds: number,
): Tier {
  return {
    severity,
    budgetPercent,
    long: formatDuration(longSeconds),
    short: formatDuration(shortSeconds),
    longSeconds,
    shortSeconds,
    factor: burnFactor(budgetPercent, periodSeconds, longSeconds),
  };
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

/** Every distinct window (long and short) a set of tiers needs, ascending. */
export function tierWindows(tiers: readonly Tier[]): number[] {
  return [...new Set(tiers.flatMap((t) => [t.shortSeconds, t.longSeconds]))].sort((a, b) => a - b);
}

export const SEVERITY_RANK: Record<Severity, number> = { ticket: 1, page: 2 };

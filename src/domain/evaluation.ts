// What one evaluation of one SLO at one instant produces. The `check` JSON, the
// /api/slos endpoint, the alerting state machine and the reports all read this.
import type { Severity } from './slo.ts';

/** Bad and total events (occurrence kinds) or bad and total slices (time-slice kinds) in one window. */
export interface WindowCounts {
  bad: number;
  total: number;
}

export type SloStatus = 'ok' | 'ticket' | 'page' | 'unknown' | 'error';

export interface TierSignal {
  severity: Severity;
  long: string;
  short: string;
  factor: number;
  longBurnRate: number | null;
  shortBurnRate: number | null;
  firing: boolean;
  /** Why a tier that crossed its factor did not fire (e.g. below minEvents). */
  suppressed?: string;
}

export interface SloEvaluation {
  id: string;
  /** Percent as written (99.9), as in the `check` JSON; not the fraction. */
  objective: number;
  window: string;
  status: SloStatus;
  evaluatedAt: string;
  sli: number | null;
  errorBudgetRemaining: number | null;
  /** Seconds until the budget is exhausted at the current 1h burn rate (null: not burning or unknown). */
  timeToExhaustionSeconds: number | null;
  burnRates: Record<string, number | null>;
  tiers: TierSignal[];
  events: WindowCounts | null;
  error?: string;
}

// The figures of an incident, one function over one stored record. The post-mortem, the
// weekly report, the Slack summary, GET /api/incidents and the demo all call
// incidentFigures(): none of them computes a budget or a response time of its own.
//
// Budget consumed is per affected SLO: the SLO's budget remaining (a fraction of its period's
// error budget, from the stored evaluations) at the incident's impact start, minus the same at
// the incident's end (its resolution; while open, the latest evaluation). Each SLO has its own
// figure; nothing is copied from the primary SLO.
import { type IncidentInstants, type ResponseTimes, responseTimes } from '../domain/incident-response-times.ts';

/** One affected SLO of an incident as stored (incident_slos). */
export interface AffectedSloBudget {
  sloId: string;
  /** Budget remaining at the incident's impact start (fraction; negative when overspent). */
  budgetAtStart: number | null;
  /** Budget remaining at the incident's end, or at the latest evaluation while it is open. */
  budgetAtEnd: number | null;
}

/** What the figures are computed from: the incident's instants and its affected SLOs. */
export interface IncidentFigureRecord extends IncidentInstants {
  /** The primary SLO first (the one that paged first). */
  slos: readonly AffectedSloBudget[];
}

export interface SloBudgetFigure extends AffectedSloBudget {
  /** Fraction of the SLO's period budget the incident consumed; null when either end is unknown. */
  consumed: number | null;
}

export interface IncidentFigures extends ResponseTimes {
  slos: SloBudgetFigure[];
}

/** How the post-mortem's Timing table and the API describe "mitigated". */
export const MITIGATED_DEFINITION =
  'mitigated = the first of: a verified remediation succeeded, or the shortest-window burn rate of every affected SLO fell below 1×';

export function budgetConsumed(slo: AffectedSloBudget): number | null {
  if (slo.budgetAtStart === null || slo.budgetAtEnd === null) return null;
  // Budget comes back when old bad events leave the window; an incident never gives budget back.
  return Math.max(0, slo.budgetAtStart - slo.budgetAtEnd);
}

export function incidentFigures(record: IncidentFigureRecord): IncidentFigures {
  return {
    ...responseTimes(record),
    slos: record.slos.map((s) => ({ sloId: s.sloId, budgetAtStart: s.budgetAtStart, budgetAtEnd: s.budgetAtEnd, consumed: budgetConsumed(s) })),
  };
}

/** The figure of one SLO of the incident (null when it is not among the affected ones). */
export function sloFigure(figures: IncidentFigures, sloId: string): SloBudgetFigure | null {
  return figures.slos.find((s) => s.sloId === sloId) ?? null;
}

/** The burn rate of the shortest window an evaluation has (e.g. 5m); null when unknown. */
export function shortestWindowBurnRate(burnRates: Readonly<Record<string, number | null>>, seconds: (window: string) => number): number | null {
  const windows = Object.keys(burnRates).sort((a, b) => seconds(a) - seconds(b));
  const shortest = windows[0];
  if (shortest === undefined) return null;
  const rate = burnRates[shortest];
  return typeof rate === 'number' && Number.isFinite(rate) ? rate : null;
}

// One way to write the figures, so that every output shows the same text for the same value.

/** Percent of the period's budget, two decimals at most: 0.02834 → 2.83. */
export function budgetPercent(fraction: number): number {
  return Math.round(fraction * 10_000) / 100;
}

/** "2.83%", or null when unknown. */
export function formatBudget(fraction: number | null): string | null {
  return fraction === null ? null : `${budgetPercent(fraction)}%`;
}

/** A response time as the post-mortem, the report and Slack write it: at most two units, "26m 57s". */
export function formatSpan(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds)) return null;
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size || (parts.length === 0 && size === 1)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

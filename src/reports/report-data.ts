// The weekly reliability report as data: the contract between the data layer
// (store, sources) that fills it and the renderers (Markdown, HTML, Slack, charts)
// that draw it. Every figure is a plain number or null; null always means "not
// known" (no data, source did not answer), never zero.
import type { Severity } from '../domain/slo.ts';

/** A half-open interval [start, end) with a label ("2026-W47", or "2026-11-16..2026-11-23"). */
export interface ReportPeriod {
  label: string;
  start: string;
  end: string;
}

export interface ReportData {
  title: string;
  generatedAt: string;
  period: ReportPeriod;
  /** The period of equal length just before `period`, for "change from the previous week". */
  previous: ReportPeriod;
  teams: TeamReport[];
  /** Whether the store recorded each kind of activity; when not, its counts are not known (not zero). */
  recorded: Recorded;
  /** Facts a reader should know about how the figures were obtained (backfill, unknown sources). */
  notes: string[];
}

export interface Recorded {
  alerts: boolean;
  incidents: boolean;
  remediations: boolean;
}

export interface TeamReport {
  /** The SLO owner; "unowned" when the SLO names none. */
  team: string;
  /** Slack channel the team's report is posted to; null when none is configured. */
  channel: string | null;
  totals: TeamTotals;
  services: ServiceReport[];
  /** The team's SLOs with the least budget left at the end of the period, lowest first. */
  closestToExhaustion: AtRiskSlo[];
}

export interface TeamTotals {
  slos: number;
  /** SLOs whose rolling-window attainment met the objective at the end of the period. */
  meetingObjective: number;
  unknown: number;
  pages: number;
  tickets: number;
  incidents: number;
  remediations: number;
  previous: { meetingObjective: number; pages: number; tickets: number; incidents: number; remediations: number };
}

export interface ServiceReport {
  service: string;
  slos: SloReport[];
  alerts: AlertSummary;
  incidents: IncidentSummary;
  remediations: RemediationSummary;
  /** Deploy freezes of the error-budget policy that overlap the period (src/reports/freeze-summary.ts). */
  freezes?: FreezeEntry[];
}

export interface FreezeEntry {
  policy: string;
  sloId: string;
  startedAt: string;
  endedAt: string | null;
  /** How long it was frozen within the period. */
  frozenSeconds: number;
}

/** Where an SLO's figures came from. */
export type FigureOrigin = 'store' | 'backfill' | 'unknown';

export interface SloFigures {
  /** good / total over the interval (events, or slices for time-slice kinds). */
  attainment: number | null;
  /** attainment ≥ objective. */
  met: boolean | null;
  bad: number | null;
  total: number | null;
}

export interface WeekFigures extends SloFigures {
  /** Share of the rolling window's error budget that the bad events of this period used: bad / (B × total(P)). */
  budgetConsumed: number | null;
}

export interface RollingFigures extends SloFigures {
  /** 1 − e(P)/B at the end of the period; negative when overspent. */
  budgetRemaining: number | null;
}

export interface BurnDownPoint {
  at: string;
  budgetRemaining: number | null;
}

export interface SloReport {
  id: string;
  name: string;
  service: string;
  team: string;
  kind: string;
  objective: number;
  window: string;
  week: WeekFigures;
  rolling: RollingFigures;
  previousWeek: WeekFigures;
  previousRolling: RollingFigures;
  /** This period minus the previous one; null when either side is unknown. */
  change: { attainment: number | null; budgetRemaining: number | null; budgetConsumed: number | null };
  /** Budget remaining over the rolling window, sampled across the period (start to end inclusive). */
  burnDown: BurnDownPoint[];
  origin: FigureOrigin;
}

export interface AtRiskSlo {
  id: string;
  budgetRemaining: number;
  /** Budget consumed this period; with the remaining budget it says how close exhaustion is. */
  budgetConsumed: number | null;
  /** Weeks left at this period's consumption rate; null when nothing was consumed or unknown. */
  weeksToExhaustion: number | null;
}

export interface AlertSummary {
  pages: number;
  tickets: number;
  /** Alerts followed by an incident on the same SLO (or service); the rest are noise. */
  followedByIncident: number;
  /** Share of alerts not followed by an incident; null when there were no alerts. */
  noiseRatio: number | null;
  previous: { pages: number; tickets: number };
  alerts: AlertEntry[];
}

export interface AlertEntry {
  sloId: string;
  severity: Severity;
  firedAt: string;
  resolvedAt: string | null;
  followedByIncident: boolean;
}

export interface IncidentSummary {
  count: number;
  previousCount: number;
  /** Medians over the period's incidents that reached each stage; null when none did. */
  medianTimeToAckSeconds: number | null;
  medianTimeToMitigateSeconds: number | null;
  medianTimeToResolveSeconds: number | null;
  incidents: IncidentEntry[];
}

export interface IncidentEntry {
  id: string;
  title: string;
  sloId: string | null;
  openedAt: string;
  /** From the first page to the acknowledgement (src/domain/incident-response-times.ts). */
  timeToAckSeconds: number | null;
  /** From the first page to mitigation and to resolution. */
  timeToMitigateSeconds: number | null;
  timeToResolveSeconds: number | null;
  /** Share of the SLO's rolling error budget spent from the start to the resolution (or period end). */
  budgetConsumed: number | null;
}

export type RemediationKind = 'rollback' | 'rerun';

export interface RemediationSummary {
  rollbacks: number;
  reruns: number;
  succeeded: number;
  failed: number;
  previousCount: number;
  medianPageToRemediationSeconds: number | null;
  remediations: RemediationEntry[];
}

export interface RemediationEntry {
  id: string;
  kind: RemediationKind;
  sloId: string | null;
  target: string;
  requestedAt: string;
  completedAt: string | null;
  outcome: 'succeeded' | 'failed' | 'pending';
  /** From the last page on the same SLO (or service) before the request to the completion. */
  pageToRemediationSeconds: number | null;
}

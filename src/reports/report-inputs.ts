// What the pure report builder needs, in the neutral shapes the data layer produces
// from the store and the sources. Records cover the previous period and the report
// period together, so that the builder can compute the change between them.
import type { WindowCounts } from '../domain/evaluation.ts';
import type { Severity, Slo } from '../domain/slo.ts';
import type { AffectedSloBudget } from '../lifecycle/incident-figures.ts';
import type { BurnDownPoint, FigureOrigin, Recorded, RemediationKind, ReportPeriod } from './report-data.ts';

export interface SloMeasurements {
  origin: FigureOrigin;
  /** Bad and total over the report period, and over the previous one. */
  week: WindowCounts | null;
  previousWeek: WindowCounts | null;
  /** Bad and total over the SLO's rolling window ending at the period's end, and at the previous period's end. */
  rolling: WindowCounts | null;
  previousRolling: WindowCounts | null;
  burnDown: BurnDownPoint[];
}

export interface AlertRecord {
  sloId: string;
  severity: Severity;
  firedAt: string;
  resolvedAt: string | null;
}

export interface IncidentRecord {
  id: string;
  title: string;
  /** The primary SLO (the one that paged first). */
  sloId: string | null;
  service: string | null;
  /** Every affected SLO with its own budget figures, the primary first (the store's incident_slos). */
  slos?: readonly AffectedSloBudget[];
  openedAt: string;
  /** When the burn began (the incident bot's estimate): the impact start. Default detectedAt. */
  startedAt?: string | null;
  /** The first page: times to acknowledge, mitigate and resolve count from it. Default openedAt. */
  detectedAt?: string | null;
  acknowledgedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
}

export interface RemediationRecord {
  id: string;
  kind: RemediationKind;
  sloId: string | null;
  service: string | null;
  /** What was acted on, e.g. "deployment prod/ranker". */
  target: string;
  requestedAt: string;
  completedAt: string | null;
  outcome: 'succeeded' | 'failed' | 'pending';
}

export interface FreezeRecord {
  policy: string;
  sloId: string;
  startedAt: string;
  endedAt: string | null;
}

export interface ReportInputs {
  title?: string;
  generatedAt: Date;
  period: ReportPeriod;
  previous: ReportPeriod;
  slos: readonly Slo[];
  measurements: ReadonlyMap<string, SloMeasurements>;
  alerts: readonly AlertRecord[];
  incidents: readonly IncidentRecord[];
  remediations: readonly RemediationRecord[];
  /** Deploy freezes (error-budget policy) overlapping the period. */
  freezes?: readonly FreezeRecord[];
  /** Team → Slack channel; overrides the channel of the team's SLOs. */
  teamChannels?: Readonly<Record<string, string>>;
  notes?: readonly string[];
  atRiskLimit?: number;
  /** Which activity the store records (default: all). */
  recorded?: Recorded;
}

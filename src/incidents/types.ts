// The records the Slack bot and the incident lifecycle share. Pure data: the store
// (incident-store.ts, alert-store.ts) maps them to rows; the renderers read them.
import type { TierSignal } from '../domain/evaluation.ts';
import type { Severity } from '../domain/slo.ts';

/** A Slack user as we record them: the id to mention, the name for exports. */
export interface Person {
  id: string;
  name: string;
}

export type AlertState = 'firing' | 'acknowledged' | 'resolved';

/** A change shortly before the burn started (POST /api/events, or a new workload revision). */
export interface SuspectedChange {
  at: Date;
  kind: string;
  subject: string;
  summary: string;
  actor?: string | null;
}

/** The latest figures of a firing SLO, as shown in its alert message. */
export interface AlertSnapshot {
  sloName: string;
  service: string;
  objectivePercent: number;
  window: string;
  runbook?: string | null;
  owner?: string | null;
  evaluatedAt: Date;
  tiers: TierSignal[];
  budgetRemaining: number | null;
  timeToExhaustionSeconds: number | null;
  /** Bad/total events in the period at the last evaluation (for the post-mortem's budget figures). */
  sli: number | null;
  suspectedChange?: SuspectedChange | null;
  /** The tier that fired first in this episode, e.g. "page 1h/5m (14.4x)". */
  firedTier?: string | null;
  /** Estimated start of the burn (ISO-8601), see AlertDesk.burnStart. */
  burnStartedAt?: string | null;
}

/** One firing episode of one SLO at one severity: from firing until resolved. */
export interface AlertRecord {
  id: number;
  sloId: string;
  severity: Severity;
  state: AlertState;
  channel: string;
  firedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: Person | null;
  resolvedAt: Date | null;
  silence: Silence | null;
  incidentId: number | null;
  /** Budget remaining when it fired: the post-mortem's "budget consumed" starts here. */
  budgetAtFiring: number | null;
  snapshot: AlertSnapshot;
}

export interface Silence {
  /** null: until the alert resolves. */
  until: Date | null;
  by: Person;
  at: Date;
}

export type IncidentStatus = 'investigating' | 'mitigated' | 'resolved';
export type IncidentSource = 'alert' | 'auto' | 'command' | 'alertmanager' | 'api';

export interface Incident {
  id: number;
  key: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  source: IncidentSource;
  sloIds: string[];
  alertId: number | null;
  openedAt: Date;
  openedBy: Person | null;
  commander: Person | null;
  /** When the burn began (estimated from the burn rates): the impact start; time to detect runs from it. */
  startedAt: Date;
  /** The first page (or the opening, by hand): times to acknowledge, mitigate and resolve run from it. */
  detectedAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  resolutionSummary: string | null;
  /** The user group invited into the channel (the owner's on-call). */
  usergroup: string | null;
  channelId: string | null;
  channelName: string | null;
  budgetAtStart: number | null;
  budgetAtEnd: number | null;
}

export type TimelineKind = 'alert' | 'click' | 'action' | 'status' | 'note' | 'pin' | 'command';

export interface TimelineEntry {
  at: Date;
  kind: TimelineKind;
  /** null: burnwatch itself. */
  actor: Person | null;
  text: string;
  /** Structured facts of an action (what, on what, with which outcome) for the post-mortem. */
  details?: { action: string; target?: string; outcome?: string } | null;
}

// The standard incident response times, one definition for the post-mortem and the weekly report.
// Two starts, never mixed up:
//   impact start = when the burn started (estimated from the burn rates; users were hurt from then)
//   detection    = the first page (for an incident opened by hand, when it was opened)
// Time to detect runs from the impact start to detection; time to acknowledge, to mitigate and to
// resolve run from detection (what the on-call response controls); the impact lasts from the
// impact start to mitigation (the burn stopped).

export type Instant = Date | string | null | undefined;

export interface IncidentInstants {
  /** When the burn started; default detection. */
  startedAt?: Instant;
  /** The first page; default openedAt. */
  detectedAt?: Instant;
  openedAt: Date | string;
  acknowledgedAt?: Instant;
  mitigatedAt?: Instant;
  resolvedAt?: Instant;
}

export interface ResponseTimes {
  impactStart: Date;
  detection: Date;
  /** impact start → first page */
  toDetectSeconds: number;
  /** first page → first acknowledgement */
  toAcknowledgeSeconds: number | null;
  /** first page → mitigated */
  toMitigateSeconds: number | null;
  /** first page → resolved */
  toResolveSeconds: number | null;
  /** impact start → mitigated: how long users were affected */
  impactSeconds: number | null;
}

const instant = (t: Instant): Date | null => (t === null || t === undefined ? null : new Date(t));
const since = (from: Date, to: Date | null): number | null => (to === null ? null : (to.getTime() - from.getTime()) / 1000);

export function responseTimes(i: IncidentInstants): ResponseTimes {
  const detection = instant(i.detectedAt) ?? new Date(i.openedAt);
  const impactStart = instant(i.startedAt) ?? detection;
  const mitigated = instant(i.mitigatedAt);
  return {
    impactStart,
    detection,
    toDetectSeconds: (detection.getTime() - impactStart.getTime()) / 1000,
    toAcknowledgeSeconds: since(detection, instant(i.acknowledgedAt)),
    toMitigateSeconds: since(detection, mitigated),
    toResolveSeconds: since(detection, instant(i.resolvedAt)),
    impactSeconds: since(impactStart, mitigated),
  };
}

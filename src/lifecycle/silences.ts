// Silences as a mute stage (Alertmanager's model): a silence matches notifications by SLO,
// by service or by labels, from its start until it expires (or, "until resolved", until the
// alert resolves and the silence is lifted). Every notifier's messages pass through isMuted();
// lifecycle events of incidents are never muted.

export interface SilenceRule {
  /** Empty: any SLO. */
  sloId: string;
  service: string | null;
  /** Every label must be equal (an Alertmanager alert's labels; an SLO alert has slo and service). */
  labels: Readonly<Record<string, string>>;
  startsAt: Date;
  /** null: until lifted (the alert resolved). */
  endsAt: Date | null;
}

export interface MuteTarget {
  kind: string;
  sloId: string | null;
  service: string | null;
  labels: Readonly<Record<string, string>>;
}

/** What a silence can mute: alerts of SLOs and external (Alertmanager) alerts, not incident events. */
export function isMutable(kind: string): boolean {
  return kind === 'alert.firing' || kind === 'alert.resolved' || kind.startsWith('external.');
}

export function silenceMatches(rule: SilenceRule, target: MuteTarget): boolean {
  if (rule.sloId && rule.sloId !== target.sloId) return false;
  if (rule.service && rule.service !== target.service) return false;
  return Object.entries(rule.labels).every(([k, v]) => target.labels[k] === v);
}

export function isMuted(rules: readonly SilenceRule[], target: MuteTarget, at: Date): boolean {
  if (!isMutable(target.kind)) return false;
  return rules.some((r) => r.startsAt <= at && (r.endsAt === null || r.endsAt > at) && silenceMatches(r, target));
}

/** The target of an outbox message, from the payloads the cycle and the Alertmanager receiver write. */
export function muteTargetOf(kind: string, payload: Readonly<Record<string, unknown>>): MuteTarget {
  const labels = (typeof payload['labels'] === 'object' && payload['labels'] !== null ? payload['labels'] : {}) as Record<string, string>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const sloId = str(payload['slo']) ?? str(labels['slo']) ?? str(labels['sloth_id']);
  const service = str(payload['service']) ?? str(labels['service']);
  return { kind, sloId, service, labels: { ...labels, ...(sloId ? { slo: sloId } : {}), ...(service ? { service } : {}) } };
}

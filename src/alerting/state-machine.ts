// The alerting state machine: pure, one step per evaluation cycle.
//
//   advanceAlerts(state, evaluations, at, opts) → { state, transitions, intents }
//
// Per SLO and tier (like a Prometheus alerting rule without `for`):
//
//   inactive ──fires──► firing ──stops firing──► resolved ──fires again──► firing (a new instance, new firedAt)
//
// Rules, and why:
// - A tier fires when its TierSignal says `firing` (both windows above the factor, minEvents met).
// - `unknown` never resolves: when the SLO is unknown/error, or a tier's burn rates are null, its
//   state is kept as is. A source outage in the middle of a burn must not send "resolved".
// - After `noDataAfter` consecutive unknown cycles a `no_data` intent is raised once per streak;
//   `data_restored` follows when a cycle has data again.
// - Inhibition (as in Alertmanager): while a page tier of an SLO fires, its ticket tiers still
//   change state, but their notifications are held back. If a ticket tier is still firing when the
//   last page tier stops, its `firing` intent is sent then; a ticket instance that was never
//   notified is never "resolved" to anyone.
// - Intents carry stable idempotency keys `${sloId}:${tierKey}:${firedAt}:${kind}` (no_data:
//   `${sloId}:no_data:${since}:${kind}`), so a retried or replayed cycle (e.g. after a restart from
//   a persisted state) produces the same keys and the outbox can deduplicate.
//
// The state is a plain JSON-serializable object: persist it after every step, restore it after a
// restart and the machine continues where it stopped.
import type { SloEvaluation, TierSignal } from '../domain/evaluation.ts';
import type { Severity } from '../domain/slo.ts';

export type AlertPhase = 'inactive' | 'firing' | 'resolved';

/** One tier of one SLO. */
export interface TierAlertState {
  phase: AlertPhase;
  severity: Severity;
  long: string;
  short: string;
  /** Start of the current (or last) firing instance, ISO-8601; null before the first fire. */
  firedAt: string | null;
  resolvedAt: string | null;
  /** Whether a `firing` intent went out for the current instance (false while inhibited). */
  notified: boolean;
}

export interface SloAlertState {
  /** Consecutive cycles in which the SLO was unknown or error. */
  consecutiveUnknown: number;
  /** Start of the current unknown streak, ISO-8601. */
  unknownSince: string | null;
  /** Set while a no_data signal is raised (the streak start it was raised for). */
  noDataSince: string | null;
  /** Keyed by tierKey(): "page-1h-5m". */
  tiers: Record<string, TierAlertState>;
}

export interface AlertingState {
  version: 1;
  slos: Record<string, SloAlertState>;
}

export type IntentKind = 'firing' | 'resolved' | 'no_data' | 'data_restored';

/** Something to notify (Slack, webhook, log). Put it in an outbox keyed by idempotencyKey. */
export interface AlertIntent {
  kind: IntentKind;
  idempotencyKey: string;
  sloId: string;
  /** null for no_data / data_restored, which concern the whole SLO. */
  tierKey: string | null;
  severity: Severity | null;
  /** Start of the alert instance (firing/resolved) or of the unknown streak (no_data/data_restored). */
  since: string;
  /** The cycle that produced the intent. */
  at: string;
  tier?: TierSignal;
  evaluation: SloEvaluation;
}

/** Every state change, notified or not (for the audit log and the timeline). */
export interface AlertTransition {
  sloId: string;
  tierKey: string;
  from: AlertPhase;
  to: AlertPhase;
  at: string;
  /** The change happened while a page tier of the same SLO was firing. */
  inhibited: boolean;
}

export interface AdvanceOptions {
  /** Consecutive unknown cycles before no_data; a number for all SLOs or per SLO id (Slo.alerting.noDataAfter). */
  noDataAfter?: number | ((sloId: string) => number);
}

export interface AdvanceResult {
  state: AlertingState;
  transitions: AlertTransition[];
  intents: AlertIntent[];
}

export const DEFAULT_NO_DATA_AFTER = 3;

export function emptyAlertingState(): AlertingState {
  return { version: 1, slos: {} };
}

export function tierKey(tier: Pick<TierSignal, 'severity' | 'long' | 'short'>): string {
  return `${tier.severity}-${tier.long}-${tier.short}`;
}

export function intentKey(sloId: string, key: string, since: string, kind: IntentKind): string {
  return `${sloId}:${key}:${since}:${kind}`;
}

/** One cycle. `state` is not mutated; SLOs absent from `evaluations` keep their state. */
export function advanceAlerts(
  state: AlertingState,
  evaluations: readonly SloEvaluation[],
  opts: AdvanceOptions = {},
): AdvanceResult {
  const next: AlertingState = structuredClone(state);
  const transitions: AlertTransition[] = [];
  const intents: AlertIntent[] = [];
  const noDataAfter = (id: string) =>
    typeof opts.noDataAfter === 'function' ? opts.noDataAfter(id) : (opts.noDataAfter ?? DEFAULT_NO_DATA_AFTER);

  for (const evaluation of evaluations) {
    next.slos[evaluation.id] ??= { consecutiveUnknown: 0, unknownSince: null, noDataSince: null, tiers: {} };
    const slo = next.slos[evaluation.id]!;
    const at = evaluation.evaluatedAt;
    const sloIntent = (kind: IntentKind, since: string): AlertIntent => ({
      kind,
      idempotencyKey: intentKey(evaluation.id, 'no_data', since, kind),
      sloId: evaluation.id,
      tierKey: null,
      severity: null,
      since,
      at,
      evaluation,
    });

    if (evaluation.status === 'unknown' || evaluation.status === 'error') {
      slo.consecutiveUnknown += 1;
      slo.unknownSince ??= at;
      if (slo.noDataSince === null && slo.consecutiveUnknown >= noDataAfter(evaluation.id)) {
        slo.noDataSince = slo.unknownSince;
        intents.push(sloIntent('no_data', slo.noDataSince));
      }
      // Tiers whose windows were still answered may fire (a partial answer can show a burn);
      // nothing resolves while the SLO is unknown.
      stepTiers(evaluation, slo, at, { allowResolve: false }, transitions, intents);
      continue;
    }

    if (slo.noDataSince !== null) intents.push(sloIntent('data_restored', slo.noDataSince));
    slo.consecutiveUnknown = 0;
    slo.unknownSince = null;
    slo.noDataSince = null;
    stepTiers(evaluation, slo, at, { allowResolve: true }, transitions, intents);
  }
  return { state: next, transitions, intents };
}

function stepTiers(
  evaluation: SloEvaluation,
  slo: SloAlertState,
  at: string,
  mode: { allowResolve: boolean },
  transitions: AlertTransition[],
  intents: AlertIntent[],
): void {
  const signals = new Map(evaluation.tiers.map((t) => [tierKey(t), t]));
  const changed: Array<{ key: string; from: AlertPhase; to: AlertPhase }> = [];

  for (const [key, signal] of signals) {
    slo.tiers[key] ??= {
      phase: 'inactive',
      severity: signal.severity,
      long: signal.long,
      short: signal.short,
      firedAt: null,
      resolvedAt: null,
      notified: false,
    };
    const tier = slo.tiers[key]!;
    const known = signal.longBurnRate !== null && signal.shortBurnRate !== null;
    if (signal.firing && tier.phase !== 'firing') {
      changed.push({ key, from: tier.phase, to: 'firing' });
      Object.assign(tier, { phase: 'firing', firedAt: at, resolvedAt: null, notified: false });
    } else if (!signal.firing && known && mode.allowResolve && tier.phase === 'firing') {
      changed.push({ key, from: tier.phase, to: 'resolved' });
      Object.assign(tier, { phase: 'resolved', resolvedAt: at });
    }
  }
  // A tier removed from the spec cannot fire any more: resolve it rather than leave it firing forever.
  if (mode.allowResolve) {
    for (const [key, tier] of Object.entries(slo.tiers)) {
      if (!signals.has(key) && tier.phase === 'firing') {
        changed.push({ key, from: 'firing', to: 'resolved' });
        Object.assign(tier, { phase: 'resolved', resolvedAt: at });
      }
    }
  }

  const pageFiring = Object.values(slo.tiers).some((t) => t.severity === 'page' && t.phase === 'firing');
  for (const { key, from, to } of changed) {
    const tier = slo.tiers[key]!;
    const inhibited = tier.severity === 'ticket' && pageFiring;
    transitions.push({ sloId: evaluation.id, tierKey: key, from, to, at, inhibited });
    if (to === 'firing' && !inhibited) {
      tier.notified = true;
      intents.push(tierIntent('firing', evaluation, key, tier, signals.get(key), at));
    } else if (to === 'resolved' && tier.notified) {
      intents.push(tierIntent('resolved', evaluation, key, tier, signals.get(key), at));
    }
  }
  // Inhibition lifted: tell about ticket tiers that fired while a page tier was firing.
  if (!pageFiring) {
    for (const [key, tier] of Object.entries(slo.tiers)) {
      if (tier.phase === 'firing' && !tier.notified) {
        tier.notified = true;
        intents.push(tierIntent('firing', evaluation, key, tier, signals.get(key), at));
      }
    }
  }
}

function tierIntent(
  kind: 'firing' | 'resolved',
  evaluation: SloEvaluation,
  key: string,
  tier: TierAlertState,
  signal: TierSignal | undefined,
  at: string,
): AlertIntent {
  const since = tier.firedAt!;
  return {
    kind,
    idempotencyKey: intentKey(evaluation.id, key, since, kind),
    sloId: evaluation.id,
    tierKey: key,
    severity: tier.severity,
    since,
    at,
    ...(signal ? { tier: signal } : {}),
    evaluation,
  };
}

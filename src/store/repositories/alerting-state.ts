// The alerting state machine's state (src/alerting) stored as one alert_state row per
// SLO and tier, plus one "_slo" row per SLO for its unknown/no-data streak. A new
// leader or a restarted process loads it and continues where the last one stopped. The cycle
// writes an SLO's rows only when its state changed; an SLO without rows has never fired nor gone
// unknown, the state the machine starts from (src/alerting/state-changes.ts).
import type { AlertingState, SloAlertState, TierAlertState } from '../../alerting/state-machine.ts';
import { type AlertStateRow, loadAlertStates, saveAlertState } from './alert-state.ts';
import type { Queryable } from './queryable.ts';

const SLO_ROW = '_slo';

export async function loadAlertingState(q: Queryable): Promise<AlertingState> {
  const state: AlertingState = { version: 1, slos: {} };
  for (const row of await loadAlertStates(q)) {
    state.slos[row.sloId] ??= { consecutiveUnknown: 0, unknownSince: null, noDataSince: null, tiers: {} };
    const slo = state.slos[row.sloId]!;
    if (row.tier === SLO_ROW) {
      const d = row.details as Partial<SloAlertState>;
      slo.consecutiveUnknown = d.consecutiveUnknown ?? 0;
      slo.unknownSince = d.unknownSince ?? null;
      slo.noDataSince = d.noDataSince ?? null;
    } else {
      slo.tiers[row.tier] = row.details as unknown as TierAlertState;
    }
  }
  return state;
}

/** Saves one SLO's state (its streak row and each tier). */
export async function saveSloAlertState(q: Queryable, sloId: string, s: SloAlertState, at: Date): Promise<void> {
  const rows: AlertStateRow[] = [
    {
      sloId,
      tier: SLO_ROW,
      state: s.noDataSince ? 'no_data' : s.consecutiveUnknown > 0 ? 'unknown' : 'ok',
      since: new Date(s.unknownSince ?? at),
      updatedAt: at,
      details: { consecutiveUnknown: s.consecutiveUnknown, unknownSince: s.unknownSince, noDataSince: s.noDataSince },
    },
    ...Object.entries(s.tiers).map(([tier, t]) => ({
      sloId,
      tier,
      state: t.phase,
      since: new Date(t.phase === 'resolved' ? (t.resolvedAt ?? at) : (t.firedAt ?? at)),
      updatedAt: at,
      details: { ...t },
    })),
  ];
  for (const row of rows) await saveAlertState(q, row);
}

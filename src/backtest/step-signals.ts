// The few figures of one backtest step that decide whether the alerting state machine has work:
// status, each tier's firing, the budget remaining and the shortest window's burn rate. The same
// arithmetic as computeEvaluation (burn-math.ts, the same comparisons and guards), without
// building an evaluation: a 28-day backtest has 40 320 steps per SLO, and building a full
// evaluation at each was most of a backtest's time. replay() builds the full evaluation only for
// the steps where something changes (step-signals.test.ts checks both agree on every step).
import { budgetRemaining, burnRate } from '../domain/burn-math.ts';
import type { SloStatus } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';
import { tierKey } from '../alerting/state-machine.ts';
import type { SloHistory } from './history.ts';

export interface StepSignals {
  status: SloStatus;
  /** Per tier, in the SLO's order. */
  firing: Uint8Array;
  remaining: number | null;
  shortBurn: number | null;
}

export interface SignalReader {
  readonly tierKeys: readonly string[];
  /** The signals of step i; the returned object is reused by the next call. */
  at(i: number): StepSignals;
}

export function signalReader(slo: Slo, history: SloHistory, windows: readonly number[]): SignalReader {
  const index = new Map(windows.map((w, k) => [w, k]));
  const series = windows.map((w) => history.windows.get(w));
  const burns = new Float64Array(windows.length);
  const known = new Uint8Array(windows.length);
  const totals = new Float64Array(windows.length);
  const tiers = slo.alerting.tiers.map((t) => ({ long: index.get(t.longSeconds)!, short: index.get(t.shortSeconds)!, factor: t.factor, page: t.severity === 'page' }));
  const period = index.get(slo.windowSeconds)!;
  const out: StepSignals = { status: 'ok', firing: new Uint8Array(tiers.length), remaining: null, shortBurn: null };
  const { objective } = slo;
  const minEvents = slo.alerting.minEvents;
  return {
    tierKeys: slo.alerting.tiers.map(tierKey),
    at(i) {
      let missing = false;
      for (let k = 0; k < windows.length; k++) {
        const s = series[k];
        const total = s ? s.total[i]! : Number.NaN;
        const rawBad = s ? s.bad[i]! : Number.NaN;
        if (!Number.isFinite(total) || !Number.isFinite(rawBad)) {
          known[k] = 0;
          missing = true;
          continue;
        }
        // As countsOf / countsAt: errors are never negative nor above the total.
        const bad = Math.min(Math.max(rawBad, 0), total);
        known[k] = 1;
        totals[k] = total;
        burns[k] = burnRate(total > 0 ? bad / total : 0, objective);
      }
      let page = false;
      let ticket = false;
      tiers.forEach((t, j) => {
        const crossed = known[t.long] === 1 && known[t.short] === 1 && burns[t.long]! > t.factor && burns[t.short]! > t.factor;
        const fires = crossed && (known[t.long] ? totals[t.long]! : 0) >= minEvents;
        out.firing[j] = fires ? 1 : 0;
        if (fires && t.page) page = true;
        else if (fires) ticket = true;
      });
      out.status = page ? 'page' : ticket ? 'ticket' : missing ? 'unknown' : 'ok';
      if (known[period] === 1) {
        const s = series[period]!;
        const total = totals[period]!;
        const bad = Math.min(Math.max(s.bad[i]!, 0), total);
        out.remaining = budgetRemaining(total > 0 ? bad / total : 0, objective);
      } else out.remaining = null;
      out.shortBurn = known[0] === 1 ? burns[0]! : null;
      return out;
    },
  };
}

// Replays one SLO's history through the evaluator's pure math and the alerting state
// machine, step by step, exactly as the service would have run them; pure, no I/O.
import type { WindowCounts } from '../domain/evaluation.ts';
import type { Severity } from '../domain/slo.ts';
import { type AlertingState, advanceAlerts, DEFAULT_NO_DATA_AFTER, emptyAlertingState } from '../alerting/state-machine.ts';
import { computeEvaluation, windowsOf } from '../evaluator/index.ts';
import { type Grid, type SloHistory, stepTime } from './history.ts';
import { type SignalReader, type StepSignals, signalReader } from './step-signals.ts';

export interface Firing {
  tier: string;
  severity: Severity;
  start: string;
  /** null: still firing at the end of the backtest. */
  end: string | null;
  /** When it was (or would have been) notified; null when inhibited by a page for its whole life. */
  notifiedAt: string | null;
  /**
   * Seconds from the start of the burn to the firing: the burn started when the shortest window's
   * burn rate last rose above 1 (budget spent faster than the period allows) and stayed there.
   */
  detectionDelaySeconds: number | null;
  /** Fraction of the period's budget spent between the start of the burn and the firing. */
  budgetSpent: number | null;
  /** Budget remaining when it fired. */
  budgetRemaining: number | null;
}

export interface TierSummary {
  tier: string;
  severity: Severity;
  long: string;
  short: string;
  factor: number;
  firings: number;
  /** Firings that notified someone (not inhibited by a page the whole time). */
  notified: number;
  perWeek: number;
}

export interface SloBacktest {
  id: string;
  objective: number;
  window: string;
  from: string;
  to: string;
  stepSeconds: number;
  tiers: TierSummary[];
  firings: Firing[];
  pagesPerWeek: number;
  ticketsPerWeek: number;
  budgetExhaustedSeconds: number;
  unknownSeconds: number;
  /** Budget remaining at the end of the backtest (null: unknown). */
  finalBudgetRemaining: number | null;
  /** Budget remaining over time, at most ~`chartPoints` points. */
  budget: Array<[string, number | null]>;
  problems: string[];
}

const WEEK = 604_800;

export interface ReplayOptions {
  chartPoints?: number;
  /** Run the full evaluation and the state machine at every step (no fast path): the reference the tests compare with. */
  evaluateEveryStep?: boolean;
}

export function replay(history: SloHistory, opts: ReplayOptions = {}): SloBacktest {
  const { slo, grid } = history;
  const windows = windowsOf(slo);
  const every = Math.max(1, Math.ceil(grid.points / (opts.chartPoints ?? 600)));
  let state = emptyAlertingState();
  const open = new Map<string, Firing>();
  const firings: Firing[] = [];
  const budget: Array<[string, number | null]> = [];
  let exhausted = 0;
  let unknown = 0;
  let burnSince: number | null = null;
  let remainingBeforeBurn: number | null = null;
  let lastRemaining: number | null = null;

  const signals = signalReader(slo, history, windows);
  const noDataAfter = slo.alerting.noDataAfter ?? DEFAULT_NO_DATA_AFTER;
  for (let i = 0; i < grid.points; i++) {
    const fast = signals.at(i);
    const remaining = fast.remaining;
    if (fast.status === 'unknown') unknown += grid.step;
    if (remaining !== null && remaining <= 0) exhausted += grid.step;
    if (i % every === 0 || i === grid.points - 1) budget.push([stepTime(grid, i).toISOString(), remaining]);

    const shortBurn = fast.shortBurn;
    if (shortBurn !== null && shortBurn > 1) {
      if (burnSince === null) {
        burnSince = i;
        remainingBeforeBurn = lastRemaining ?? remaining;
      }
    } else if (shortBurn !== null) {
      burnSince = null;
    }

    if (!opts.evaluateEveryStep && countersOnly(state, slo.id, fast, signals, noDataAfter, grid, i)) {
      if (remaining !== null) lastRemaining = remaining;
      continue;
    }
    // Something changes: the full evaluation, as the service would have made it.
    const at = stepTime(grid, i);
    const evaluation = computeEvaluation(slo, at, countsAt(history, windows, i), history.problems);
    const step = advanceAlerts(state, [evaluation], { noDataAfter: slo.alerting.noDataAfter });
    state = step.state;
    for (const t of step.transitions) {
      if (t.to === 'firing') {
        const tier = state.slos[slo.id]!.tiers[t.tierKey]!;
        const firing: Firing = {
          tier: t.tierKey,
          severity: tier.severity,
          start: t.at,
          end: null,
          notifiedAt: null,
          detectionDelaySeconds: burnSince === null ? null : (i - burnSince) * grid.step,
          budgetSpent: remainingBeforeBurn !== null && remaining !== null && burnSince !== null ? remainingBeforeBurn - remaining : null,
          budgetRemaining: remaining,
        };
        open.set(t.tierKey, firing);
        firings.push(firing);
      } else if (t.to === 'resolved') {
        const firing = open.get(t.tierKey);
        if (firing) firing.end = t.at;
        open.delete(t.tierKey);
      }
    }
    for (const intent of step.intents) {
      if (intent.kind !== 'firing' || intent.tierKey === null) continue;
      const firing = open.get(intent.tierKey);
      if (firing && firing.notifiedAt === null) firing.notifiedAt = intent.at;
    }
    if (remaining !== null) lastRemaining = remaining;
  }

  const seconds = Math.max(grid.step, (grid.points - 1) * grid.step);
  const weeks = seconds / WEEK;
  const tiers: TierSummary[] = slo.alerting.tiers.map((tier) => {
    const key = `${tier.severity}-${tier.long}-${tier.short}`;
    const mine = firings.filter((f) => f.tier === key);
    const notified = mine.filter((f) => f.notifiedAt !== null).length;
    return {
      tier: key,
      severity: tier.severity,
      long: tier.long,
      short: tier.short,
      factor: tier.factor,
      firings: mine.length,
      notified,
      perWeek: notified / weeks,
    };
  });
  const sent = (severity: Severity) => firings.filter((f) => f.severity === severity && f.notifiedAt !== null).length / weeks;
  return {
    id: slo.id,
    objective: slo.objectivePercent,
    window: slo.window,
    from: stepTime(grid, 0).toISOString(),
    to: stepTime(grid, grid.points - 1).toISOString(),
    stepSeconds: grid.step,
    tiers,
    firings,
    pagesPerWeek: sent('page'),
    ticketsPerWeek: sent('ticket'),
    budgetExhaustedSeconds: exhausted,
    unknownSeconds: unknown,
    finalBudgetRemaining: lastRemaining,
    budget,
    problems: history.problems,
  };
}

/**
 * When no tier changes phase at this step, all advanceAlerts would do is keep the SLO's unknown
 * counters (count an unknown step, declare no-data after `noDataAfter` of them, clear them on a
 * known step) and emit no-data / data-restored intents, which a backtest does not report. Then
 * this does that bookkeeping on `state` (this replay's own copy) and returns true; otherwise
 * (a tier fires or resolves, or the SLO has no state yet) it returns false and changes nothing.
 * Most steps of a backtest are like this: steady steps, and history whose short windows flicker
 * between answered and not (coarse samples) — 4 full evaluations per flicker otherwise.
 */
function countersOnly(state: AlertingState, id: string, fast: StepSignals, signals: SignalReader, noDataAfter: number, grid: Grid, i: number): boolean {
  const slo = state.slos[id];
  if (slo === undefined || fast.status === 'error') return false;
  const keys = signals.tierKeys;
  if (Object.keys(slo.tiers).length !== keys.length) return false;
  const unknown = fast.status === 'unknown';
  for (let j = 0; j < keys.length; j++) {
    const current = slo.tiers[keys[j]!];
    if (current === undefined) return false;
    const firing = current.phase === 'firing';
    // Unknown: only a newly firing tier changes (nothing resolves while unknown). Known: any
    // difference (a firing tier whose signal stopped may resolve).
    if (unknown ? fast.firing[j] === 1 && !firing : firing !== (fast.firing[j] === 1)) return false;
  }
  // Every tier keeps its phase, so no inhibition lifts either: no firing intent is due.
  if (unknown) {
    slo.consecutiveUnknown += 1;
    slo.unknownSince ??= stepTime(grid, i).toISOString();
    if (slo.noDataSince === null && slo.consecutiveUnknown >= noDataAfter) slo.noDataSince = slo.unknownSince;
  } else {
    slo.consecutiveUnknown = 0;
    slo.unknownSince = null;
    slo.noDataSince = null;
  }
  return true;
}

function countsAt(history: SloHistory, windows: readonly number[], i: number): Map<number, WindowCounts> {
  const counts = new Map<number, WindowCounts>();
  for (const w of windows) {
    const series = history.windows.get(w);
    if (!series) continue;
    const total = series.total[i]!;
    const bad = series.bad[i]!;
    if (!Number.isFinite(total) || !Number.isFinite(bad)) continue;
    // As the evaluator does: parts read at slightly different instants never make errors negative.
    counts.set(w, { bad: Math.min(Math.max(bad, 0), total), total });
  }
  return counts;
}

export type { Grid };

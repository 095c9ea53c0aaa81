// The pure part of an evaluation: from the bad/total counts of every window to SLI, budget,
// burn rates, time to exhaustion, tier signals and status. No I/O, no clock: `at` is given.
import { budgetRemaining, burnRate, timeToExhaustion } from '../domain/burn-math.ts';
import { formatDuration } from '../domain/duration.ts';
import type { SloEvaluation, SloStatus, TierSignal, WindowCounts } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';
import { tierWindows } from '../domain/tiers.ts';

// A cycle asks for an SLO's windows and their names several times; at 10 000 SLOs, building them
// anew each time was a tenth of the memory a cycle allocates. An Slo is not changed once loaded.
const windowsBySlo = new WeakMap<Slo, readonly number[]>();
const windowNames = new Map<number, string>();

// Every evaluation of a cycle has the same instant: one string for all of them, not one each.
let lastInstant = { ms: Number.NaN, iso: '' };
function isoOf(at: Date): string {
  const ms = at.getTime();
  if (ms !== lastInstant.ms) lastInstant = { ms, iso: at.toISOString() };
  return lastInstant.iso;
}

/** Every window an evaluation of this SLO needs: the SLO window and every tier window, ascending. */
export function windowsOf(slo: Slo): readonly number[] {
  let windows = windowsBySlo.get(slo);
  if (!windows) {
    windows = Object.freeze([...new Set([slo.windowSeconds, ...tierWindows(slo.alerting.tiers)])].sort((a, b) => a - b));
    windowsBySlo.set(slo, windows);
  }
  return windows;
}

/** formatDuration of a window, made once per distinct window. */
function windowName(seconds: number): string {
  let name = windowNames.get(seconds);
  if (name === undefined) {
    name = formatDuration(seconds);
    windowNames.set(seconds, name);
  }
  return name;
}

/** Error ratio of a window; a window without events spent no budget. */
export function errorRatio(counts: WindowCounts): number {
  return counts.total > 0 ? counts.bad / counts.total : 0;
}

/**
 * @param counts per window (seconds) the bad and total events or slices; a missing window is unknown.
 * @param problems why windows are missing (source errors), reported in `error`.
 */
export function computeEvaluation(
  slo: Slo,
  at: Date,
  counts: ReadonlyMap<number, WindowCounts>,
  problems: readonly string[] = [],
): SloEvaluation {
  const burn = (seconds: number): number | null => {
    const c = counts.get(seconds);
    return c ? burnRate(errorRatio(c), slo.objective) : null;
  };
  const burnRates: Record<string, number | null> = {};
  for (const w of windowsOf(slo)) burnRates[windowName(w)] = burn(w);

  const tiers: TierSignal[] = slo.alerting.tiers.map((tier) => {
    const longBurnRate = burn(tier.longSeconds);
    const shortBurnRate = burn(tier.shortSeconds);
    const crossed = longBurnRate !== null && shortBurnRate !== null && longBurnRate > tier.factor && shortBurnRate > tier.factor;
    const longEvents = counts.get(tier.longSeconds)?.total ?? 0;
    const signal: TierSignal = {
      severity: tier.severity,
      long: tier.long,
      short: tier.short,
      factor: tier.factor,
      longBurnRate,
      shortBurnRate,
      firing: crossed && longEvents >= slo.alerting.minEvents,
    };
    if (crossed && !signal.firing) {
      signal.suppressed = `only ${longEvents} events in ${tier.long} (minEvents ${slo.alerting.minEvents})`;
    }
    return signal;
  });

  const period = counts.get(slo.windowSeconds) ?? null;
  const sli = period ? 1 - errorRatio(period) : null;
  const remaining = period ? budgetRemaining(errorRatio(period), slo.objective) : null;
  // The workbook's "time to exhaustion at the current burn": the 1h burn rate, else the shortest long window.
  const pace = burn(3600) ?? burn(Math.min(...slo.alerting.tiers.map((t) => t.longSeconds)));
  const exhaustion = remaining !== null && pace !== null ? timeToExhaustion(remaining, slo.windowSeconds, pace) : null;

  const missing = windowsOf(slo).filter((w) => !counts.has(w));
  const firing = tiers.filter((t) => t.firing);
  let status: SloStatus = 'ok';
  if (firing.some((t) => t.severity === 'page')) status = 'page';
  else if (firing.length > 0) status = 'ticket';
  else if (missing.length > 0) status = 'unknown';

  const evaluation: SloEvaluation = {
    id: slo.id,
    objective: slo.objectivePercent,
    window: slo.window,
    status,
    evaluatedAt: isoOf(at),
    sli,
    errorBudgetRemaining: remaining,
    timeToExhaustionSeconds: exhaustion !== null && Number.isFinite(exhaustion) ? exhaustion : null,
    burnRates,
    tiers,
    events: period,
  };
  // A tier that fires on windows that did answer is actionable; `error` is for unknown SLOs only.
  if (status !== 'unknown') return evaluation;
  if (problems.length > 0) evaluation.error = problems.join('; ');
  else {
    evaluation.error = `no data for window${missing.length > 1 ? 's' : ''} ${missing.map(formatDuration).join(', ')} (the source returned an empty answer)`;
  }
  return evaluation;
}

/** An SLO that could not be evaluated at all (a bug or a misconfiguration, not a source outage). */
export function failedEvaluation(slo: Slo, at: Date, status: 'unknown' | 'error', error: string): SloEvaluation {
  const burnRates: Record<string, number | null> = {};
  for (const w of windowsOf(slo)) burnRates[windowName(w)] = null;
  return {
    id: slo.id,
    objective: slo.objectivePercent,
    window: slo.window,
    status,
    evaluatedAt: isoOf(at),
    sli: null,
    errorBudgetRemaining: null,
    timeToExhaustionSeconds: null,
    burnRates,
    tiers: slo.alerting.tiers.map((t) => ({
      severity: t.severity,
      long: t.long,
      short: t.short,
      factor: t.factor,
      longBurnRate: null,
      shortBurnRate: null,
      firing: false,
    })),
    events: null,
    error,
  };
}

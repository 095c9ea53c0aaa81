// The report's data layer: reads the store (evaluations, incidents, remediations)
// and the SLOs' sources, and hands the pure builder everything it needs. When the
// store has no history for a figure (a new install), the figure is computed from
// the source instead and the report says so.
import { budgetRemaining } from '../../domain/burn-math.ts';
import type { WindowCounts } from '../../domain/evaluation.ts';
import type { Slo } from '../../domain/slo.ts';
import type { Queryable } from '../../store/repositories/queryable.ts';
import { periodSeconds } from '../iso-week.ts';
import type { BurnDownPoint, FigureOrigin, ReportPeriod } from '../report-data.ts';
import type { FreezeRecord, IncidentRecord, RemediationRecord, ReportInputs, SloMeasurements } from '../report-inputs.ts';
import { replayAlerts } from './alert-history.ts';
import { evaluationAt, loadEvaluations, type StoredEvaluation } from './evaluation-history.ts';
import type { FigureReader } from './figure-reader.ts';
import { loadIncidents } from './incident-history.ts';
import { loadRemediations } from './remediation-history.ts';
import { loadFreezes } from './freeze-history.ts';

export interface GatherOptions {
  slos: readonly Slo[];
  period: ReportPeriod;
  previous: ReportPeriod;
  now: Date;
  figures: FigureReader;
  /** The state store; without one only the sources' figures are reported. */
  db?: Queryable;
  /** Points of the burn-down across the period, both ends included. Default 29 (every 6 h over a week). */
  burnDownPoints?: number;
  teamChannels?: Record<string, string>;
}

/** How far the alert replay starts before the previous period, so tiers firing at its start are seen firing. */
const REPLAY_LEAD_SECONDS = 3 * 86_400;

function remainingOf(counts: WindowCounts | null, objective: number): number | null {
  return counts && counts.total > 0 ? budgetRemaining(counts.bad / counts.total, objective) : null;
}

function minDate(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

async function measure(
  slo: Slo,
  o: GatherOptions,
  history: readonly StoredEvaluation[],
): Promise<SloMeasurements> {
  const end = minDate(new Date(o.period.end), o.now);
  const previousEnd = new Date(o.previous.end);
  const length = periodSeconds(o.period);
  // A stored evaluation stands for the instant it was made if it is at most a few cycles old.
  const tolerance = 3 * slo.intervalSeconds + 60;
  let fromStore = 0;
  let fromSource = 0;

  const rollingAt = async (at: Date): Promise<WindowCounts | null> => {
    const stored = evaluationAt(history, at, tolerance);
    if (stored?.events) {
      fromStore++;
      return stored.events;
    }
    const counts = await o.figures.counts(slo, slo.windowSeconds, at);
    if (counts) fromSource++;
    return counts;
  };
  const rolling = await rollingAt(end);
  const previousRolling = await rollingAt(previousEnd);

  const points = Math.max(2, o.burnDownPoints ?? 29);
  const start = new Date(o.period.start);
  const step = Math.max(60, Math.round((end.getTime() - start.getTime()) / 1000 / (points - 1) / 60) * 60);
  const times: Date[] = [];
  for (let t = start.getTime(); t <= end.getTime(); t += step * 1000) times.push(new Date(t));
  if (times.at(-1)?.getTime() !== end.getTime()) times.push(end);
  const burnDown: BurnDownPoint[] = times.map((at) => {
    const stored = evaluationAt(history, at, tolerance);
    return { at: at.toISOString(), budgetRemaining: stored?.budgetRemaining ?? null };
  });
  const missing = burnDown.filter((p) => p.budgetRemaining === null);
  // A source that could not answer for the week's end will not answer 29 more times.
  if (missing.length > 0 && rolling !== null) {
    // Backfill: one series read from the source (a range query where the source has one).
    const series = await o.figures.series(slo, slo.windowSeconds, start, end, step);
    const byTime = new Map(series.map((p) => [p.at.getTime(), p.counts]));
    for (const p of missing) {
      const t = Date.parse(p.at);
      const counts = byTime.get(t) ?? (t === end.getTime() ? rolling : null);
      p.budgetRemaining = remainingOf(counts, slo.objective);
      if (p.budgetRemaining !== null) fromSource++;
    }
  }
  fromStore += burnDown.length - missing.length;

  const week = await o.figures.counts(slo, Math.round((end.getTime() - start.getTime()) / 1000), end);
  const previousWeek = await o.figures.counts(slo, length, previousEnd);
  const origin: FigureOrigin = fromSource > 0 ? 'backfill' : fromStore > 0 ? 'store' : 'unknown';
  return { origin, week, previousWeek, rolling, previousRolling, burnDown };
}

export async function gatherReportInputs(o: GatherOptions): Promise<ReportInputs> {
  const notes: string[] = [];
  const historyFrom = new Date(Date.parse(o.previous.start) - REPLAY_LEAD_SECONDS * 1000);
  const historyTo = new Date(Date.parse(o.period.end) + 3600_000);
  const ids = new Set(o.slos.map((s) => s.id));
  const history = o.db ? (await loadEvaluations(o.db, historyFrom, historyTo)).filter((e) => ids.has(e.sloId)) : [];

  const measurements = new Map<string, SloMeasurements>();
  for (const slo of o.slos) {
    measurements.set(
      slo.id,
      await measure(
        slo,
        o,
        history.filter((e) => e.sloId === slo.id),
      ),
    );
  }

  const serviceOfSlo = new Map(o.slos.map((s) => [s.id, s.service]));
  const serviceOf = (id: string) => serviceOfSlo.get(id);
  let incidents: IncidentRecord[] | undefined;
  let remediations: RemediationRecord[] | undefined;
  let freezes: FreezeRecord[] | undefined;
  if (o.db) {
    freezes = await loadFreezes(o.db, new Date(o.period.start), new Date(o.period.end));
    incidents = await loadIncidents(o.db, new Date(o.previous.start), new Date(o.period.end), serviceOf);
    const incidentSlo = new Map((incidents ?? []).filter((i) => i.sloId).map((i) => [i.id.replace(/^INC-/, ''), i.sloId as string]));
    remediations = await loadRemediations(o.db, new Date(o.previous.start), new Date(o.period.end), o.slos, incidentSlo);
    if (!incidents) notes.push('This store records no incidents (no incidents table): they are not counted.');
    if (!remediations) notes.push('This store records no remediations (no actions table): rollbacks and re-runs are not counted.');
  } else {
    notes.push('No state store: alerts, incidents and remediations are not known; budget figures come from the sources.');
  }

  const noDataAfter = new Map(o.slos.map((s) => [s.id, s.alerting.noDataAfter]));
  const alerts = replayAlerts(history, (id) => noDataAfter.get(id) ?? 3);
  const firstEvaluation = history[0]?.evaluatedAt;
  if (o.db && (!firstEvaluation || firstEvaluation.getTime() > Date.parse(o.previous.start))) {
    notes.push(
      firstEvaluation
        ? `Evaluations are stored since ${firstEvaluation.toISOString()}: alerts before then are not counted; budget figures before then were computed from the sources.`
        : 'No stored evaluations for this period: budget figures were computed from the sources, alerts are not counted.',
    );
  }

  const backfilled = o.slos.filter((s) => measurements.get(s.id)?.origin === 'backfill').map((s) => s.id);
  if (backfilled.length > 0) {
    notes.push(`Budget figures of ${backfilled.join(', ')} were computed from the sources: the store has no evaluation history for them.`);
  }
  // One line per SLO: the first failure says which source and query; the rest repeat it per window.
  const firstProblem = new Map<string, string>();
  for (const problem of o.figures.problems) {
    const id = problem.slice(0, problem.indexOf(':'));
    if (!firstProblem.has(id)) firstProblem.set(id, problem);
  }
  for (const problem of firstProblem.values()) notes.push(`Source did not answer: ${problem}`);
  return {
    generatedAt: o.now,
    period: o.period,
    previous: o.previous,
    slos: o.slos,
    measurements,
    alerts,
    incidents: incidents ?? [],
    remediations: remediations ?? [],
    recorded: { alerts: o.db !== undefined, incidents: incidents !== undefined, remediations: remediations !== undefined },
    ...(freezes && { freezes }),
    notes,
    ...(o.teamChannels ? { teamChannels: o.teamChannels } : {}),
  };
}

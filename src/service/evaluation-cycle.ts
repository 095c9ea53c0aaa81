// One cycle of the leader: evaluate the due SLOs, advance the alerting state machine
// from the state in the store, and write — in one transaction — the evaluations, the
// new alert state and every notification the step decided (the outbox). A cycle that
// was aborted or whose replica lost leadership writes nothing.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { sloStateUnchanged } from '../alerting/state-changes.ts';
import { type AlertIntent, type AlertTransition, advanceAlerts } from '../alerting/state-machine.ts';
import { parseDuration } from '../domain/duration.ts';
import type { SloEvaluation } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';
import { evaluateAll, NO_ANSWER_BEFORE_DEADLINE, type SourceMap } from '../evaluator/evaluate-all.ts';
import { GroupExpander } from '../evaluator/expand-groups.ts';
import { shortestWindowBurnRate } from '../lifecycle/incident-figures.ts';
import { incidentProgress, type SloReading } from '../lifecycle/incident-progress.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { loadAlertingState, saveSloAlertState } from '../store/repositories/alerting-state.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { saveEvaluation } from '../store/repositories/evaluations.ts';
import { addSystemTimelineEntry, markIncidentMitigated, openIncidentsWithSlos, setIncidentSloBudgetAtEnd } from '../store/repositories/incident-slos.ts';
import { enqueue } from '../store/repositories/outbox.ts';
import type { Queryable } from '../store/repositories/queryable.ts';

/** Which outbox channels an alert goes to ("log", "webhook", "slack:#ml-oncall", …). */
export type Route = (intent: AlertIntent, slo: Slo | undefined) => string[];

/** Which outbox channels an incident's lifecycle events go to ("log", "webhook", "slack:incident-7", …). */
export type IncidentRoute = (incident: { id: number; sloIds: readonly string[] }) => string[];

export interface CycleDeps {
  db: Db;
  sources: () => SourceMap;
  routes: () => readonly Route[];
  /** Where incident lifecycle events (incident.mitigated) go; none when left out. */
  incidentRoutes?: () => readonly IncidentRoute[];
  /** The alert lifecycle (episodes, an incident opened by a page), run in the cycle's transaction. */
  applyIntents?: (tx: Queryable, intents: readonly AlertIntent[]) => Promise<void>;
  isLeader: () => boolean;
  /** The elector's fence (a lease with a token in the store): first and last statements of the write. */
  fencing?: { guardWrite?(tx: Queryable): Promise<void>; fence?(tx: Queryable): Promise<void> };
  logger: Logger;
  /**
   * How long sources may take before the SLOs still waiting become unknown and the rest of the
   * cycle is written; shorter than the cycle timeout so that one slow source never costs every
   * SLO its evaluation.
   */
  readDeadlineSeconds?: number;
  /** Grouped SLOs (spec.groupBy) as one SLO per label value; remembers the values between cycles. */
  groups?: GroupExpander;
}

export interface CycleResult {
  evaluations: SloEvaluation[];
  transitions: AlertTransition[];
  intents: AlertIntent[];
  enqueued: number;
  /** Incidents this cycle marked mitigated (the burn stopped). */
  mitigated: number[];
}

export class NotLeaderError extends Error {
  readonly code = 'not_leader';
  constructor() {
    super('lost leadership during the cycle; nothing was written');
    this.name = 'NotLeaderError';
  }
}

const tracer = trace.getTracer('burnwatch');

/** What a notifier receives: the intent plus what a person needs to act. */
export function notificationPayload(intent: AlertIntent, slo: Slo | undefined): Record<string, unknown> {
  const e = intent.evaluation;
  return {
    alert: intent.kind,
    slo: intent.sloId,
    name: slo?.name,
    service: slo?.service,
    owner: slo?.owner,
    runbook: slo?.alerting.runbook,
    severity: intent.severity,
    tier: intent.tierKey,
    since: intent.since,
    at: intent.at,
    objective: e.objective,
    window: e.window,
    status: e.status,
    sli: e.sli,
    errorBudgetRemaining: e.errorBudgetRemaining,
    timeToExhaustionSeconds: e.timeToExhaustionSeconds,
    burnRates: e.burnRates,
    ...(intent.tier ? { signal: intent.tier } : {}),
    ...(e.error ? { error: e.error } : {}),
    ...alertRouting(intent, slo),
  };
}

/**
 * The labels and annotations the SLO gives its alerts (Sloth's alerting.labels, a tier's own,
 * the label values of a grouped SLO), so a receiver routes burnwatch's notifications as it routes
 * the generated Prometheus alerts.
 */
function alertRouting(intent: AlertIntent, slo: Slo | undefined): Record<string, unknown> {
  if (!slo) return {};
  const tier = slo.alerting.tiers.find((t) => `${t.severity}-${t.long}-${t.short}` === intent.tierKey);
  const labels = { ...slo.group?.values, ...slo.alerting.labels, ...tier?.labels };
  const annotations = { ...slo.alerting.annotations, ...tier?.annotations };
  return {
    ...(slo.alerting.name !== undefined && { alertname: slo.alerting.name }),
    ...(Object.keys(labels).length > 0 && { labels }),
    ...(Object.keys(annotations).length > 0 && { annotations }),
    ...(slo.group && { group: slo.group.of }),
  };
}

async function withReadDeadline<T>(seconds: number | undefined, run: (deadline: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (!seconds) return run(undefined);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${seconds}s`)), seconds * 1000);
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** Used when the caller keeps none: the values of grouped SLOs survive between cycles of one process. */
const sharedGroups = new GroupExpander();

export async function runEvaluationCycle(deps: CycleDeps, defined: readonly Slo[], at: Date, signal: AbortSignal): Promise<CycleResult> {
  return tracer.startActiveSpan('evaluation.cycle', { attributes: { 'burnwatch.slos': defined.length, 'burnwatch.at': at.toISOString() } }, async (span) => {
    try {
      const expanded = await (deps.groups ?? sharedGroups).expand(defined, deps.sources(), at, signal);
      for (const w of expanded.warnings) deps.logger.warn({ slo: w.slo }, w.message);
      const slos = expanded.slos;
      const evaluations = await withReadDeadline(deps.readDeadlineSeconds, (readDeadline) =>
        evaluateAll(slos, deps.sources(), at, { signal, ...(readDeadline ? { readDeadline } : {}) }),
      );
      signal.throwIfAborted();
      const late = evaluations.filter((e) => e.error?.includes(NO_ANSWER_BEFORE_DEADLINE)).map((e) => e.id);
      if (late.length > 0) {
        span.setAttribute('burnwatch.late_slos', late.length);
        deps.logger.warn({ slos: late, readDeadlineSeconds: deps.readDeadlineSeconds }, `${late.length} SLO(s) had no answer before the read deadline and are unknown; the others were evaluated`);
      }
      const byId = new Map(slos.map((s) => [s.id, s]));
      const result = await withTransaction(deps.db, async (tx) => {
        await deps.fencing?.guardWrite?.(tx);
        const state = await loadAlertingState(tx);
        const step = advanceAlerts(state, evaluations, { noDataAfter: (id) => byId.get(id)?.alerting.noDataAfter ?? 3 });
        for (const e of evaluations) await saveEvaluation(tx, e);
        // Only what the step changed: a row's updated_at is when its state last changed.
        for (const e of evaluations) {
          const s = step.state.slos[e.id];
          if (s && !sloStateUnchanged(state.slos[e.id], s)) await saveSloAlertState(tx, e.id, s, at);
        }
        let enqueued = 0;
        for (const intent of step.intents) {
          const slo = byId.get(intent.sloId);
          const channels = [...new Set(deps.routes().flatMap((route) => route(intent, slo)))];
          for (const channel of channels) {
            const added = await enqueue(tx, {
              idempotencyKey: `${intent.idempotencyKey}|${channel}`,
              channel,
              kind: `alert.${intent.kind}`,
              payload: notificationPayload(intent, slo),
              at,
            });
            if (added) enqueued++;
          }
        }
        const progress = await advanceIncidents(tx, evaluations, at, deps.incidentRoutes?.() ?? []);
        enqueued += progress.enqueued;
        if (step.intents.length > 0) await deps.applyIntents?.(tx, step.intents);
        for (const t of step.transitions) {
          await recordAudit(tx, {
            at: new Date(t.at),
            actor: 'burnwatch',
            action: `alert.${t.to}`,
            target: `${t.sloId}/${t.tierKey}`,
            result: t.inhibited ? 'inhibited' : 'ok',
            details: { from: t.from },
          });
        }
        // Fencing: a replica that lost leadership while evaluating must not write or notify.
        if (!deps.isLeader()) throw new NotLeaderError();
        await deps.fencing?.fence?.(tx);
        signal.throwIfAborted();
        return { evaluations, transitions: step.transitions, intents: step.intents, enqueued, mitigated: progress.mitigated };
      });
      span.setAttribute('burnwatch.intents', result.intents.length);
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The open incidents after this cycle's evaluations (src/lifecycle/incident-progress.ts decides):
 * each affected SLO's budget at the end moves on, and an incident whose burn stopped is marked
 * mitigated, on its timeline and to every channel, in the cycle's transaction.
 */
export async function advanceIncidents(
  tx: Queryable,
  evaluations: readonly SloEvaluation[],
  at: Date,
  incidentRoutes: readonly IncidentRoute[],
): Promise<{ enqueued: number; mitigated: number[] }> {
  const open = await openIncidentsWithSlos(tx);
  if (open.length === 0) return { enqueued: 0, mitigated: [] };
  const readings = new Map<string, SloReading>();
  for (const e of evaluations) {
    const windows = Object.keys(e.burnRates).sort((a, b) => parseDuration(a) - parseDuration(b));
    readings.set(e.id, { budgetRemaining: e.errorBudgetRemaining, shortestBurnRate: shortestWindowBurnRate(e.burnRates, parseDuration), shortestWindow: windows[0] ?? null });
  }
  let enqueued = 0;
  const mitigated: number[] = [];
  for (const p of incidentProgress(open, readings, at)) {
    for (const b of p.budgets) await setIncidentSloBudgetAtEnd(tx, p.incidentId, b.sloId, b.budgetAtEnd);
    if (!p.mitigated || !(await markIncidentMitigated(tx, p.incidentId, p.mitigated.at))) continue;
    mitigated.push(p.incidentId);
    await addSystemTimelineEntry(tx, p.incidentId, { at: p.mitigated.at, kind: 'status', text: `burnwatch marked the incident mitigated: ${p.mitigated.reason}` }, `mitigated:${p.incidentId}`);
    const incident = open.find((i) => i.id === p.incidentId)!;
    const channels = [...new Set(incidentRoutes.flatMap((route) => route(incident)))];
    for (const channel of channels) {
      const added = await enqueue(tx, {
        idempotencyKey: `incident:${p.incidentId}:mitigated|${channel}`,
        channel,
        kind: 'incident.mitigated',
        payload: { incidentId: p.incidentId, sloIds: incident.sloIds, at: p.mitigated.at.toISOString(), reason: p.mitigated.reason },
        at,
      });
      if (added) enqueued++;
    }
  }
  return { enqueued, mitigated };
}

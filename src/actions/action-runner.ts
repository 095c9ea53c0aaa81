// plan → confirm → execute → verify → audit, around any target handler, with the safety rules:
// authorization (refusals audited), the optional two-person rule, idempotency through the actions
// table (one row per change, claimed in one UPDATE before executing), dry runs, recovery of an
// action interrupted by a crash (checked, never re-executed), and verification owed once per
// action: leased to one replica, resumed after a restart, told exactly once.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../domain/clock.ts';
import type { Db } from '../store/db.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { ActionError } from './action-error.ts';
import {
  type ActionRow,
  addApproval,
  claimForExecution,
  claimVerification,
  finishAction,
  getAction,
  insertAction,
  lastDoneOn,
  listActionsInState,
  listVerificationsDue,
  markApproved,
  markVerificationReported,
  renewVerificationLease,
  replanFailed,
  saveVerification,
} from './action-store.ts';
import { type ActionsConfig, type Actor, authorize, needsSecondApprover } from './actions-config.ts';
import { handlerFor } from './handlers.ts';
import type { KubeClients } from './kube-clients.ts';
import { type ActionRequest, type Plan, targetText } from './plan.ts';
import type { TargetHandler } from './target-handler.ts';

export interface ActionRunnerDeps {
  db: Db;
  clients: KubeClients;
  config: ActionsConfig;
  clock: Clock;
  /** Waits between rollout polls; injected so tests drive time. */
  sleep?: (ms: number) => Promise<void>;
  handlers?: (kind: string) => TargetHandler;
  /**
   * The replica's identity (BURNWATCH_IDENTITY): leases are held as "<identity>#<instance>", and
   * a restarted process with the same identity takes its predecessor's verifications over at
   * once. Default hostname-pid.
   */
  owner?: string;
}

/** A lease covers the wait ahead plus this much, so a replica that died is replaced soon after. */
export const VERIFY_LEASE_MARGIN_SECONDS = 60;

export type PrepareResult =
  | { status: 'ready'; action: ActionRow; plan: Plan; dryRun: boolean; message: string }
  | { status: 'noop'; plan: Plan; message: string }
  | { status: 'in_progress' | 'done'; action: ActionRow; message: string }
  | { status: 'refused'; message: string }
  | { status: 'error'; code: string; message: string };

export type ConfirmResult =
  | { status: 'done'; action: ActionRow; dryRun: boolean; message: string }
  | { status: 'failed'; action: ActionRow; message: string }
  | { status: 'awaiting_approval'; action: ActionRow; approvers: string[]; message: string }
  | { status: 'already'; action: ActionRow; message: string }
  | { status: 'refused'; message: string }
  | { status: 'error'; code: string; message: string };

export interface Verification {
  rollout: 'available' | 'timed_out' | 'error';
  rolloutMessage: string;
  burnRate: number | null;
  threshold: number;
  /** null when no burn rate could be read (unknown is never "stopped"). */
  burnStopped: boolean | null;
  at: string;
  message: string;
  /** Finished by a replica other than the process that started it (after a crash or restart). */
  resumed?: boolean;
}

export interface VerifyOptions {
  /** Evaluates the SLO's short-window burn rate now (null when the source did not answer). */
  burnRate?: () => Promise<number | null>;
  /** The burn counts as stopped below this rate (default 1: spending no faster than the budget allows). */
  threshold?: number;
  /**
   * Tells people the result (Slack channel, incident timeline). Called for each action by the one
   * replica that holds its lease once the result is stored; if it throws, the result is told
   * again at the next resume.
   */
  report?: (action: ActionRow, verification: Verification) => Promise<void>;
}

export interface ResumedVerification {
  action: ActionRow;
  verification?: Verification;
  /** The verification or its report failed; it stays owed and is tried again at the next resume. */
  error?: Error;
}

export function createActionRunner(deps: ActionRunnerDeps) {
  const { db, clients, config, clock } = deps;
  const stopping = new AbortController();
  const sleep = deps.sleep ?? ((ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => {}));
  const handler = deps.handlers ?? handlerFor;
  const dryRun = config.mode === 'dry-run';
  const identity = deps.owner ?? `${os.hostname()}-${process.pid}`;
  // The instance tells this process from a previous one of the same replica (whose leases it takes over).
  const me = { identity, owner: `${identity}#${randomUUID().slice(0, 8)}` };
  const { owner } = me;
  /** Actions this process is verifying now: a lease of our own owner is not a second licence. */
  const verifying = new Set<number>();
  const leaseFor = (waitSeconds: number) => new Date(clock.now().getTime() + (waitSeconds + VERIFY_LEASE_MARGIN_SECONDS) * 1000);

  const audit = (actor: string, action: string, target: string, result: string, details: Record<string, unknown> = {}) =>
    recordAudit(db, { at: clock.now(), actor, action: `action.${action}`, target, result, details });

  async function prepare(actor: Actor, request: ActionRequest, context: Record<string, unknown> = {}): Promise<PrepareResult> {
    const target = targetText(request.target);
    const auth = authorize(config, actor, request.action, request.target.namespace);
    if (!auth.allowed) {
      await audit(actor.id, request.action, target, 'refused', { reason: auth.reason, stage: 'plan' });
      return { status: 'refused', message: auth.reason };
    }
    let plan: Plan;
    try {
      plan = await handler(request.target.kind).plan(clients, request);
    } catch (e) {
      if (!(e instanceof ActionError)) throw e;
      await audit(actor.id, request.action, target, 'plan_failed', { code: e.code, error: e.message });
      return { status: 'error', code: e.code, message: e.message };
    }
    // Every dry run is its own action: it must never block a real run (or another dry run).
    if (dryRun) plan = { ...plan, key: `dry-run:${plan.key}:${randomUUID()}` };
    if (plan.noop) {
      const previous = await lastDoneOn(db, target);
      const by = previous ? ` It was done by ${previous.executedBy} at ${previous.finishedAt?.toISOString()}.` : '';
      await audit(actor.id, plan.action, target, 'noop', { reason: plan.noop });
      return { status: 'noop', plan, message: `${plan.noop}.${by}` };
    }
    const { row, created } = await insertAction(db, { plan, dryRun, requestedBy: actor.id, at: clock.now(), context });
    if (created) {
      await audit(actor.id, plan.action, target, 'planned', { actionId: row.id, summary: plan.summary, dryRun });
      return { status: 'ready', action: row, plan, dryRun, message: plan.summary };
    }
    switch (row.state) {
      case 'planned':
      case 'approved':
        return { status: 'ready', action: row, plan: row.plan, dryRun: row.dryRun, message: row.plan.summary };
      case 'executing':
        return { status: 'in_progress', action: row, message: `${row.plan.summary}: already being executed by ${row.executedBy}` };
      case 'done':
        return { status: 'done', action: row, message: alreadyDone(row) };
      case 'failed': {
        const again = await replanFailed(db, row.id, plan, actor.id, clock.now());
        if (!again) return prepare(actor, request, context);
        await audit(actor.id, plan.action, target, 'planned', { actionId: row.id, summary: plan.summary, dryRun, retryOf: row.error });
        return { status: 'ready', action: again, plan, dryRun, message: plan.summary };
      }
    }
  }

  const alreadyDone = (row: ActionRow) =>
    `Already done: ${row.plan.summary} — by ${row.executedBy} at ${row.finishedAt?.toISOString()}${row.dryRun ? ' (dry run)' : ''}`;

  async function confirm(actor: Actor, actionId: number): Promise<ConfirmResult> {
    let row = await getAction(db, actionId);
    if (!row) return { status: 'error', code: 'not_found', message: `no action ${actionId}` };
    const auth = authorize(config, actor, row.kind as ActionRequest['action'], row.namespace);
    if (!auth.allowed) {
      await audit(actor.id, row.kind, row.target, 'refused', { reason: auth.reason, stage: 'confirm', actionId });
      return { status: 'refused', message: auth.reason };
    }
    if (row.state === 'done') return { status: 'already', action: row, message: alreadyDone(row) };
    if (row.state === 'executing') return { status: 'already', action: row, message: `${row.plan.summary}: already being executed by ${row.executedBy}` };
    if (row.state === 'failed') return { status: 'already', action: row, message: `${row.plan.summary} failed: ${row.error}. Plan it again.` };
    if (row.state === 'planned') {
      if (needsSecondApprover(config, row.namespace) && !row.dryRun) {
        const approvers = await addApproval(db, row.id, actor.id, clock.now());
        if (approvers.length < 2) {
          await audit(actor.id, row.kind, row.target, 'approved', { actionId, approvers, waitingFor: 'a second person' });
          return {
            status: 'awaiting_approval',
            action: row,
            approvers,
            message: `${row.namespace} is a production namespace: a second authorized person must approve "${row.plan.summary}".`,
          };
        }
        await audit(actor.id, row.kind, row.target, 'approved', { actionId, approvers });
      }
      await markApproved(db, row.id);
    }
    const claimed = await claimForExecution(db, row.id, actor.id, clock.now());
    if (!claimed) {
      row = (await getAction(db, actionId))!;
      return {
        status: 'already',
        action: row,
        message: row.state === 'done' ? alreadyDone(row) : `${row.plan.summary}: already being executed by ${row.executedBy}`,
      };
    }
    return execute(actor, claimed);
  }

  async function execute(actor: Actor, row: ActionRow): Promise<ConfirmResult> {
    try {
      const result = await handler(row.plan.target.kind).execute(clients, row.plan, { dryRun: row.dryRun });
      // Leased to us at once, so a resume elsewhere does not take it before our verify() starts.
      const verify = row.dryRun ? undefined : { owner, leaseUntil: leaseFor(0) };
      await finishAction(db, row.id, { state: 'done', at: clock.now(), result, ...(verify ? { verify } : {}) });
      await audit(actor.id, row.kind, row.target, row.dryRun ? 'dry_run' : 'done', { actionId: row.id, summary: row.plan.summary, result });
      const done = (await getAction(db, row.id))!;
      return { status: 'done', action: done, dryRun: row.dryRun, message: row.dryRun ? `DRY RUN (nothing changed): ${result}` : result };
    } catch (e) {
      const message = e instanceof ActionError ? e.message : `unexpected error: ${(e as Error).message}`;
      await finishAction(db, row.id, { state: 'failed', at: clock.now(), error: message });
      await audit(actor.id, row.kind, row.target, 'failed', {
        actionId: row.id,
        summary: row.plan.summary,
        error: message,
        code: e instanceof ActionError ? e.code : 'bug',
      });
      const failed = (await getAction(db, row.id))!;
      if (!(e instanceof ActionError)) throw e;
      return { status: 'failed', action: failed, message: `${row.plan.summary} failed: ${message}` };
    }
  }

  /**
   * Follows the rollout, then reads the burn rate, stores and audits the result, and reports it.
   * Once per action: a second call returns the stored result (and reports nothing); while another
   * replica holds the verification, undefined.
   */
  async function verify(actionId: number, opts: VerifyOptions = {}): Promise<Verification | undefined> {
    const row = await getAction(db, actionId);
    if (row?.state !== 'done' || row.dryRun) return undefined;
    if (row.verification) return row.verification as unknown as Verification;
    return verifyOwed(row.id, opts, false);
  }

  async function verifyOwed(actionId: number, opts: VerifyOptions, resumed: boolean): Promise<Verification | undefined> {
    if (verifying.has(actionId) || stopping.signal.aborted) return undefined;
    verifying.add(actionId);
    try {
      const row = await claimVerification(db, actionId, me, clock.now(), leaseFor(config.verify.pollSeconds), !resumed);
      if (!row) return undefined;
      // A result stored before a crash is told as it was, not measured again.
      const verification = (row.verification as unknown as Verification | null) ?? (await measure(row, opts, resumed));
      if (!verification) return undefined;
      await opts.report?.(row, verification);
      await markVerificationReported(db, row.id, owner, clock.now());
      return verification;
    } finally {
      verifying.delete(actionId);
    }
  }

  /** Waits while holding the lease; false when the lease was lost or the runner is closing. */
  async function waitLeased(actionId: number, seconds: number): Promise<boolean> {
    if (!(await renewVerificationLease(db, actionId, owner, leaseFor(seconds)))) return false;
    await sleep(seconds * 1000);
    return !stopping.signal.aborted;
  }

  async function measure(row: ActionRow, opts: VerifyOptions, resumed: boolean): Promise<Verification | undefined> {
    const h = handler(row.plan.target.kind);
    const threshold = opts.threshold ?? 1;
    // The rollout's budget counts from when the change was done, across restarts: a resumed
    // verification gets what is left (at least one look at the rollout).
    const started = (row.verifyStartedAt ?? clock.now()).getTime();
    let rollout: Verification['rollout'] = 'timed_out';
    let rolloutMessage = '';
    for (;;) {
      try {
        const p = await h.progress(clients, row.plan);
        rolloutMessage = p.message;
        if (p.ready) {
          rollout = 'available';
          break;
        }
      } catch (e) {
        if (!(e instanceof ActionError)) throw e;
        rolloutMessage = e.message;
        if (!e.retryable) {
          rollout = 'error';
          break;
        }
      }
      if (clock.now().getTime() - started >= config.verify.timeoutSeconds * 1000) break;
      if (!(await waitLeased(row.id, config.verify.pollSeconds))) return undefined;
    }
    let burnRate: number | null = null;
    let burnStopped: boolean | null = null;
    if (rollout === 'available' && opts.burnRate) {
      // The whole settle period after the rollout was seen finished, resumed or not: reading the
      // burn rate too early could call a burn stopped that is not.
      if (config.verify.settleSeconds > 0 && !(await waitLeased(row.id, config.verify.settleSeconds))) return undefined;
      burnRate = await opts.burnRate().catch(() => null);
      burnStopped = burnRate === null ? null : burnRate < threshold;
    }
    const rolloutText =
      rollout === 'available'
        ? `Rollout finished (${rolloutMessage}).`
        : rollout === 'timed_out'
          ? `Rollout not finished after ${config.verify.timeoutSeconds}s (${rolloutMessage}).`
          : `Could not follow the rollout: ${rolloutMessage}`;
    const burnText =
      burnStopped === null
        ? opts.burnRate && rollout === 'available'
          ? ' The short-window burn rate is unknown (the source did not answer).'
          : ''
        : burnStopped
          ? ` Short-window burn rate ${burnRate!.toFixed(2)} (below ${threshold}): the burn stopped.`
          : ` Short-window burn rate ${burnRate!.toFixed(2)} (threshold ${threshold}): the burn has NOT stopped.`;
    const verification: Verification = {
      rollout,
      rolloutMessage,
      burnRate,
      threshold,
      burnStopped,
      at: clock.now().toISOString(),
      message: rolloutText + burnText + (resumed ? ' (Verification resumed after a burnwatch restart.)' : ''),
      ...(resumed ? { resumed: true } : {}),
    };
    if (!(await saveVerification(db, row.id, owner, verification as unknown as Record<string, unknown>))) return undefined;
    await audit('burnwatch', row.kind, row.target, 'verified', { actionId: row.id, ...verification });
    return verification;
  }

  /**
   * At start-up, on becoming the leader and now and then: every verification owed that no live
   * replica holds (a crash or a restart interrupted it, or the action was recovered by
   * resumeInterrupted) is taken over and finished, in parallel. `optionsFor` says how to read
   * the burn and whom to tell, per action.
   */
  async function resumeVerifications(optionsFor: (action: ActionRow) => VerifyOptions | Promise<VerifyOptions> = () => ({})): Promise<ResumedVerification[]> {
    if (stopping.signal.aborted) return [];
    const due = (await listVerificationsDue(db, me, clock.now())).filter((row) => !verifying.has(row.id));
    const outcomes = await Promise.all(
      due.map(async (action): Promise<ResumedVerification | undefined> => {
        try {
          const verification = await verifyOwed(action.id, await optionsFor(action), true);
          return verification ? { action, verification } : undefined;
        } catch (error) {
          return { action, error: error as Error };
        }
      }),
    );
    return outcomes.filter((o): o is ResumedVerification => o !== undefined);
  }

  /** Shutting down: waits end at once and no verification starts; what is owed stays owed for the next start. */
  function close(): void {
    stopping.abort();
  }

  /**
   * At startup: an action left 'executing' by a crash is checked against the cluster, never
   * executed again. Only rows older than the grace period, so another replica's live action is left alone.
   */
  async function resumeInterrupted(graceSeconds = 120): Promise<ActionRow[]> {
    const cutoff = clock.now().getTime() - graceSeconds * 1000;
    const resolved: ActionRow[] = [];
    for (const row of await listActionsInState(db, 'executing')) {
      if (row.startedAt && row.startedAt.getTime() > cutoff) continue;
      let applied = false;
      try {
        applied = row.dryRun ? false : await handler(row.plan.target.kind).applied(clients, row.plan);
      } catch (e) {
        if (!(e instanceof ActionError)) throw e;
        continue; // cannot tell now; try at the next start
      }
      const outcome = applied
        ? { state: 'done' as const, result: `${row.plan.summary}: found in place after a restart (not executed again)` }
        : { state: 'failed' as const, error: 'interrupted before the change reached the cluster; not retried automatically — plan it again' };
      // A change found in place was never verified: it is owed, to whoever resumes verifications.
      await finishAction(db, row.id, { ...outcome, at: clock.now(), ...(applied ? { verify: { owner: null, leaseUntil: null } } : {}) });
      await audit('burnwatch', row.kind, row.target, outcome.state === 'done' ? 'recovered' : 'failed', { actionId: row.id, ...outcome });
      resolved.push((await getAction(db, row.id))!);
    }
    return resolved;
  }

  return { prepare, confirm, verify, resumeInterrupted, resumeVerifications, close, dryRun, owner, getAction: (id: number) => getAction(db, id) };
}

export type ActionRunner = ReturnType<typeof createActionRunner>;

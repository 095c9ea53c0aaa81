// Runs `remediation.auto` (the leader, every few seconds): for each page episode of an SLO that
// declares it, decides once (decideAutoRemediation), announces "rolling back in 2 min — Cancel"
// through the outbox, and when the delay passed without an authorized cancel, runs the same
// prepare → confirm → verify path as a click, as the actor `burnwatch:auto` (which the actions
// rules must allow, like any person). Every decision, cancel and result is audited.
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { loadAlertStates } from '../store/repositories/alert-state.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { type AutoRemediationRow, duePending, getAuto, hasAutoDecision, moveAuto, recordAutoDecision } from '../store/repositories/auto-remediations.ts';
import { enqueue } from '../store/repositories/outbox.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { ActionRunner } from './action-runner.ts';
import { type ActionsConfig, type Actor, authorize } from './actions-config.ts';
import { decideAutoRemediation, type PageTier, pageEpisode, planStops } from './auto-remediation.ts';
import type { KubeClients } from './kube-clients.ts';
import { type ActionRequest, targetText } from './plan.ts';
import { findSuspectedChanges } from './suspected-change.ts';

export const AUTO_ACTOR: Actor = { id: 'burnwatch:auto', groups: [], display: 'burnwatch (automatic)' };

export interface AutoRemediatorDeps {
  db: Db;
  clock: Clock;
  runner: ActionRunner;
  config: ActionsConfig;
  clients: KubeClients;
  slos: () => readonly Slo[];
  /** Where the announcement, the cancel and the result are posted. */
  channels: (slo: Slo) => string[];
  outboxWritten: () => void;
  /** Whether a person holds a deploy-freeze override for the SLO now. */
  freezeOverridden?: (sloId: string) => Promise<boolean>;
}

export type CancelResult = { status: 'cancelled' | 'refused' | 'too_late' | 'not_found'; message: string };

/** Why a cancel came too late, read after the attempt (of a double click, the second sees the first). */
function tooLate(row: AutoRemediationRow): string {
  const what = `the automatic ${row.action} of ${row.sloId}`;
  if (row.state === 'cancelled') return `${what} was already cancelled${row.decidedBy ? ` by ${row.decidedBy}` : ''}`;
  if (row.state === 'pending' || row.state === 'running') return `${what} is already running: too late to cancel`;
  return `${what} already ran (${row.state})${row.result ? `: ${row.result}` : ''}; too late to cancel`;
}

const verb = (action: string) => (action === 'rollback' ? 'Rolling back' : 'Re-running');

export function createAutoRemediator(deps: AutoRemediatorDeps) {
  const { db, clock } = deps;
  const sloOf = (id: string) => deps.slos().find((s) => s.id === id);
  const audit = (q: Queryable, actor: string, action: string, target: string, result: string, details: Record<string, unknown>) =>
    recordAudit(q, { at: clock.now(), actor, action: `auto.${action}`, target, result, details });
  const post = async (q: Queryable, slo: Slo | undefined, key: string, kind: string, text: string, extra: Record<string, unknown>) => {
    if (!slo) return 0;
    let n = 0;
    for (const channel of deps.channels(slo)) if (await enqueue(q, { idempotencyKey: `${key}:${channel}`, channel, kind, payload: { slo: slo.id, text, ...extra }, at: clock.now() })) n++;
    return n;
  };

  /** Decides for every new page episode; returns the rows it recorded. */
  async function decide(): Promise<AutoRemediationRow[]> {
    const out: AutoRemediationRow[] = [];
    for (const slo of deps.slos()) {
      const policy = slo.remediation?.auto;
      if (!policy) continue;
      // One decision per page episode of the SLO, however many of its page tiers fire in it.
      const pageTiers = (await loadAlertStates(db, slo.id)).flatMap((row): PageTier[] => {
        const d = row.details as { severity?: string; firedAt?: string | null; resolvedAt?: string | null };
        if (d.severity !== 'page' || !d.firedAt) return [];
        return [{ tier: row.tier, firing: row.state === 'firing', firedAt: new Date(d.firedAt), resolvedAt: d.resolvedAt ? new Date(d.resolvedAt) : null }];
      });
      const page = pageEpisode(pageTiers);
      if (!page) continue;
      const episode = `${slo.id}|page|${page.since.toISOString()}`;
      if (await hasAutoDecision(db, episode)) continue;
      const firedAt = page.since;
      const target = slo.remediation?.[policy.action];
      const suspects =
        policy.action === 'rollback' && target
          ? await findSuspectedChanges({ clients: deps.clients, db, targets: [{ kind: target.kind, namespace: target.namespace, name: target.name } as ActionRequest['target']], burnStart: firedAt, lookbackMinutes: Math.ceil(policy.afterDeploySeconds / 60), service: slo.service })
          : [];
      const rerun: ActionRequest | undefined =
        policy.action === 'rerun' && target ? { action: 'rerun', target: { kind: target.kind, namespace: target.namespace, name: target.name } as ActionRequest['target'], scope: `auto:${episode}` } : undefined;
      const decision = decideAutoRemediation({
        policy,
        page: { sloId: slo.id, tier: page.tier, firedAt },
        alreadyDecided: false,
        freezeOverridden: (await deps.freezeOverridden?.(slo.id)) ?? false,
        suspects,
        ...(rerun && { rerun }),
      });
      const now = clock.now();
      const recorded = await withTransaction(db, async (tx) => {
        const r = await recordAutoDecision(tx, {
          episode,
          sloId: slo.id,
          action: policy.action,
          request: decision.act ? decision.request : null,
          reason: decision.reason,
          dryRun: policy.dryRun,
          state: decision.act ? 'pending' : 'skipped',
          at: now,
          dueAt: new Date(now.getTime() + (decision.act ? decision.delaySeconds : 0) * 1000),
        });
        if (!r) return undefined;
        await audit(tx, AUTO_ACTOR.id, policy.action, slo.id, decision.act ? 'scheduled' : 'skipped', { id: r.id, episode, reason: decision.reason, dryRun: policy.dryRun });
        if (decision.act) {
          const minutes = Math.round(decision.delaySeconds / 6) / 10;
          const text = `:robot_face: ${verb(policy.action)} ${targetText(decision.request.target)} in ${minutes} min${policy.dryRun ? ' (dry run: nothing will change)' : ''} because of ${decision.reason}. *Cancel* (the button in Slack, or \`POST /api/remediation/auto/${r.id}/cancel\`) by an authorized person.`;
          await post(tx, slo, `auto.pending:${r.id}`, 'auto.remediation.pending', text, { id: r.id, dueAt: r.dueAt.toISOString() });
        }
        return r;
      });
      if (recorded) out.push(recorded);
    }
    if (out.some((r) => r.state === 'pending')) deps.outboxWritten();
    return out;
  }

  /** Runs what is due and was not cancelled; returns the rows it finished. */
  async function runDue(): Promise<AutoRemediationRow[]> {
    const done: AutoRemediationRow[] = [];
    for (const due of await duePending(db, clock.now())) {
      const row = await moveAuto(db, due.id, 'pending', 'running', { by: AUTO_ACTOR.id });
      if (!row) continue; // cancelled meanwhile, or another replica took it
      const slo = sloOf(row.sloId);
      const finish = async (state: 'done' | 'failed' | 'skipped' | 'dry_run', result: string) => {
        const at = clock.now();
        const finished = await withTransaction(db, async (tx) => {
          const f = await moveAuto(tx, row.id, 'running', state, { at, result });
          await audit(tx, AUTO_ACTOR.id, row.action, row.sloId, state, { id: row.id, result });
          await post(tx, slo, `auto.result:${row.id}`, 'auto.remediation.result', `:robot_face: Automatic ${row.action} of ${row.sloId}: ${result}`, { id: row.id, state });
          return f;
        });
        deps.outboxWritten();
        if (finished) done.push(finished);
      };
      const request = row.request as unknown as ActionRequest;
      const prepared = await deps.runner.prepare(AUTO_ACTOR, request, { sloId: row.sloId, auto: row.id });
      if (prepared.status === 'refused') {
        await finish('failed', `refused: ${prepared.message} (allow the actor burnwatch:auto in actions.rules)`);
        continue;
      }
      if (prepared.status === 'error') {
        const stop = planStops(undefined, { code: prepared.code, message: prepared.message });
        await finish(prepared.code === 'paused' ? 'skipped' : 'failed', stop ?? prepared.message);
        continue;
      }
      if (prepared.status === 'noop') {
        await finish('skipped', planStops(prepared.plan, undefined) ?? prepared.message);
        continue;
      }
      if (prepared.status !== 'ready') {
        await finish('skipped', `already ${prepared.status === 'done' ? 'done' : 'in progress'}: ${prepared.message}`);
        continue;
      }
      const stop = planStops(prepared.plan, undefined);
      if (stop) {
        await finish('skipped', stop);
        continue;
      }
      if (row.dryRun) {
        await finish('dry_run', `dry run: would have run "${prepared.plan.summary}"`);
        continue;
      }
      const confirmed = await deps.runner.confirm(AUTO_ACTOR, prepared.action.id);
      if (confirmed.status !== 'done') {
        await finish('failed', confirmed.message);
        continue;
      }
      const verification = await deps.runner.verify(prepared.action.id);
      await finish('done', `${prepared.plan.summary}. ${verification?.message ?? 'Verification continues in the background.'}`);
    }
    return done;
  }

  /** An authorized person stops a pending automatic action (same rules as running it). */
  async function cancel(id: string, actor: Actor, reason: string): Promise<CancelResult> {
    const row = await getAuto(db, id);
    if (!row) return { status: 'not_found', message: `no automatic remediation ${id}` };
    const request = row.request as unknown as ActionRequest | null;
    const namespace = request?.target.namespace ?? '';
    const auth = authorize(deps.config, actor, row.action as ActionRequest['action'], namespace);
    if (!auth.allowed) {
      await audit(db, actor.id, 'cancel', row.sloId, 'refused', { id, reason: auth.reason });
      return { status: 'refused', message: auth.reason };
    }
    const cancelled = await withTransaction(db, async (tx) => {
      const c = await moveAuto(tx, id, 'pending', 'cancelled', { by: actor.id, at: clock.now(), result: reason });
      if (!c) return undefined;
      await audit(tx, actor.id, 'cancel', row.sloId, 'ok', { id, reason });
      await post(tx, sloOf(row.sloId), `auto.cancelled:${id}`, 'auto.remediation.cancelled', `:raised_hand: Automatic ${row.action} of ${row.sloId} cancelled by ${actor.display ?? actor.id}: ${reason}`, { id });
      return c;
    });
    if (!cancelled) return { status: 'too_late', message: tooLate((await getAuto(db, id)) ?? row) };
    deps.outboxWritten();
    return { status: 'cancelled', message: `cancelled ${row.action} of ${row.sloId}` };
  }

  return { decide, runDue, cancel, tick: async () => [...(await decide()), ...(await runDue())] };
}
export type AutoRemediator = ReturnType<typeof createAutoRemediator>;

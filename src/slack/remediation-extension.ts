// Thin Slack glue for src/actions: "Roll back…" / "Re-run training…" buttons on alerts, a
// confirmation modal showing the plan, the two-person approval button, and the outcome and
// verification posted to the alert channel and the incident timeline (by the click, or by the
// replica that resumes it after a restart). All decisions (who may, what changes, once only) are
// the action runner's.
import type { App, BlockButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ActionRunner, Verification, VerifyOptions } from '../actions/action-runner.ts';
import type { ActionRow } from '../actions/action-store.ts';
import { type ActionsConfig, type Actor, needsSecondApprover } from '../actions/actions-config.ts';
import type { KubeClients } from '../actions/kube-clients.ts';
import { type ActionRequest, parseTargetRef, type TargetRef, targetText } from '../actions/plan.ts';
import { findSuspectedChanges } from '../actions/suspected-change.ts';
import type { RemediationTarget, Slo } from '../domain/slo.ts';
import type { Person, SuspectedChange } from '../incidents/types.ts';
import type { Db } from '../store/db.ts';
import type { ChangeSuspects } from '../incidents/alert-desk.ts';
import { getAlert } from '../incidents/alert-store.ts';
import { approvalRequest, type ConfirmMetadata, type RemediationButtonValue, remediationButtons, renderConfirmModal } from './remediation-blocks.ts';
import { REMEDIATION } from './remediation-ids.ts';
import type { SlackExtension, SlackExtensionContext } from './slack-app.ts';

export interface RemediationSlackDeps {
  runner: ActionRunner;
  config: ActionsConfig;
  db: Db;
  slo: (id: string) => Slo | undefined;
  /** The SLO's short-window burn rate now, for the verification (null: the source did not answer). */
  burnRate?: (sloId: string) => Promise<number | null>;
}

const toTarget = (t: RemediationTarget): TargetRef => parseTargetRef(`${t.namespace}/${t.kind}/${t.name}`);
const PIN = /^(.+)@(\d+)->(.+)$/;

/**
 * Suspected changes for the alert message: new revisions of the SLO's rollback target before the
 * burn. The subject carries the pin (`ns/Kind/name@fromRevision->replicaSet`) that the alert's
 * "Roll back…" button uses, so the button does what the message said or refuses.
 */
export function remediationSuspects(clients: KubeClients): ChangeSuspects {
  return async (slo, _sloId, from, to) => {
    const rollback = slo?.remediation?.rollback;
    if (!rollback) return [];
    const target = toTarget(rollback);
    const found = await findSuspectedChanges({ clients, targets: [target], burnStart: to, lookbackMinutes: (to.getTime() - from.getTime()) / 60_000 });
    return found.map(
      (c): SuspectedChange => ({
        at: c.at,
        kind: 'revision',
        subject: c.rollback?.pinned ? `${targetText(target)}@${c.rollback.pinned.fromRevision}->${c.rollback.pinned.toHolder}` : targetText(target),
        summary: c.offer ? `${c.summary}; ${c.offer}` : c.summary,
        actor: null,
      }),
    );
  };
}

/** Slack user groups (of those the rules name) the person is in, asked fresh on every click. */
export async function groupsOf(client: WebClient, userId: string, config: ActionsConfig, ctx: SlackExtensionContext): Promise<string[]> {
  const candidates = [...new Set(config.rules.flatMap((r) => r.groups))];
  const member: string[] = [];
  for (const usergroup of candidates) {
    try {
      const res = await client.usergroups.users.list({ usergroup });
      if ((res.users ?? []).includes(userId)) member.push(usergroup);
    } catch (error) {
      ctx.logger.warn({ usergroup, err: (error as Error).message }, 'cannot read a user group (usergroups:read scope?); treating the person as not in it');
    }
  }
  return member;
}

export interface RemediationSlack extends SlackExtension {
  /** Once the bot is registered: how to finish and tell a verification resumed after a restart. */
  resumedVerification(action: ActionRow): Promise<VerifyOptions> | undefined;
}

const verificationIcon = (v: Verification) =>
  v.burnStopped ? ':large_green_circle:' : v.rollout === 'available' && v.burnStopped === null ? ':white_circle:' : ':red_circle:';

export function remediationSlackExtension(deps: RemediationSlackDeps): RemediationSlack {
  const { runner, config } = deps;
  let registered: { client: WebClient; ctx: SlackExtensionContext } | undefined;

  /**
   * The verification of an action started from an alert, the same whether the click's own
   * process finishes it or another one resumes it: the burn against the factor of the tiers that
   * fired, told in the alert channel and on the incident timeline (one entry per action).
   */
  async function verifyOptions(client: WebClient, ctx: SlackExtensionContext, action: ActionRow, channel: string | undefined, person: Person | null): Promise<VerifyOptions> {
    const context = action.context as { alertId?: number; sloId?: string };
    const alert = context.alertId ? await getAlert(deps.db, context.alertId) : undefined;
    const factors = (alert?.snapshot.tiers ?? []).filter((t) => t.firing).map((t) => t.factor);
    const sloId = context.sloId;
    return {
      ...(deps.burnRate && sloId ? { burnRate: () => deps.burnRate!(sloId) } : {}),
      threshold: factors.length ? Math.min(...factors) : 1,
      report: async (row, verification) => {
        if (channel) await client.chat.postMessage({ channel, text: `${verificationIcon(verification)} ${row.plan.summary}: ${verification.message}` });
        if (!sloId) return;
        await ctx.incidents.recordAction(sloId, person, { action: 'verified', target: row.target, outcome: verification.message }, `action:${row.id}:verified`, verification.rollout === 'available' && verification.burnStopped === true);
        ctx.kick();
      },
    };
  }

  return {
    resumedVerification: (action) =>
      registered ? verifyOptions(registered.client, registered.ctx, action, (action.context as { channel?: string }).channel, null) : undefined,

    alertButtons: (alert) => {
      const remediation = deps.slo(alert.sloId)?.remediation;
      if (!remediation || alert.state === 'resolved') return [];
      let pin: RemediationButtonValue['pin'];
      const suspect = alert.snapshot.suspectedChange;
      const match = suspect?.kind === 'revision' ? suspect.subject.match(PIN) : null;
      if (match && remediation.rollback && match[1] === targetText(toTarget(remediation.rollback))) pin = { fromRevision: match[2]!, toHolder: match[3]! };
      return remediationButtons({ alertId: alert.id, rollback: Boolean(remediation.rollback), rerun: Boolean(remediation.rerun), ...(pin ? { pin } : {}) });
    },

    register(app: App, ctx: SlackExtensionContext) {
      registered = { client: app.client, ctx };
      const privately = (respond: RespondFn) => (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      const actorOf = async (client: WebClient, user: { id: string; username?: string; name?: string }): Promise<Actor> => {
        const person = ctx.personOf(user);
        return { id: person.id, groups: await groupsOf(client, person.id, config, ctx), display: person.name };
      };

      async function offer(
        args: { client: WebClient; triggerId: string; reply: (t: string) => Promise<unknown>; actor: Actor },
        request: ActionRequest,
        meta: Omit<ConfirmMetadata, 'actionId'>,
      ) {
        const prepared = await runner.prepare(args.actor, request, { alertId: meta.alertId, sloId: meta.sloId, channel: meta.channel });
        switch (prepared.status) {
          case 'refused':
            await args.reply(`:no_entry: ${prepared.message}`);
            return;
          case 'error':
            await args.reply(`:x: ${prepared.message}`);
            return;
          case 'noop':
          case 'done':
          case 'in_progress':
            await args.reply(`:information_source: ${prepared.message}`);
            return;
          case 'ready':
            await openModal(args.client, args.triggerId, prepared.action, { ...meta, actionId: prepared.action.id });
        }
      }

      const openModal = (client: WebClient, triggerId: string, row: ActionRow, meta: ConfirmMetadata) =>
        client.views.open({
          trigger_id: triggerId,
          view: renderConfirmModal(row, meta, { twoPerson: needsSecondApprover(config, row.namespace) && !row.dryRun }),
        });

      const fromAlert = (kind: 'rollback' | 'rerun') =>
        async ({ ack, body, action, respond, client }: { ack: () => Promise<void>; body: BlockButtonAction; action: BlockButtonAction['actions'][number]; respond: RespondFn; client: WebClient }) => {
          await ack();
          const reply = privately(respond);
          await ctx.guarded(ctx.logger, reply, { action: REMEDIATION[kind] }, async () => {
            const value = JSON.parse((action as { value?: string }).value ?? '{}') as RemediationButtonValue;
            const alert = await getAlert(deps.db, value.alert);
            const remediation = alert ? deps.slo(alert.sloId)?.remediation : undefined;
            const target = kind === 'rollback' ? remediation?.rollback : remediation?.rerun;
            if (!alert || !target) {
              await reply(`:x: This alert's SLO has no remediation.${kind} target.`);
              return;
            }
            const request: ActionRequest =
              kind === 'rollback'
                ? { action: 'rollback', target: toTarget(target), ...(value.pin ? { pinned: value.pin } : {}) }
                : { action: 'rerun', target: toTarget(target), scope: `alert-${alert.id}` };
            const actor = await actorOf(client, body.user);
            await offer({ client, triggerId: body.trigger_id, reply, actor }, request, { alertId: alert.id, sloId: alert.sloId, channel: body.channel?.id ?? alert.channel });
          });
        };
      app.action<BlockButtonAction>(REMEDIATION.rollback, fromAlert('rollback'));
      app.action<BlockButtonAction>(REMEDIATION.rerun, fromAlert('rerun'));

      // The second person of the two-person rule: review the same plan, then confirm.
      app.action<BlockButtonAction>(REMEDIATION.approve, async ({ ack, body, action, respond, client }) => {
        await ack();
        const reply = privately(respond);
        await ctx.guarded(ctx.logger, reply, { action: REMEDIATION.approve }, async () => {
          const row = await runner.getAction(Number((action as { value?: string }).value));
          if (!row) {
            await reply(':x: That action no longer exists.');
            return;
          }
          const context = row.context as { alertId?: number; sloId?: string; channel?: string };
          await openModal(client, body.trigger_id, row, {
            actionId: row.id,
            alertId: context.alertId ?? null,
            sloId: context.sloId ?? null,
            channel: body.channel?.id ?? context.channel ?? '',
          });
        });
      });

      app.view(REMEDIATION.confirmView, async ({ ack, body, view, client }) => {
        await ack();
        const meta = JSON.parse(view.private_metadata) as ConfirmMetadata;
        const person = ctx.personOf(body.user);
        const whisper = (text: string) => client.chat.postEphemeral({ channel: meta.channel, user: person.id, text });
        const say = (text: string, blocks?: unknown[]) => client.chat.postMessage({ channel: meta.channel, text, ...(blocks ? { blocks: blocks as never } : {}) });
        const timeline = async (action: string, target: string, outcome: string, key: string) => {
          if (!meta.sloId) return;
          await ctx.incidents.recordAction(meta.sloId, person, { action, target, outcome }, key);
          ctx.kick();
        };
        await ctx.guarded(ctx.logger, whisper, { view: REMEDIATION.confirmView }, async () => {
          const actor = await actorOf(client, body.user);
          const result = await runner.confirm(actor, meta.actionId);
          switch (result.status) {
            case 'refused':
              await whisper(`:no_entry: ${result.message}`);
              return;
            case 'error':
            case 'already':
              await whisper(`:information_source: ${result.message}`);
              return;
            case 'awaiting_approval': {
              const request = approvalRequest(result.action, person.id);
              await say(request.text, request.blocks);
              await timeline(result.action.kind, result.action.target, `requested by ${person.name}, awaiting a second approver`, `action:${result.action.id}:requested:${person.id}`);
              return;
            }
            case 'failed':
              await say(`:x: <@${person.id}>: ${result.message}`);
              await timeline(result.action.kind, result.action.target, `failed: ${result.message}`, `action:${result.action.id}:failed:${result.action.attempts}`);
              return;
            case 'done': {
              const row = result.action;
              const warnings = row.plan.warnings.map((w) => `\n:warning: ${w}`).join('');
              await say(`${result.dryRun ? ':test_tube:' : ':white_check_mark:'} <@${person.id}>: ${result.message}${warnings}`);
              await timeline(row.kind, row.target, result.message, `action:${row.id}:done`);
              if (result.dryRun) return;
              await runner.verify(row.id, await verifyOptions(client, ctx, row, meta.channel, person));
            }
          }
        });
      });
    },
  };
}

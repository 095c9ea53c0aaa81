// "Override freeze…" on a deploy-freeze post: the click asks the authorization policy
// (`budget.override`, a refusal is private and audited) and opens a modal that asks why; the
// submission asks again and records the override through overrideFreeze, the same function as
// POST /api/gate/overrides (the policy's approvers, the audit, the announcement). The announcement
// also takes the button off the freeze post (src/slack/slack-notifier.ts). Ack first, work after.
import type { App, BlockButtonAction, RespondFn } from '@slack/bolt';
import { formatDuration } from '../domain/duration.ts';
import { type FreezeOverrideDeps, overrideFreeze } from '../gate/freeze-override.ts';
import { ACTION, OVERRIDE_BLOCK, OVERRIDE_INPUT, VIEW } from './action-ids.ts';
import { type FreezeButtonValue, type OverrideModalMetadata, renderOverrideModal } from './blocks/notice-message.ts';
import type { SlackExtension, SlackExtensionContext } from './slack-app.ts';

const DEFAULT_MAX_SECONDS = 86_400;

/** `deps` is known once the gate is wired (after the bot registered); until then the button says so. */
export function freezeOverrideSlack(deps: () => FreezeOverrideDeps | undefined): SlackExtension {
  return {
    register(app: App, ctx: SlackExtensionContext) {
      const privately = (respond: RespondFn) => (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      const gateOf = () => {
        const d = deps();
        if (!d) throw new Error('the deploy gate is not wired on this burnwatch');
        return d;
      };

      app.action<BlockButtonAction>(ACTION.freezeOverride, async ({ ack, body, action, respond, client }) => {
        await ack();
        const reply = privately(respond);
        await ctx.guarded(ctx.logger, reply, { action: ACTION.freezeOverride }, async () => {
          const value = JSON.parse((action as { value?: string }).value ?? '{}') as FreezeButtonValue;
          if (!(await ctx.allowed({ user: body.user.id, action: 'budget.override', sloIds: [value.slo] }, reply))) return;
          const policy = gateOf().policies().find((p) => p.name === value.policy);
          const meta: OverrideModalMetadata = { ...value, channel: body.channel?.id ?? '' };
          await client.views.open({ trigger_id: body.trigger_id, view: renderOverrideModal(meta, formatDuration(policy?.override.maxSeconds ?? DEFAULT_MAX_SECONDS)) });
        });
      });

      app.view(VIEW.freezeOverride, async ({ ack, body, view, client }) => {
        const reason = view.state.values[OVERRIDE_BLOCK]?.[OVERRIDE_INPUT]?.value?.trim() ?? '';
        if (reason.length < 3) {
          await ack({ response_action: 'errors', errors: { [OVERRIDE_BLOCK]: 'Say why (at least 3 characters).' } });
          return;
        }
        await ack();
        const meta = JSON.parse(view.private_metadata || '{}') as OverrideModalMetadata;
        const person = ctx.personOf(body.user);
        const whisper = (text: string) => client.chat.postEphemeral({ channel: meta.channel, user: person.id, text });
        await ctx.guarded(ctx.logger, whisper, { view: VIEW.freezeOverride }, async () => {
          // Asked again: the submission is its own request, and rules may have changed meanwhile.
          if (!(await ctx.allowed({ user: person.id, action: 'budget.override', sloIds: [meta.slo] }, whisper))) return;
          const r = await overrideFreeze(gateOf(), { slo: meta.slo, policy: meta.policy || undefined, actor: person.id, display: `<@${person.id}>`, reason, via: 'slack' });
          if (r.status !== 'ok') {
            await whisper(`:no_entry: ${r.message}`);
            return;
          }
          // The override notice goes out through the outbox, which also takes the button off the freeze post.
          ctx.kick();
        });
      });
    },
  };
}

// "Cancel" on a "rolling back in 2 min" post: the click cancels through the automatic
// remediator's cancel, the same function as POST /api/remediation/auto/:id/cancel (who may: the
// actions rules, as if running the action; refused and cancelled clicks both audited; of a double
// click one cancels). The cancel is posted, and the post loses its button (src/slack/slack-notifier.ts);
// a refusal, or a click after it ran, is told privately and changes nothing. Ack first, work after.
import type { App, BlockButtonAction, RespondFn } from '@slack/bolt';
import type { ActionsConfig, Actor } from '../actions/actions-config.ts';
import type { AutoRemediator } from '../actions/auto-remediator.ts';
import { escapeSlackText } from '../authz/escape-slack-text.ts';
import { ACTION } from './action-ids.ts';
import { groupsOf } from './remediation-extension.ts';
import type { SlackExtension, SlackExtensionContext } from './slack-app.ts';

/** `running` is known once remediation started (before the bot registers); without it the button says so. */
export function autoCancelSlack(running: () => { remediator: AutoRemediator; config: ActionsConfig } | undefined): SlackExtension {
  return {
    register(app: App, ctx: SlackExtensionContext) {
      const privately = (respond: RespondFn) => (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      app.action<BlockButtonAction>(ACTION.autoCancel, async ({ ack, body, action, respond, client }) => {
        await ack();
        const reply = privately(respond);
        await ctx.guarded(ctx.logger, reply, { action: ACTION.autoCancel }, async () => {
          const auto = running();
          if (!auto) throw new Error('automatic remediation is not running on this burnwatch');
          const person = ctx.personOf(body.user);
          const actor: Actor = { id: person.id, groups: await groupsOf(client, person.id, auto.config, ctx), display: `<@${person.id}>` };
          const result = await auto.remediator.cancel(String((action as { value?: string }).value ?? ''), actor, `cancelled in Slack by ${person.name}`);
          switch (result.status) {
            case 'cancelled':
              // The cancel notice goes out through the outbox, which also takes the Cancel button off this post.
              ctx.kick();
              return;
            case 'refused':
              await reply(`:no_entry: ${escapeSlackText(result.message)}. It was not cancelled.`);
              return;
            default:
              await reply(`:information_source: ${escapeSlackText(result.message)}.`);
          }
        });
      });
    },
  };
}

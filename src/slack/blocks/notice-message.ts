// Notices of the gate and of automatic remediation (their text is rendered by src/gate and
// src/actions, channel-neutral): a deploy freeze carries "Override freeze…", a "rolling back in
// 2 min" carries "Cancel". After a click the same message is shown without its button, saying
// what was done and by whom. Pure renderers.
import type { KnownBlock, ModalView } from '@slack/types';
import { ACTION, OVERRIDE_BLOCK, OVERRIDE_INPUT, VIEW } from '../action-ids.ts';
import { clip } from './limits.ts';

export interface FreezeButtonValue {
  slo: string;
  policy: string;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });

export function renderNotice(kind: string, payload: Record<string, unknown>, text: string): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [section(text)];
  if (kind === 'budget.freeze.started' && typeof payload['slo'] === 'string') {
    const value: FreezeButtonValue = { slo: payload['slo'], policy: String(payload['policy'] ?? '') };
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: ACTION.freezeOverride, text: { type: 'plain_text', text: 'Override freeze…' }, value: JSON.stringify(value) }] });
  }
  if (kind === 'auto.remediation.pending' && typeof payload['id'] === 'string') {
    blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: ACTION.autoCancel, style: 'danger', text: { type: 'plain_text', text: 'Cancel' }, value: payload['id'] }] });
  }
  return { text, blocks };
}

/**
 * The earlier notice whose button a later one retires (its outbox idempotency key): a result or a
 * cancel retires "rolling back in 2 min — Cancel", an override or the end of a freeze retires its
 * "Override freeze…". Whoever acted (a click, the API, the leader), the post then says what happened.
 */
export function retiredNoticeKey(kind: string, payload: Record<string, unknown>, channel: string): string | undefined {
  if ((kind === 'auto.remediation.result' || kind === 'auto.remediation.cancelled') && typeof payload['id'] === 'string') return `auto.pending:${payload['id']}:${channel}`;
  if ((kind === 'budget.freeze.overridden' || kind === 'budget.freeze.ended') && typeof payload['freezeId'] === 'string') return `budget.freeze.started:${payload['freezeId']}:${channel}`;
  return undefined;
}

/** The notice once acted on: its words kept, its button replaced by who did what. */
export function renderActedNotice(original: string, outcome: string): { text: string; blocks: KnownBlock[] } {
  if (!original.trim()) return { text: outcome, blocks: [section(outcome)] };
  return { text: `${outcome} ${original}`, blocks: [section(original), { type: 'context', elements: [{ type: 'mrkdwn', text: clip(outcome) }] }] };
}

export interface OverrideModalMetadata extends FreezeButtonValue {
  /** Where refusals are told (privately). */
  channel: string;
}

export function renderOverrideModal(meta: OverrideModalMetadata, maxDuration: string): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW.freezeOverride,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Override freeze?' },
    submit: { type: 'plain_text', text: 'Override' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Lift the deploy freeze of *${meta.slo}* (policy \`${meta.policy}\`) for ${maxDuration}: its deploy gate passes until then. The override is recorded in the audit log and posted in the channel.`),
      {
        type: 'input',
        block_id: OVERRIDE_BLOCK,
        label: { type: 'plain_text', text: 'Why? (a hotfix, a launch that cannot wait…)' },
        element: { type: 'plain_text_input', action_id: OVERRIDE_INPUT, min_length: 3, max_length: 2000 },
      },
    ],
  };
}

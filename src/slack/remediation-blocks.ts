// What the remediation flow shows: the buttons on an alert, the confirmation modal with the plan,
// and the messages with the outcome. Pure renderers.
import type { Button, KnownBlock, ModalView } from '@slack/types';
import type { ActionRow } from '../actions/action-store.ts';
import type { Plan } from '../actions/plan.ts';
import { clip, escapeMrkdwn } from './blocks/limits.ts';
import { REMEDIATION } from './remediation-ids.ts';

export interface RemediationButtonValue {
  alert: number;
  /** Pinned at alert time: the live revision then and the ReplicaSet to go back to. */
  pin?: { fromRevision: string; toHolder: string };
}

export function remediationButtons(opts: { alertId: number; rollback: boolean; rerun: boolean; pin?: RemediationButtonValue['pin'] }): Button[] {
  const buttons: Button[] = [];
  if (opts.rollback) {
    const value: RemediationButtonValue = { alert: opts.alertId, ...(opts.pin ? { pin: opts.pin } : {}) };
    buttons.push({ type: 'button', action_id: REMEDIATION.rollback, text: { type: 'plain_text', text: 'Roll back…' }, style: 'danger', value: JSON.stringify(value) });
  }
  if (opts.rerun) {
    buttons.push({ type: 'button', action_id: REMEDIATION.rerun, text: { type: 'plain_text', text: 'Re-run training…' }, value: JSON.stringify({ alert: opts.alertId }) });
  }
  return buttons;
}

export interface ConfirmMetadata {
  actionId: number;
  alertId: number | null;
  sloId: string | null;
  channel: string;
}

function planLines(plan: Plan): string[] {
  const lines = [`*${escapeMrkdwn(plan.summary)}*`];
  const rev = (label: string, r: Plan['from']) => {
    if (!r) return;
    const parts = [`*${label}:* revision \`${escapeMrkdwn(r.revision)}\``];
    if (r.modelVersion) parts.push(`model *${escapeMrkdwn(r.modelVersion)}*`);
    if (r.lastLive) parts.push(`last live until ${escapeMrkdwn(r.lastLive)}`);
    lines.push(parts.join(' · '));
    for (const image of r.images) lines.push(`   \`${escapeMrkdwn(image)}\``);
  };
  rev('Now', plan.from);
  rev('After', plan.to);
  return lines;
}

export function renderConfirmModal(row: ActionRow, meta: ConfirmMetadata, notes: { twoPerson: boolean }): ModalView {
  const plan = row.plan;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(planLines(plan).join('\n')) } }];
  for (const w of plan.warnings) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`:warning: ${escapeMrkdwn(w)}`) } });
  const context: string[] = [];
  if (row.dryRun) context.push(':test_tube: *Dry run* (BURNWATCH_ACTIONS=dry-run): the API server validates the change with dryRun=All; nothing changes.');
  if (notes.twoPerson) context.push(':busts_in_silhouette: Production namespace: a second authorized person must approve before it runs.');
  context.push('It runs once, however often it is confirmed, and is recorded in the audit log and the incident timeline.');
  blocks.push({ type: 'context', elements: context.map((t) => ({ type: 'mrkdwn' as const, text: clip(t) })) });
  const verb = plan.action === 'rerun' ? 'Re-run' : 'Roll back';
  return {
    type: 'modal',
    callback_id: REMEDIATION.confirmView,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: plan.action === 'rerun' ? 'Re-run training?' : 'Roll back?' },
    submit: { type: 'plain_text', text: row.dryRun ? `${verb} (dry run)` : verb },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export function approvalRequest(row: ActionRow, requester: string): { text: string; blocks: KnownBlock[] } {
  const text = `:raised_hand: <@${requester}> asks to ${row.plan.summary}. ${row.namespace} is a production namespace: a second authorized person must approve.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(text) } },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: REMEDIATION.approve, text: { type: 'plain_text', text: 'Review and approve…' }, value: String(row.id) },
        ],
      },
    ],
  };
}

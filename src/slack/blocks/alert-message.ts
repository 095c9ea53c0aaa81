// The alert message: one per firing episode, posted once and then updated in place
// (chat.update) as it goes firing → acknowledged → resolved.
import type { Button, KnownBlock, PlainTextOption } from '@slack/types';
import type { AlertRecord } from '../../incidents/types.ts';
import { ACTION } from '../action-ids.ts';
import { parseDuration } from '../../domain/duration.ts';
import { badWord, type ConsoleLinks, ratioPercent, runbookUrl, sloUrl, viewButton } from './console-links.ts';
import { burn, humanDuration, percent, slackDate } from './format.ts';
import { capBlocks, clip, escapeMrkdwn, MAX_HEADER } from './limits.ts';

/** Extra buttons for an alert (the remediation buttons of src/actions plug in here). */
export type AlertButtons = (alert: AlertRecord) => Button[];

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

const STATE_ICON = { firing: ':rotating_light:', acknowledged: ':eyes:', resolved: ':white_check_mark:' } as const;

export function alertFallbackText(alert: AlertRecord): string {
  const s = alert.snapshot;
  return `${alert.state.toUpperCase()} ${alert.severity}: ${s.sloName} (${alert.sloId}) burning its error budget, ${percent(s.budgetRemaining)} left`;
}

/**
 * The bad ratio now against the allowed one, over the fastest tier's long window:
 * "*2.4 % slow* over the last 1h, 1 % allowed". Undefined when no burn rate is known.
 */
export function badAgainstAllowed(alert: AlertRecord, links?: ConsoleLinks): string | undefined {
  const s = alert.snapshot;
  const allowed = 1 - s.objectivePercent / 100;
  const known = s.tiers.filter((t) => t.longBurnRate !== null && Number.isFinite(t.longBurnRate));
  const fastest = known.sort((a, b) => parseDuration(a.long) - parseDuration(b.long))[0];
  if (!fastest || allowed <= 0) return undefined;
  const bad = Math.min(1, fastest.longBurnRate! * allowed);
  return `*${ratioPercent(bad)} ${badWord(links?.slo?.(alert.sloId))}* over the last ${fastest.long}, ${ratioPercent(allowed)} allowed`;
}

export function renderAlertMessage(alert: AlertRecord, now: Date, extraButtons: AlertButtons = () => [], links?: ConsoleLinks): RenderedMessage {
  const s = alert.snapshot;
  const blocks: KnownBlock[] = [];
  // The SLO in plain words: its description when it has one ("99 % of ranking requests within 150 ms").
  const description = links?.slo?.(alert.sloId)?.description;
  const title = `${alert.state === 'resolved' ? 'Resolved' : alert.severity === 'page' ? 'Page' : 'Ticket'}: ${s.service} — ${description ?? s.sloName}`;
  blocks.push({ type: 'header', text: { type: 'plain_text', text: clip(`${title}`, MAX_HEADER), emoji: true } });

  const ratio = alert.state === 'resolved' ? undefined : badAgainstAllowed(alert, links);
  if (ratio) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(ratio) } });
  const stateLine = [`${STATE_ICON[alert.state]} *${alert.state}*`, `severity *${alert.severity}*`, `SLO \`${escapeMrkdwn(alert.sloId)}\` ${s.objectivePercent}% over ${s.window}`];
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(stateLine.join(' · ')) } });

  const fired = s.tiers.filter((t) => t.firing);
  const shown = fired.length > 0 ? fired : s.tiers.filter((t) => t.severity === alert.severity);
  const windowLines = shown.map(
    (t) =>
      `${t.firing ? ':fire:' : ':white_circle:'} *${t.long}/${t.short}* (${t.severity}): long ${burn(t.longBurnRate)} · short ${burn(t.shortBurnRate)} vs factor ${burn(t.factor)}${t.suppressed ? ` — ${escapeMrkdwn(t.suppressed)}` : ''}`,
  );
  if (windowLines.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Windows*\n${windowLines.join('\n')}`) } });

  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Budget remaining*\n${percent(s.budgetRemaining)}` },
      { type: 'mrkdwn', text: `*Time to exhaustion*\n${s.timeToExhaustionSeconds === null ? 'not burning' : humanDuration(s.timeToExhaustionSeconds)}` },
      { type: 'mrkdwn', text: `*Fired*\n${slackDate(alert.firedAt)}` },
      { type: 'mrkdwn', text: `*Runbook*\n${runbookField(s.runbook, links)}` },
    ],
  });

  if (s.suspectedChange) {
    const c = s.suspectedChange;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`:mag: *Suspected change* (${slackDate(c.at)}): ${escapeMrkdwn(c.kind)} \`${escapeMrkdwn(c.subject)}\` — ${escapeMrkdwn(c.summary)}${c.actor ? ` by ${escapeMrkdwn(c.actor)}` : ''}`) },
    });
  }

  const status: string[] = [];
  if (alert.acknowledgedBy && alert.acknowledgedAt) status.push(`Acknowledged by <@${alert.acknowledgedBy.id}> ${slackDate(alert.acknowledgedAt)}`);
  if (alert.silence && (alert.silence.until === null || alert.silence.until > now) && alert.state !== 'resolved') {
    status.push(`:mute: Silenced by <@${alert.silence.by.id}> ${alert.silence.until ? `until ${slackDate(alert.silence.until)}` : 'until resolved'}`);
  }
  if (alert.incidentId !== null) status.push(`:fire_engine: Incident #${alert.incidentId} open`);
  if (alert.resolvedAt) status.push(`Resolved ${slackDate(alert.resolvedAt)}`);
  status.push(`Last evaluated ${slackDate(s.evaluatedAt)}`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(status.join(' · ')) }] });

  const view = sloUrl(links, alert.sloId);
  if (alert.state !== 'resolved') {
    const value = String(alert.id);
    const elements: Array<Button | { type: 'static_select'; action_id: string; placeholder: { type: 'plain_text'; text: string }; options: PlainTextOption[] }> = [];
    if (view) elements.push(viewButton(view));
    if (alert.incidentId === null) elements.push({ type: 'button', action_id: ACTION.alertOpenIncident, text: { type: 'plain_text', text: 'Open incident' }, style: 'danger', value });
    if (alert.state === 'firing') elements.push({ type: 'button', action_id: ACTION.alertAck, text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value });
    elements.push({
      type: 'static_select',
      action_id: ACTION.alertSilence,
      placeholder: { type: 'plain_text', text: 'Silence…' },
      options: [
        { text: { type: 'plain_text', text: 'Silence 1 h' }, value: `${value}:1h` },
        { text: { type: 'plain_text', text: 'Silence 4 h' }, value: `${value}:4h` },
        { text: { type: 'plain_text', text: 'Silence until resolved' }, value: `${value}:resolved` },
      ],
    });
    // An actions block holds at most 25 elements; remediation adds a few at most.
    elements.push(...extraButtons(alert).slice(0, 25 - elements.length));
    blocks.push({ type: 'actions', block_id: `alert_${alert.id}`, elements });
  } else if (view) {
    blocks.push({ type: 'actions', block_id: `alert_${alert.id}`, elements: [viewButton(view)] });
  }
  return { text: alertFallbackText(alert), blocks: capBlocks(blocks) };
}

/** A link when the runbook is a URL or a playbook the console serves; the path as written otherwise. */
function runbookField(runbook: string | null | undefined, links: ConsoleLinks | undefined): string {
  if (!runbook) return 'none set';
  const url = runbookUrl(links, runbook);
  return url ? `<${url}|open runbook>` : `\`${escapeMrkdwn(runbook)}\``;
}

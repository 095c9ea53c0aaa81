// The pinned summary at the top of an incident channel, updated in place as the
// incident moves on; its buttons are the incident's controls.
import type { Button, KnownBlock } from '@slack/types';
import type { Incident, TimelineEntry } from '../../incidents/types.ts';
import type { IncidentFigures } from '../../lifecycle/incident-figures.ts';
import { ACTION } from '../action-ids.ts';
import { humanDuration, slackDate } from './format.ts';
import { capBlocks, chunkLines, clip, escapeMrkdwn, MAX_HEADER } from './limits.ts';
import type { RenderedMessage } from './alert-message.ts';
import { type ConsoleLinks, incidentUrl, viewButton } from './console-links.ts';

const STATUS_ICON = { investigating: ':mag:', mitigated: ':large_green_circle:', resolved: ':white_check_mark:' } as const;
/** The summary shows the latest entries; the post-mortem has all of them. */
const RECENT = 15;

export function timelineLine(e: TimelineEntry): string {
  return `${slackDate(e.at)} ${e.actor ? `<@${e.actor.id}>` : '_burnwatch_'} — ${escapeMrkdwn(e.text)}`;
}

const pct = (x: number) => `${Math.round(x * 10_000) / 100}%`;

/** The incident's figures as one line (the post-mortem's and the report's, src/lifecycle/incident-figures.ts). */
export function figuresLine(f: IncidentFigures): string {
  const span = (s: number | null, none: string) => (s === null ? none : humanDuration(s));
  const budgets = f.slos.map((s) => `\`${escapeMrkdwn(s.sloId)}\` ${s.consumed === null ? 'unknown' : pct(s.consumed)}`).join(', ');
  return (
    `*Budget consumed* ${budgets || 'no SLO linked'} · *detect* ${span(f.toDetectSeconds, '—')} · *acknowledge* ${span(f.toAcknowledgeSeconds, 'not yet')}` +
    ` · *mitigate* ${span(f.toMitigateSeconds, 'not yet')} · *resolve* ${span(f.toResolveSeconds, 'not yet')}`
  );
}

export function renderIncidentSummary(incident: Incident, timeline: TimelineEntry[], now: Date, figures?: IncidentFigures, links?: ConsoleLinks): RenderedMessage {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`Incident #${incident.id}: ${incident.title}`, MAX_HEADER), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${STATUS_ICON[incident.status]} ${incident.status}` },
        { type: 'mrkdwn', text: `*Severity*\n${incident.severity}` },
        { type: 'mrkdwn', text: `*Commander*\n${incident.commander ? `<@${incident.commander.id}>` : 'nobody yet'}` },
        { type: 'mrkdwn', text: `*Opened*\n${slackDate(incident.openedAt)} by ${incident.openedBy ? `<@${incident.openedBy.id}>` : 'burnwatch'}` },
        { type: 'mrkdwn', text: `*SLOs*\n${incident.sloIds.length ? incident.sloIds.map((s) => `\`${escapeMrkdwn(s)}\``).join(', ') : 'none linked'}` },
        {
          type: 'mrkdwn',
          text: `*Duration*\n${humanDuration(((incident.resolvedAt ?? now).getTime() - incident.startedAt.getTime()) / 1000)}${incident.resolvedAt ? '' : ' so far'}`,
        },
      ],
    },
  ];
  if (figures) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(figuresLine(figures)) }] });
  if (incident.resolutionSummary) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Resolution*: ${escapeMrkdwn(incident.resolutionSummary)}`) } });
  }
  const recent = timeline.slice(-RECENT);
  const heading = timeline.length > RECENT ? `*Timeline* (latest ${RECENT} of ${timeline.length})` : '*Timeline*';
  for (const [i, chunk] of chunkLines(recent.map(timelineLine)).entries()) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(i === 0 ? `${heading}\n${chunk}` : chunk) } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'React with :pushpin: to add a message to the timeline · `/incident update <text>` posts an update' }] });
  const view = incidentUrl(links, incident.id);
  if (incident.status !== 'resolved') {
    const value = String(incident.id);
    const buttons: Button[] = [{ type: 'button', action_id: ACTION.incidentTakeCommand, text: { type: 'plain_text', text: 'Take command' }, value }];
    if (incident.status === 'investigating') buttons.push({ type: 'button', action_id: ACTION.incidentMitigated, text: { type: 'plain_text', text: 'Mark mitigated' }, value });
    buttons.push({ type: 'button', action_id: ACTION.incidentResolve, text: { type: 'plain_text', text: 'Resolve…' }, style: 'primary', value });
    if (view) buttons.push(viewButton(view));
    blocks.push({ type: 'actions', block_id: `incident_${incident.id}`, elements: buttons });
  } else if (view) {
    blocks.push({ type: 'actions', block_id: `incident_${incident.id}`, elements: [viewButton(view)] });
  }
  return { text: `Incident #${incident.id} (${incident.status}): ${escapeMrkdwn(incident.title)}`, blocks: capBlocks(blocks) };
}

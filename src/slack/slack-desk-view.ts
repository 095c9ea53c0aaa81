// The Slack bot as a view of the alert and incident desks (src/incidents): it tells them
// where an SLO's alerts are shown and whose on-call group joins an incident channel, and it
// turns what a desk transaction changed into its own outbox jobs (slack-jobs.ts), in that
// transaction. The wording of what it says in an incident channel is decided here.
import { escapeSlackText } from '../authz/escape-slack-text.ts';
import type { Slo } from '../domain/slo.ts';
import type { DeskEffect, DeskView, IncidentNotice } from '../incidents/desk-effects.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { SlackBotConfig } from './slack-config.ts';
import { enqueueSlackJob, laneOf, type SlackJob } from './slack-jobs.ts';

export function slackDeskView(config: Pick<SlackBotConfig, 'defaultChannel' | 'owners'>): DeskView {
  return {
    alertChannel: (slo: Slo | undefined) => slo?.alerting.channel ?? (slo?.owner ? config.owners[slo.owner]?.channel : undefined) ?? config.defaultChannel,
    oncallGroup: (owner: string) => config.owners[owner]?.oncallUsergroup,
    flush: async (q: Queryable, effects: readonly DeskEffect[], at: Date) => {
      for (const effect of effects) {
        const job = jobOf(effect);
        if (!job) continue;
        await enqueueSlackJob(q, job, at, { lane: laneOf(job, effect.kind === 'alert.changed' ? effect.channel : undefined) });
      }
    },
  };
}

function jobOf(effect: DeskEffect): SlackJob | undefined {
  switch (effect.kind) {
    case 'alert.changed':
      // An episode no Slack channel shows (no alerting.channel, owner channel or default).
      return effect.channel ? { kind: 'slack.alert.sync', alertId: effect.alertId } : undefined;
    case 'incident.changed':
      return { kind: 'slack.incident.sync', incidentId: effect.incidentId };
    case 'incident.notice':
      return { kind: 'slack.incident.post', incidentId: effect.incidentId, key: effect.key, text: noticeText(effect.notice) };
    case 'postmortem.due':
      return { kind: 'slack.postmortem', incidentId: effect.incidentId };
  }
}

export function noticeText(n: IncidentNotice): string {
  switch (n.type) {
    case 'resolved':
      return `:white_check_mark: <@${n.by.id}> resolved the incident: ${escapeSlackText(n.summary)}`;
    case 'resolved-by':
      return `:white_check_mark: ${n.by ?? 'someone'} resolved the incident: ${n.summary}`;
    case 'note':
      return `:mega: Update from <@${n.by.id}>: ${escapeSlackText(n.text)}`;
    case 'action':
      return `:hammer_and_wrench: ${n.text}`;
    case 'mitigated':
      return `:large_green_circle: ${n.reason.charAt(0).toUpperCase()}${n.reason.slice(1)}: burnwatch marked the incident *mitigated*. Resolve it with the button on the summary or \`/incident resolve\` once you are sure.`;
    case 'mitigated-by':
      return `:large_green_circle: ${n.by} marked the incident *mitigated* (through the API).`;
    case 'alertmanager-resolved':
      return `:large_green_circle: Alertmanager reports *${n.alertname}* resolved; the incident is marked *mitigated*. Resolve it with \`/incident resolve\` when you are done.`;
  }
}

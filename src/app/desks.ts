// The alert and incident desks of a running service (src/incidents), built whether or not
// Slack runs: a webhook-only or log-only service gets alert episodes, acknowledgements and
// incidents opened by a page. Channels plug in as views (the Slack bot) or take the
// lifecycle events through the outbox (log, webhook); the pagers are acknowledged through
// the outbox and their own acknowledgements come back through the pager bridge.
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import { resolveSlo } from '../evaluator/group-instances.ts';
import { AlertDesk } from '../incidents/alert-desk.ts';
import type { EventChannels } from '../incidents/alert-events.ts';
import { IncidentDesk } from '../incidents/incident-desk.ts';
import { loadIncidentSettings } from '../incidents/incident-settings.ts';
import type { Db } from '../store/db.ts';
import { enqueue } from '../store/repositories/outbox.ts';
import type { Desks, PagerBridge } from '../service/service-context.ts';

export type { Desks };

export interface DeskWiring {
  db: Db;
  clock: Clock;
  slos: () => readonly Slo[];
  env: NodeJS.ProcessEnv;
  /** The channels that take lifecycle events (log, webhook). */
  eventChannels: EventChannels;
  pagers: PagerBridge;
  outboxWritten: () => void;
}

export function buildDesks(w: DeskWiring): Desks {
  // An alert of a grouped SLO carries its instance's id (`service/name[model=a]`).
  const slo = (id: string) => resolveSlo(w.slos(), id);
  const deskDeps = { db: w.db, clock: w.clock, config: loadIncidentSettings(w.env), slo, slos: w.slos, eventChannels: w.eventChannels };
  const incidents = new IncidentDesk(deskDeps);
  const alerts = new AlertDesk({
    ...deskDeps,
    incidents,
    // An acknowledgement in Slack or through the API acknowledges the page in PagerDuty / Opsgenie too (not back where it came from).
    onAcknowledged: async (q, alert, person, at) => {
      const from = person.id.split(':')[0];
      for (const channel of w.pagers.channelsFor(slo(alert.sloId), alert.severity)) {
        if (channel.startsWith(`${from}:`)) continue;
        await enqueue(q, {
          idempotencyKey: `ack:${alert.id}|${channel}`,
          channel,
          kind: 'alert.acknowledged',
          payload: { alert: 'acknowledged', slo: alert.sloId, severity: alert.severity, acknowledgedBy: person.name, at: at.toISOString() },
          at,
        });
      }
    },
  });
  // An acknowledgement or resolution made in a pager acknowledges the episode here (its Slack message, the incident timeline).
  w.pagers.onPagerEvent(async (event) => {
    const episode = await alerts.openEpisode(event.sloId, event.severity === 'ticket' ? 'ticket' : 'page');
    if (!episode) return { applied: false, note: `no open ${event.severity} alert of ${event.sloId}` };
    if (episode.acknowledgedBy) return { applied: false, note: `already acknowledged by ${episode.acknowledgedBy.name}` };
    const verb = event.action === 'resolved' ? 'resolved' : 'acknowledged';
    await alerts.acknowledge(episode.id, { id: `${event.source}:${event.actor}`, name: `${event.actor} (${verb} in ${event.source === 'pagerduty' ? 'PagerDuty' : 'Opsgenie'})` });
    w.outboxWritten();
    return { applied: true };
  });
  return { incidents, alerts };
}

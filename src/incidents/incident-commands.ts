// Incident use cases that need no chat channel (the HTTP lifecycle API calls them): open an
// incident, move its status on. Each runs in the caller's transaction, writes the timeline and
// sends a lifecycle event (incident.opened / .mitigated / .resolved) to every channel that
// takes incident events (log, webhook, the Slack bot's incident lane), through the outbox.
import { randomUUID } from 'node:crypto';
import type { Severity } from '../domain/slo.ts';
import { budgetAt } from '../store/repositories/incident-slos.ts';
import { enqueue } from '../store/repositories/outbox.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import { IncidentError } from './incident-error.ts';
import { addTimeline, getIncident, type IncidentRow, insertIncident, updateIncident } from './incident-store.ts';
import { markMitigated, resolve } from './lifecycle.ts';
import type { Person } from './types.ts';

export type IncidentEventKind = 'incident.opened' | 'incident.mitigated' | 'incident.resolved';

/** The outbox channels of an incident's lifecycle events. */
export type IncidentChannels = (incident: { id: number; sloIds: readonly string[] }) => string[];

export async function emitIncidentEvent(
  q: Queryable,
  incident: IncidentRow,
  kind: IncidentEventKind,
  details: Record<string, unknown>,
  channels: IncidentChannels,
  at: Date,
): Promise<number> {
  let enqueued = 0;
  for (const channel of new Set(channels(incident))) {
    const added = await enqueue(q, {
      idempotencyKey: `incident:${incident.id}:${kind.slice('incident.'.length)}|${channel}`,
      channel,
      kind,
      payload: { incidentId: incident.id, title: incident.title, severity: incident.severity, sloIds: incident.sloIds, at: at.toISOString(), ...details },
      at,
    });
    if (added) enqueued++;
  }
  return enqueued;
}

export interface OpenIncidentRequest {
  title: string;
  severity: Severity;
  sloIds: readonly string[];
  /** When the impact started, if known; default now. */
  startedAt?: Date;
  actor: Person;
  at: Date;
}

export async function openIncident(q: Queryable, r: OpenIncidentRequest, channels: IncidentChannels): Promise<IncidentRow> {
  const title = r.title.trim();
  if (!title) throw new IncidentError('bad_command', 'an incident needs a title');
  const startedAt = r.startedAt && r.startedAt < r.at ? r.startedAt : r.at;
  const { incident } = await insertIncident(q, {
    key: `api:${randomUUID()}`,
    title,
    severity: r.severity,
    source: 'api',
    sloIds: [...r.sloIds],
    alertId: null,
    openedAt: r.at,
    openedBy: r.actor,
    startedAt,
    // Opened by a person: detected and acknowledged when it was opened.
    detectedAt: r.at,
    acknowledgedAt: r.at,
    usergroup: null,
    budgetAtStart: r.sloIds[0] ? await budgetAt(q, r.sloIds[0], startedAt) : null,
  });
  await addTimeline(q, incident.id, { at: r.at, kind: 'status', actor: r.actor, text: `${r.actor.name} opened the incident: ${title}` });
  await emitIncidentEvent(q, incident, 'incident.opened', { source: 'api', openedBy: r.actor.name }, channels, r.at);
  return (await getIncident(q, incident.id))!;
}

export async function setIncidentStatus(
  q: Queryable,
  incidentId: number,
  r: { status: 'mitigated' | 'resolved'; summary?: string; actor: Person; at: Date },
  channels: IncidentChannels,
): Promise<IncidentRow> {
  const incident = await getIncident(q, incidentId);
  if (!incident) throw new IncidentError('not_found', `There is no incident #${incidentId}.`);
  const step = r.status === 'mitigated' ? markMitigated(incident, r.actor, r.at) : resolve(incident, r.actor, r.at, r.summary ?? '');
  if (!step) throw new IncidentError('invalid_transition', `Incident #${incident.id} is already ${incident.status}.`);
  await updateIncident(q, incident.id, step.changes);
  await addTimeline(q, incident.id, step.entry);
  const updated = (await getIncident(q, incident.id))!;
  const details = r.status === 'mitigated' ? { reason: `${r.actor.name} marked it mitigated`, by: r.actor.name } : { summary: updated.resolutionSummary, by: r.actor.name };
  await emitIncidentEvent(q, updated, `incident.${r.status}`, details, channels, r.at);
  return updated;
}

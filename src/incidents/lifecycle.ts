// The incident state machine: investigating → mitigated → resolved, and the timeline
// entry each step writes. Pure: the caller stores the result and tells Slack.
import { IncidentError } from './incident-error.ts';
import type { Incident, IncidentStatus, Person, TimelineEntry } from './types.ts';

export interface Step {
  changes: Partial<Incident>;
  entry: TimelineEntry;
}

const ORDER: Record<IncidentStatus, number> = { investigating: 0, mitigated: 1, resolved: 2 };

function ensureOpen(incident: Incident): void {
  if (incident.status === 'resolved') {
    throw new IncidentError('already_resolved', `Incident #${incident.id} is already resolved.`);
  }
}

export function takeCommand(incident: Incident, person: Person, at: Date): Step {
  ensureOpen(incident);
  if (incident.commander?.id === person.id) {
    throw new IncidentError('invalid_transition', `You are already the commander of incident #${incident.id}.`);
  }
  const before = incident.commander ? ` (was ${incident.commander.name})` : '';
  return { changes: { commander: person }, entry: { at, kind: 'status', actor: person, text: `${person.name} took over as incident commander${before}` } };
}

export function acknowledge(incident: Incident, person: Person, at: Date): Step | null {
  if (incident.acknowledgedAt) return null;
  return { changes: { acknowledgedAt: at }, entry: { at, kind: 'click', actor: person, text: `${person.name} acknowledged` } };
}

/** `person` null: burnwatch saw the page tier reset. */
export function markMitigated(incident: Incident, person: Person | null, at: Date, reason?: string): Step | null {
  ensureOpen(incident);
  if (ORDER[incident.status] >= ORDER.mitigated) return null;
  const who = person ? person.name : 'burnwatch';
  const text = reason ? `${who} marked the incident mitigated: ${reason}` : `${who} marked the incident mitigated`;
  return { changes: { status: 'mitigated', mitigatedAt: at }, entry: { at, kind: 'status', actor: person, text } };
}

export function resolve(incident: Incident, person: Person, at: Date, summary: string): Step {
  ensureOpen(incident);
  const text = summary.trim();
  if (!text) throw new IncidentError('bad_command', 'Please give a one-line summary of what happened and how it was fixed.');
  return {
    changes: { status: 'resolved', resolvedAt: at, resolutionSummary: text, mitigatedAt: incident.mitigatedAt ?? at },
    entry: { at, kind: 'status', actor: person, text: `${person.name} resolved the incident: ${text}` },
  };
}

export function note(person: Person, at: Date, text: string): Step {
  if (!text.trim()) throw new IncidentError('bad_command', 'Usage: `/incident update <what changed>`');
  return { changes: {}, entry: { at, kind: 'note', actor: person, text: `${person.name}: ${text.trim()}` } };
}

/**
 * When the burn started, estimated from the firing tier's burn rates. After a step to
 * error ratio e at t0, the short window (already saturated) reads e and the long one
 * e·(t − t0)/L, so t0 ≈ t − L·β(L)/β(S). Capped at one long window.
 */
export function estimateOnset(firedAt: Date, tier: { longSeconds: number; longBurnRate: number | null; shortBurnRate: number | null }): Date {
  const { longBurnRate: l, shortBurnRate: s } = tier;
  if (!l || !s || l <= 0 || s <= 0) return firedAt;
  const seconds = Math.min(1, l / s) * tier.longSeconds;
  return new Date(firedAt.getTime() - seconds * 1000);
}

// What a desk transaction changed, for the channels that show episodes and incidents
// (views). The desks decide and store; they do not know who shows the result: a view (the
// Slack bot today, see src/slack/slack-desk-view.ts) turns these into its own outbox jobs in
// the same transaction. Lifecycle events for every other channel go through the outbox
// directly (desk-events.ts).
import type { Slo } from '../domain/slo.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { Person } from './types.ts';

/** Something worth saying in an incident's own room (a view words it in its own format). */
export type IncidentNotice =
  | { type: 'resolved'; by: Person; summary: string }
  /** A resolution decided elsewhere (the HTTP API): only the name is known. */
  | { type: 'resolved-by'; by: string | null; summary: string }
  | { type: 'note'; by: Person; text: string }
  | { type: 'action'; text: string }
  /** burnwatch marked it mitigated (the burn stopped, a verified remediation). */
  | { type: 'mitigated'; reason: string }
  /** Someone marked it mitigated through the API. */
  | { type: 'mitigated-by'; by: string }
  | { type: 'alertmanager-resolved'; alertname: string };

export type DeskEffect =
  /** An alert episode changed: show it (post its message, or update it in place). */
  | { kind: 'alert.changed'; alertId: number; channel: string }
  /** An incident changed: show its summary (and its room, once). */
  | { kind: 'incident.changed'; incidentId: number }
  /** Say something in the incident's room, once per key. */
  | { kind: 'incident.notice'; incidentId: number; key: string; notice: IncidentNotice }
  /** The incident resolved: render, store and show the post-mortem draft. */
  | { kind: 'postmortem.due'; incidentId: number };

/** A channel that shows alert episodes and incidents (implemented by an adapter). */
export interface DeskView {
  /** Writes its own outbox jobs for the effects, in the desk's transaction. */
  flush(q: Queryable, effects: readonly DeskEffect[], at: Date): Promise<void>;
  /** Where this view shows an SLO's alerts (a Slack channel); undefined when it has none. */
  alertChannel?(slo: Slo | undefined): string | undefined;
  /** The owner's on-call group this view invites into an incident's room. */
  oncallGroup?(owner: string): string | undefined;
}

/** Effects decided in a transaction, handed to the views with it (duplicates collapse). */
export class DeskEffects {
  readonly #effects: DeskEffect[] = [];

  add(effect: DeskEffect): void {
    const same = (e: DeskEffect) => JSON.stringify(e) === JSON.stringify(effect);
    if (!this.#effects.some(same)) this.#effects.push(effect);
  }

  async flush(q: Queryable, views: readonly DeskView[], at: Date): Promise<void> {
    if (this.#effects.length === 0) return;
    for (const view of views) await view.flush(q, this.#effects, at);
  }
}

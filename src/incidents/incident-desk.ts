// The incident use cases: open (from an alert, a page, a command or Alertmanager),
// take command, acknowledge, mitigate, resolve, note, record an action or a pin.
// Each runs in one transaction that changes the store, writes the timeline, sends the
// lifecycle events to the event channels (log, webhook) and tells the views (the Slack
// bot, when it runs) what changed; no channel is named here.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { parseDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { addIncidentSlo, markIncidentMitigated } from '../store/repositories/incident-slos.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { EventChannels } from './alert-events.ts';
import { getAlert, updateAlert } from './alert-store.ts';
import { DeskEffects, type DeskView } from './desk-effects.ts';
import { emitIncidentEvent, type IncidentEventKind } from './incident-commands.ts';
import { IncidentError } from './incident-error.ts';
import { addTimeline, getIncident, type IncidentRow, insertIncident, listTimeline, openIncidentsForSlo, updateIncident } from './incident-store.ts';
import { acknowledge, estimateOnset, markMitigated, note, resolve, type Step, takeCommand } from './lifecycle.ts';
import type { AlertRecord, Incident, Person, TimelineEntry } from './types.ts';

/** How the alert and incident lifecycle behaves, whatever channels show it (src/incidents/incident-settings.ts). */
export interface IncidentSettings {
  /** Open an incident by itself when a page tier fires. */
  autoOpenIncidentOnPage: boolean;
  /** Prefix for runbook paths that are not URLs (e.g. a git web URL of playbooks/). */
  runbookBaseUrl: string | undefined;
}

export interface DeskDeps {
  db: Db;
  clock: Clock;
  config: IncidentSettings;
  /** Channels that take lifecycle events (log, webhook); views are told through DeskEffects. */
  eventChannels?: EventChannels;
  /** Channels that show episodes and incidents (more with addView). */
  views?: readonly DeskView[];
  /** The loaded SLOs (they change on reload, so a lookup rather than a copy). */
  slo: (id: string) => Slo | undefined;
  slos: () => readonly Slo[];
}

export interface AlertmanagerAlert {
  fingerprint: string;
  alertname: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt?: Date | null;
}

export class IncidentDesk {
  readonly #d: DeskDeps;
  readonly #views: DeskView[];

  constructor(deps: DeskDeps) {
    this.#d = deps;
    this.#views = [...(deps.views ?? [])];
  }

  get deps(): DeskDeps {
    return this.#d;
  }

  /** A channel that shows episodes and incidents (the Slack bot plugs itself in here). */
  addView(view: DeskView): void {
    this.#views.push(view);
  }

  /** Runs `fn` in a transaction; the effects collected by it go to the views in the same transaction. */
  async tx<T>(fn: (q: Queryable, jobs: DeskEffects) => Promise<T>): Promise<T> {
    return withTransaction(this.#d.db, async (client) => this.inTx(client, fn));
  }

  /** Like tx, in the caller's transaction (the evaluation cycle's, an idempotent API write's). */
  async inTx<T>(q: Queryable, fn: (q: Queryable, jobs: DeskEffects) => Promise<T>): Promise<T> {
    const jobs = new DeskEffects();
    const result = await fn(q, jobs);
    await jobs.flush(q, this.#views, this.#d.clock.now());
    return result;
  }

  /** Where the views show an SLO's alerts (a Slack channel); undefined when none does. */
  alertChannel(slo: Slo | undefined): string | undefined {
    for (const view of this.#views) {
      const channel = view.alertChannel?.(slo);
      if (channel) return channel;
    }
    return undefined;
  }

  usergroupFor(owner: string | null | undefined): string | null {
    if (!owner) return null;
    for (const view of this.#views) {
      const group = view.oncallGroup?.(owner);
      if (group) return group;
    }
    return null;
  }

  /** Sends an incident lifecycle event to the event channels, in the caller's transaction. */
  async emitIn(q: Queryable, incident: IncidentRow, kind: IncidentEventKind, details: Record<string, unknown>, at: Date): Promise<void> {
    const channels = this.#d.eventChannels;
    if (channels) await emitIncidentEvent(q, incident, kind, details, () => [...channels()], at);
  }

  /** Opens (or returns the already open) incident of an alert episode. */
  async openFromAlert(alertId: number, person: Person | null): Promise<{ incident: IncidentRow; created: boolean }> {
    return this.tx((q, jobs) => this.openFromAlertIn(q, jobs, alertId, person));
  }

  async openFromAlertIn(q: Queryable, jobs: DeskEffects, alertId: number, person: Person | null): Promise<{ incident: IncidentRow; created: boolean }> {
    const now = this.#d.clock.now();
    const alert = await getAlert(q, alertId, true);
    if (!alert) throw new IncidentError('not_found', `Alert ${alertId} does not exist (any more).`);
    if (alert.incidentId !== null) {
      const existing = await getIncident(q, alert.incidentId);
      if (existing) return { incident: existing, created: false };
    }
    const slo = this.#d.slo(alert.sloId);
    const tier = alert.snapshot.tiers.find((t) => t.firing && t.severity === alert.severity) ?? alert.snapshot.tiers.find((t) => t.firing);
    const startedAt = alert.snapshot.burnStartedAt
      ? new Date(alert.snapshot.burnStartedAt)
      : tier
      ? estimateOnset(alert.firedAt, { longSeconds: parseDuration(tier.long), longBurnRate: tier.longBurnRate, shortBurnRate: tier.shortBurnRate })
      : alert.firedAt;
    const { incident, created } = await insertIncident(q, {
      key: `alert:${alert.id}`,
      title: `${alert.snapshot.sloName} is burning its error budget`,
      severity: alert.severity,
      source: person ? 'alert' : 'auto',
      sloIds: [alert.sloId],
      alertId: alert.id,
      openedAt: now,
      openedBy: person,
      startedAt,
      detectedAt: alert.firedAt,
      acknowledgedAt: alert.acknowledgedAt,
      usergroup: this.usergroupFor(slo?.owner ?? alert.snapshot.owner),
      budgetAtStart: alert.budgetAtFiring,
    });
    if (!created) return { incident, created };
    await updateAlert(q, alert.id, { incidentId: incident.id });
    const windows = alert.snapshot.tiers.filter((t) => t.firing).map((t) => `${t.long}/${t.short}`).join(', ');
    const entries: Array<[TimelineEntry, string]> = [
      [{ at: startedAt, kind: 'alert', actor: null, text: 'Burn started (estimated from the burn rates and the evaluations before)' }, `onset:${incident.id}`],
      [{ at: alert.firedAt, kind: 'alert', actor: null, text: `${alert.severity} alert fired for ${alert.sloId} (${windows || 'windows unknown'})` }, `fired:${incident.id}:${alert.id}`],
    ];
    if (alert.acknowledgedAt && alert.acknowledgedBy) {
      entries.push([{ at: alert.acknowledgedAt, kind: 'click', actor: alert.acknowledgedBy, text: `${alert.acknowledgedBy.name} acknowledged the alert` }, `ack:${incident.id}`]);
    }
    const opener = person ? `${person.name} opened the incident from the alert` : `burnwatch opened the incident: a ${alert.severity} tier fired`;
    entries.push([{ at: now, kind: 'status', actor: person, text: opener }, `opened:${incident.id}`]);
    for (const [entry, key] of entries) await addTimeline(q, incident.id, entry, key);
    jobs.add({ kind: 'incident.changed', incidentId: incident.id });
    jobs.add({ kind: 'alert.changed', alertId: alert.id, channel: alert.channel });
    await this.emitIn(q, incident, 'incident.opened', { source: incident.source, alertId: alert.id, openedBy: person?.name ?? 'burnwatch' }, now);
    return { incident, created };
  }

  /** `/incident open <title>`: links the SLO's open alert when the text names an SLO or service. */
  async openFromCommand(person: Person, text: string): Promise<{ incident: IncidentRow; created: boolean }> {
    const title = text.trim();
    if (!title) throw new IncidentError('bad_command', 'Usage: `/incident open <what is wrong>` (name an SLO id to link its alert).');
    return this.tx(async (q, jobs) => {
      const words = title.split(/\s+/);
      const linked = this.#d.slos().find((s) => words.includes(s.id)) ?? this.#d.slos().find((s) => words.includes(s.service));
      if (linked) {
        const { rows } = await q.query<{ id: string }>(
          `SELECT id FROM slack_alerts WHERE slo_id = $1 AND state <> 'resolved' AND incident_id IS NULL ORDER BY severity = 'page' DESC, id LIMIT 1`,
          [linked.id],
        );
        if (rows[0]) return this.openFromAlertIn(q, jobs, Number(rows[0].id), person);
      }
      const now = this.#d.clock.now();
      const result = await insertIncident(q, {
        key: `command:${randomUUID()}`,
        title,
        severity: 'page',
        source: 'command',
        sloIds: linked ? [linked.id] : [],
        alertId: null,
        openedAt: now,
        openedBy: person,
        startedAt: now,
        detectedAt: now,
        acknowledgedAt: now,
        usergroup: this.usergroupFor(linked?.owner),
        budgetAtStart: linked ? await latestBudget(q, linked.id) : null,
      });
      await addTimeline(q, result.incident.id, { at: now, kind: 'status', actor: person, text: `${person.name} opened the incident: ${title}` });
      jobs.add({ kind: 'incident.changed', incidentId: result.incident.id });
      await this.emitIn(q, result.incident, 'incident.opened', { source: 'command', openedBy: person.name }, now);
      return result;
    });
  }

  /**
   * An Alertmanager alert, the one path from POST /api/alertmanager to an incident (called in
   * its transaction, see fromAlertmanagerIn): a paging severity opens the incident with its
   * details and timeline; resolved marks it mitigated (people resolve it).
   */
  async fromAlertmanager(alert: AlertmanagerAlert): Promise<IncidentRow | undefined> {
    return this.tx(async (q, jobs) => this.alertmanagerIn(q, jobs, alert));
  }

  /** Like fromAlertmanager, in the caller's transaction (the Alertmanager receiver's). */
  async fromAlertmanagerIn(q: Queryable, alert: AlertmanagerAlert): Promise<IncidentRow | undefined> {
    return this.inTx(q, async (tx, jobs) => this.alertmanagerIn(tx, jobs, alert));
  }

  private async alertmanagerIn(q: Queryable, jobs: DeskEffects, alert: AlertmanagerAlert): Promise<IncidentRow | undefined> {
    {
      const key = `alertmanager:${alert.fingerprint}:${alert.startsAt.toISOString()}`;
      const now = this.#d.clock.now();
      const { rows } = await q.query<{ id: string }>('SELECT id FROM incidents WHERE key = $1', [key]);
      let incident = rows[0] ? await getIncident(q, Number(rows[0].id), true) : undefined;
      if (alert.status === 'resolved') {
        if (incident?.status !== 'investigating') return incident;
        const step = markMitigated(incident, null, alert.endsAt ?? now, `Alertmanager reports ${alert.alertname} resolved`);
        if (step) step.changes.resolvedAt = null;
        const updated = await this.applyIn(q, jobs, incident, step, `am-resolved:${key}`);
        if (step) await this.emitIn(q, updated, 'incident.mitigated', { reason: `Alertmanager reports ${alert.alertname} resolved` }, alert.endsAt ?? now);
        jobs.add({ kind: 'incident.notice', incidentId: incident.id, key: `am-resolved:${incident.id}`, notice: { type: 'alertmanager-resolved', alertname: alert.alertname } });
        return updated;
      }
      const severityLabel = (alert.labels['severity'] ?? '').toLowerCase();
      const paging = ['critical', 'page', 'high'].includes(severityLabel);
      if (!incident && !paging) return undefined;
      const sloId = alert.labels['slo'] ?? alert.labels['sloth_id'] ?? null;
      const summary = alert.annotations['summary'] ?? alert.annotations['description'] ?? '';
      const fields = {
        sloIds: sloId ? [sloId] : [],
        usergroup: this.usergroupFor(alert.labels['owner'] ?? alert.labels['team'] ?? (sloId ? this.#d.slo(sloId)?.owner : undefined)),
        budgetAtStart: sloId ? await latestBudget(q, sloId) : null,
      };
      if (!incident) {
        let created: boolean;
        ({ incident, created } = await insertIncident(q, {
          key,
          title: summary || alert.alertname,
          severity: paging ? 'page' : 'ticket',
          source: 'alertmanager',
          alertId: null,
          openedAt: now,
          openedBy: null,
          startedAt: alert.startsAt,
          detectedAt: alert.startsAt,
          acknowledgedAt: null,
          ...fields,
        }));
        if (created) await this.emitIn(q, incident, 'incident.opened', { source: 'alertmanager', alertname: alert.alertname, openedBy: 'burnwatch' }, now);
      } else {
        // A base row opened by an older version's receiver: add the details (once).
        await q.query(
          `UPDATE incidents SET started_at = COALESCE(started_at, $2), detected_at = COALESCE(detected_at, $2),
             severity = $3, slo_ids = CASE WHEN slo_ids = '[]'::jsonb THEN $4::jsonb ELSE slo_ids END,
             usergroup = COALESCE(usergroup, $5), budget_at_start = COALESCE(budget_at_start, $6) WHERE id = $1`,
          [incident.id, alert.startsAt, paging ? 'page' : 'ticket', JSON.stringify(fields.sloIds), fields.usergroup, fields.budgetAtStart],
        );
        if (sloId) await addIncidentSlo(q, incident.id, sloId, alert.startsAt, fields.budgetAtStart);
      }
      const labels = Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`).join(', ');
      const added = await addTimeline(q, incident.id, { at: alert.startsAt, kind: 'alert', actor: null, text: `Alertmanager alert ${alert.alertname} firing (${labels})` }, `am-firing:${key}`);
      if (added) {
        await addTimeline(q, incident.id, { at: now, kind: 'status', actor: null, text: 'burnwatch opened the incident from Alertmanager' }, `opened:${incident.id}`);
        jobs.add({ kind: 'incident.changed', incidentId: incident.id });
      }
      return (await getIncident(q, incident.id))!;
    }
  }

  async takeCommand(incidentId: number, person: Person): Promise<IncidentRow> {
    return this.step(incidentId, (i, at) => takeCommand(i, person, at));
  }

  async markMitigated(incidentId: number, person: Person): Promise<IncidentRow> {
    return this.tx(async (q, jobs) => {
      const incident = await this.lock(q, incidentId);
      const at = this.#d.clock.now();
      const step = markMitigated(incident, person, at);
      if (!step) throw new IncidentError('invalid_transition', `Incident #${incident.id} is already ${incident.status}.`);
      const updated = await this.applyIn(q, jobs, incident, step);
      await this.emitIn(q, updated, 'incident.mitigated', { reason: `${person.name} marked it mitigated`, by: person.name }, at);
      return updated;
    });
  }

  async acknowledge(incidentId: number, person: Person): Promise<IncidentRow> {
    return this.step(incidentId, (i, at) => acknowledge(i, person, at));
  }

  /** Resolves with a one-line summary, then renders and posts the post-mortem draft. */
  async resolve(incidentId: number, person: Person, summary: string): Promise<IncidentRow> {
    return this.tx(async (q, jobs) => {
      const incident = await this.lock(q, incidentId);
      const step = resolve(incident, person, this.#d.clock.now(), summary);
      const budgets = await Promise.all(incident.sloIds.map((id) => latestBudget(q, id)));
      const known = budgets.filter((b): b is number => b !== null);
      if (known.length > 0) step.changes.budgetAtEnd = Math.min(...known);
      const updated = await this.applyIn(q, jobs, incident, step);
      jobs.add({ kind: 'incident.notice', incidentId, key: `resolved:${incidentId}`, notice: { type: 'resolved', by: person, summary: summary.trim() } });
      jobs.add({ kind: 'postmortem.due', incidentId });
      await this.emitIn(q, updated, 'incident.resolved', { summary: updated.resolutionSummary, by: person.name }, step.changes.resolvedAt ?? this.#d.clock.now());
      return updated;
    });
  }

  /** `/incident update <text>`: a timeline note, announced in the channel. */
  async addNote(incidentId: number, person: Person, text: string): Promise<IncidentRow> {
    return this.tx(async (q, jobs) => {
      const incident = await this.lock(q, incidentId);
      const updated = await this.applyIn(q, jobs, incident, note(person, this.#d.clock.now(), text));
      jobs.add({ kind: 'incident.notice', incidentId, key: `note:${randomUUID()}`, notice: { type: 'note', by: person, text: text.trim() } });
      return updated;
    });
  }

  /**
   * An action (e.g. a rollback) on the timeline of every open incident of the SLO, announced
   * in their channels. For src/actions: call it after the action's outcome is known.
   */
  async recordAction(
    sloId: string,
    actor: Person | null,
    action: { action: string; target?: string; outcome?: string },
    dedupKey?: string,
    /** A verified remediation that succeeded (the rollout is available and the burn stopped): the incident is mitigated. */
    verifiedSuccess = false,
  ): Promise<number[]> {
    return this.tx(async (q, jobs) => {
      const at = this.#d.clock.now();
      const text = `${actor ? `${actor.name}: ` : ''}${action.action}${action.target ? ` ${action.target}` : ''}${action.outcome ? ` → ${action.outcome}` : ''}`;
      const incidents = await openIncidentsForSlo(q, sloId);
      for (const i of incidents) {
        if (await addTimeline(q, i.id, { at, kind: 'action', actor, text, details: action }, dedupKey ? `${dedupKey}:${i.id}` : undefined)) {
          jobs.add({ kind: 'incident.notice', incidentId: i.id, key: `action:${randomUUID()}`, notice: { type: 'action', text } });
          jobs.add({ kind: 'incident.changed', incidentId: i.id });
        }
        if (verifiedSuccess && i.status === 'investigating' && (await markIncidentMitigated(q, i.id, at))) {
          const reason = `a verified remediation succeeded (${action.target ?? action.action})`;
          await addTimeline(q, i.id, { at, kind: 'status', actor: null, text: `burnwatch marked the incident mitigated: ${reason}` }, `mitigated:${i.id}`);
          jobs.add({ kind: 'incident.notice', incidentId: i.id, key: `auto-mitigated:${i.id}`, notice: { type: 'mitigated', reason } });
          await this.emitIn(q, { ...i, status: 'mitigated', mitigatedAt: at }, 'incident.mitigated', { reason }, at);
        }
      }
      return incidents.map((i) => i.id);
    });
  }

  /**
   * The evaluation cycle marked the incident mitigated (the burn stopped, see
   * src/lifecycle/incident-progress.ts): the channel is told and the summary updated.
   */

  /**
   * A lifecycle event from elsewhere (the HTTP API, the evaluation cycle): the incident gets its
   * channel and summary, and what changed is said there; a resolution posts the post-mortem draft.
   */
  async announce(kind: string, incidentId: number, payload: Record<string, unknown>): Promise<void> {
    const by = typeof payload['by'] === 'string' ? payload['by'] : null;
    await this.tx(async (_q, jobs) => {
      jobs.add({ kind: 'incident.changed', incidentId });
      if (kind === 'incident.mitigated' && by) {
        jobs.add({ kind: 'incident.notice', incidentId, key: `mitigated:${incidentId}`, notice: { type: 'mitigated-by', by } });
      } else if (kind === 'incident.mitigated') {
        jobs.add({ kind: 'incident.notice', incidentId, key: `auto-mitigated:${incidentId}`, notice: { type: 'mitigated', reason: String(payload['reason'] ?? 'the burn stopped') } });
      } else if (kind === 'incident.resolved') {
        jobs.add({ kind: 'incident.notice', incidentId, key: `resolved:${incidentId}`, notice: { type: 'resolved-by', by, summary: String(payload['summary'] ?? '') } });
        jobs.add({ kind: 'postmortem.due', incidentId });
      }
    });
  }

  /** Adds an alert transition to the timeline of the alert's incident. */
  async alertTransitionIn(q: Queryable, jobs: DeskEffects, alert: AlertRecord, text: string, at: Date, key: string): Promise<void> {
    if (alert.incidentId === null) return;
    if (await addTimeline(q, alert.incidentId, { at, kind: 'alert', actor: null, text }, key)) {
      jobs.add({ kind: 'incident.changed', incidentId: alert.incidentId });
    }
  }

  async timeline(incidentId: number): Promise<TimelineEntry[]> {
    return listTimeline(this.#d.db, incidentId);
  }

  async get(incidentId: number): Promise<IncidentRow> {
    const incident = await getIncident(this.#d.db, incidentId);
    if (!incident) throw new IncidentError('not_found', `There is no incident #${incidentId}.`);
    return incident;
  }

  private async lock(q: Queryable, incidentId: number): Promise<IncidentRow> {
    const incident = await getIncident(q, incidentId, true);
    if (!incident) throw new IncidentError('not_found', `There is no incident #${incidentId}.`);
    return incident;
  }

  private async step(incidentId: number, decide: (i: Incident, at: Date) => Step | null): Promise<IncidentRow> {
    return this.tx(async (q, jobs) => {
      const incident = await this.lock(q, incidentId);
      const step = decide(incident, this.#d.clock.now());
      return step ? this.applyIn(q, jobs, incident, step) : incident;
    });
  }

  async applyIn(q: Queryable, jobs: DeskEffects, incident: IncidentRow, step: Step | null, dedupKey?: string): Promise<IncidentRow> {
    if (!step) return incident;
    await updateIncident(q, incident.id, step.changes);
    await addTimeline(q, incident.id, step.entry, dedupKey);
    jobs.add({ kind: 'incident.changed', incidentId: incident.id });
    return { ...incident, ...step.changes };
  }
}

export async function latestBudget(q: Queryable, sloId: string): Promise<number | null> {
  const { rows } = await q.query<{ budget_remaining: number | null }>(
    'SELECT budget_remaining FROM evaluations WHERE slo_id = $1 AND budget_remaining IS NOT NULL ORDER BY evaluated_at DESC LIMIT 1',
    [sloId],
  );
  return rows[0]?.budget_remaining ?? null;
}


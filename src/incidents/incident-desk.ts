// The incident use cases: open (from an alert, a page, a command or Alertmanager),
// take command, acknowledge, mitigate, resolve, note, record an action or a pin.
// Each runs in one transaction that changes the store, writes the timeline and
// enqueues the Slack jobs that show it; nothing here talks to Slack directly.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { parseDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { escapeSlackText } from '../authz/escape-slack-text.ts';
import { getAlert, updateAlert } from '../slack/alert-store.ts';
import type { SlackBotConfig } from '../slack/slack-config.ts';
import { enqueueSlackJob, laneOf, type SlackJob } from '../slack/slack-jobs.ts';
import { type Db, withTransaction } from '../store/db.ts';
import { addIncidentSlo, markIncidentMitigated } from '../store/repositories/incident-slos.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import { IncidentError } from './incident-error.ts';
import { addTimeline, getIncident, type IncidentRow, insertIncident, listTimeline, openIncidentsForSlo, updateIncident } from './incident-store.ts';
import { acknowledge, estimateOnset, markMitigated, note, resolve, type Step, takeCommand } from './lifecycle.ts';
import type { AlertRecord, Incident, Person, TimelineEntry } from './types.ts';

export interface DeskDeps {
  db: Db;
  clock: Clock;
  config: SlackBotConfig;
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

  constructor(deps: DeskDeps) {
    this.#d = deps;
  }

  get deps(): DeskDeps {
    return this.#d;
  }

  /** Runs `fn` in a transaction; `jobs` collected by it are enqueued in the same transaction. */
  async tx<T>(fn: (q: Queryable, jobs: JobList) => Promise<T>): Promise<T> {
    return withTransaction(this.#d.db, async (client) => {
      const jobs = new JobList();
      const result = await fn(client, jobs);
      await jobs.flush(client, this.#d.clock.now());
      return result;
    });
  }

  usergroupFor(owner: string | null | undefined): string | null {
    return (owner && this.#d.config.owners[owner]?.oncallUsergroup) || null;
  }

  /** Opens (or returns the already open) incident of an alert episode. */
  async openFromAlert(alertId: number, person: Person | null): Promise<{ incident: IncidentRow; created: boolean }> {
    return this.tx((q, jobs) => this.openFromAlertIn(q, jobs, alertId, person));
  }

  async openFromAlertIn(q: Queryable, jobs: JobList, alertId: number, person: Person | null): Promise<{ incident: IncidentRow; created: boolean }> {
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
    jobs.add({ kind: 'slack.incident.sync', incidentId: incident.id });
    jobs.add({ kind: 'slack.alert.sync', alertId: alert.id }, alert.channel);
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
      jobs.add({ kind: 'slack.incident.sync', incidentId: result.incident.id });
      return result;
    });
  }

  /**
   * An Alertmanager alert (the service's POST /api/alertmanager stores it, opens the base
   * incident for paging severities and notifies us): firing gets the incident its details,
   * channel and timeline; resolved marks it mitigated (people resolve it).
   */
  async fromAlertmanager(alert: AlertmanagerAlert): Promise<IncidentRow | undefined> {
    return this.tx(async (q, jobs) => {
      const key = `alertmanager:${alert.fingerprint}:${alert.startsAt.toISOString()}`;
      const now = this.#d.clock.now();
      const { rows } = await q.query<{ id: string }>('SELECT id FROM incidents WHERE key = $1', [key]);
      let incident = rows[0] ? await getIncident(q, Number(rows[0].id), true) : undefined;
      if (alert.status === 'resolved') {
        if (incident?.status !== 'investigating') return incident;
        const step = markMitigated(incident, null, alert.endsAt ?? now, `Alertmanager reports ${alert.alertname} resolved`);
        if (step) step.changes.resolvedAt = null;
        const updated = await this.applyIn(q, jobs, incident, step, `am-resolved:${key}`);
        jobs.add({ kind: 'slack.incident.post', incidentId: incident.id, key: `am-resolved:${incident.id}`, text: `:large_green_circle: Alertmanager reports *${alert.alertname}* resolved; the incident is marked *mitigated*. Resolve it with \`/incident resolve\` when you are done.` });
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
        ({ incident } = await insertIncident(q, {
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
      } else {
        // The service opened the base row: add what the bot keeps (once).
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
        jobs.add({ kind: 'slack.incident.sync', incidentId: incident.id });
      }
      return (await getIncident(q, incident.id))!;
    });
  }

  async takeCommand(incidentId: number, person: Person): Promise<IncidentRow> {
    return this.step(incidentId, (i, at) => takeCommand(i, person, at));
  }

  async markMitigated(incidentId: number, person: Person): Promise<IncidentRow> {
    return this.step(incidentId, (i, at) => {
      const s = markMitigated(i, person, at);
      if (!s) throw new IncidentError('invalid_transition', `Incident #${i.id} is already ${i.status}.`);
      return s;
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
      jobs.add({ kind: 'slack.incident.post', incidentId, key: `resolved:${incidentId}`, text: `:white_check_mark: <@${person.id}> resolved the incident: ${escapeSlackText(summary.trim())}` });
      jobs.add({ kind: 'slack.postmortem', incidentId });
      return updated;
    });
  }

  /** `/incident update <text>`: a timeline note, announced in the channel. */
  async addNote(incidentId: number, person: Person, text: string): Promise<IncidentRow> {
    return this.tx(async (q, jobs) => {
      const incident = await this.lock(q, incidentId);
      const updated = await this.applyIn(q, jobs, incident, note(person, this.#d.clock.now(), text));
      jobs.add({ kind: 'slack.incident.post', incidentId, key: `note:${randomUUID()}`, text: `:mega: Update from <@${person.id}>: ${escapeSlackText(text.trim())}` });
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
          jobs.add({ kind: 'slack.incident.post', incidentId: i.id, key: `action:${randomUUID()}`, text: `:hammer_and_wrench: ${text}` });
          jobs.add({ kind: 'slack.incident.sync', incidentId: i.id });
        }
        if (verifiedSuccess && i.status === 'investigating' && (await markIncidentMitigated(q, i.id, at))) {
          const reason = `a verified remediation succeeded (${action.target ?? action.action})`;
          await addTimeline(q, i.id, { at, kind: 'status', actor: null, text: `burnwatch marked the incident mitigated: ${reason}` }, `mitigated:${i.id}`);
          jobs.add({ kind: 'slack.incident.post', incidentId: i.id, key: `auto-mitigated:${i.id}`, text: mitigatedNotice(reason) });
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
      jobs.add({ kind: 'slack.incident.sync', incidentId });
      if (kind === 'incident.mitigated' && by) {
        jobs.add({ kind: 'slack.incident.post', incidentId, key: `mitigated:${incidentId}`, text: `:large_green_circle: ${by} marked the incident *mitigated* (through the API).` });
      } else if (kind === 'incident.mitigated') {
        jobs.add({ kind: 'slack.incident.post', incidentId, key: `auto-mitigated:${incidentId}`, text: mitigatedNotice(String(payload['reason'] ?? 'the burn stopped')) });
      } else if (kind === 'incident.resolved') {
        jobs.add({ kind: 'slack.incident.post', incidentId, key: `resolved:${incidentId}`, text: `:white_check_mark: ${by ?? 'someone'} resolved the incident: ${String(payload['summary'] ?? '')}` });
        jobs.add({ kind: 'slack.postmortem', incidentId });
      }
    });
  }

  /** Adds an alert transition to the timeline of the alert's incident. */
  async alertTransitionIn(q: Queryable, jobs: JobList, alert: AlertRecord, text: string, at: Date, key: string): Promise<void> {
    if (alert.incidentId === null) return;
    if (await addTimeline(q, alert.incidentId, { at, kind: 'alert', actor: null, text }, key)) {
      jobs.add({ kind: 'slack.incident.sync', incidentId: alert.incidentId });
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

  async applyIn(q: Queryable, jobs: JobList, incident: IncidentRow, step: Step | null, dedupKey?: string): Promise<IncidentRow> {
    if (!step) return incident;
    await updateIncident(q, incident.id, step.changes);
    await addTimeline(q, incident.id, step.entry, dedupKey);
    jobs.add({ kind: 'slack.incident.sync', incidentId: incident.id });
    return { ...incident, ...step.changes };
  }
}

/** Slack jobs decided in a transaction, enqueued with it (duplicates of a sync collapse). */
export class JobList {
  readonly #jobs: Array<{ job: SlackJob; alertChannel?: string | undefined }> = [];

  add(job: SlackJob, alertChannel?: string): void {
    const same = (j: SlackJob) => JSON.stringify(j) === JSON.stringify(job);
    if (!this.#jobs.some((x) => same(x.job))) this.#jobs.push({ job, alertChannel });
  }

  async flush(q: Queryable, at: Date): Promise<void> {
    for (const { job, alertChannel } of this.#jobs) {
      await enqueueSlackJob(q, job, at, { lane: laneOf(job, alertChannel) });
    }
  }
}

function mitigatedNotice(reason: string): string {
  return `:large_green_circle: ${reason.charAt(0).toUpperCase()}${reason.slice(1)}: burnwatch marked the incident *mitigated*. Resolve it with the button on the summary or \`/incident resolve\` once you are sure.`;
}

export async function latestBudget(q: Queryable, sloId: string): Promise<number | null> {
  const { rows } = await q.query<{ budget_remaining: number | null }>(
    'SELECT budget_remaining FROM evaluations WHERE slo_id = $1 AND budget_remaining IS NOT NULL ORDER BY evaluated_at DESC LIMIT 1',
    [sloId],
  );
  return rows[0]?.budget_remaining ?? null;
}


// Alert episodes, whatever channel shows them. The state machine's intents (firing/resolved
// per tier) become one episode per SLO and severity (applied in the evaluation cycle's
// transaction); people acknowledge and silence it (from Slack's buttons, the HTTP API or a
// pager); a page may open an incident by itself. Each change is a lifecycle event for the
// event channels and an effect for the views (Slack updates its message in place).
// Mitigation is the evaluation cycle's (the burn stopped), not a tier reset's.
import type { AlertIntent } from '../alerting/state-machine.ts';
import { parseDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { formatSpan } from '../lifecycle/incident-figures.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import { emitAlertEvent } from './alert-events.ts';
import { addSilence, getAlert, insertAlert, isSilenced, liftSilencesUntilResolved, listOpenAlerts, markIntentApplied, openAlert, updateAlert } from './alert-store.ts';
import type { DeskEffects } from './desk-effects.ts';
import { IncidentError } from './incident-error.ts';
import type { DeskDeps, IncidentDesk } from './incident-desk.ts';
import { addTimeline, getIncident } from './incident-store.ts';
import { acknowledge, estimateOnset } from './lifecycle.ts';
import type { AlertRecord, AlertSnapshot, Person, SuspectedChange } from './types.ts';

/** How long a silence set from an episode lasts. */
export const SILENCE_OPTIONS = ['1h', '4h', 'resolved'] as const;
export type SilenceOption = (typeof SILENCE_OPTIONS)[number];

/** Other places a suspected change can come from (e.g. new workload revisions, src/actions). */
export type ChangeSuspects = (slo: Slo | undefined, sloId: string, from: Date, to: Date) => Promise<SuspectedChange[]>;

export interface AlertDeskDeps extends DeskDeps {
  incidents: IncidentDesk;
  suspects?: ChangeSuspects;
  /** Told in the acknowledgement's transaction (the pagers are acknowledged through the outbox). */
  onAcknowledged?: (q: Queryable, alert: AlertRecord, person: Person, at: Date) => Promise<void>;
}

/** How long before the estimated onset a change still counts as "shortly before". */
const SUSPECT_LEAD_SECONDS = 30 * 60;

export class AlertDesk {
  readonly #d: AlertDeskDeps;
  #suspects: ChangeSuspects | undefined;

  constructor(deps: AlertDeskDeps) {
    this.#d = deps;
    this.#suspects = deps.suspects;
  }

  /** Another source of suspected changes (e.g. new workload revisions, src/actions). */
  useSuspects(suspects: ChangeSuspects): void {
    this.#suspects = suspects;
  }

  /** The alert channel a view shows an SLO in (its own, its owner's, or the default); throws when none. */
  channelFor(slo: Slo | undefined, fallback?: string): string {
    const channel = this.#d.incidents.alertChannel(slo) ?? fallback;
    if (!channel) throw new IncidentError('no_slo', `no alert channel for ${slo?.id ?? 'this alert'}: set alerting.channel, SLACK_OWNER_CHANNELS or SLACK_DEFAULT_CHANNEL`);
    return channel;
  }

  /**
   * Applies one intent of the alerting state machine (idempotent per intent key).
   * Returns the alert episode it touched, if any.
   */
  async applyIntent(intent: AlertIntent, laneChannel?: string): Promise<number | null> {
    return this.#d.incidents.tx(async (q, jobs) => this.applyIntentIn(q, jobs, intent, laneChannel));
  }

  /** The intents of one evaluation cycle, in its transaction (so an episode exists once its cycle is written). */
  async applyIntentsIn(q: Queryable, intents: readonly AlertIntent[]): Promise<void> {
    // One effect list per intent, as when each was delivered on its own: a view shows every step.
    for (const intent of intents) await this.#d.incidents.inTx(q, async (tx, jobs) => this.applyIntentIn(tx, jobs, intent));
  }

  private async applyIntentIn(q: Queryable, jobs: DeskEffects, intent: AlertIntent, laneChannel?: string): Promise<number | null> {
    {
      const now = this.#d.clock.now();
      if (!(await markIntentApplied(q, intent.idempotencyKey, now))) return null;
      if ((intent.kind !== 'firing' && intent.kind !== 'resolved') || !intent.severity) return null;
      const slo = this.#d.slo(intent.sloId);
      const at = new Date(intent.at);
      const tierName = intent.tier ? `${intent.tier.long}/${intent.tier.short}` : (intent.tierKey ?? 'a tier');
      const existing = await openAlert(q, intent.sloId, intent.severity);

      if (intent.kind === 'firing') {
        const snapshot = await this.snapshot(q, slo, intent, existing);
        let alert: AlertRecord;
        if (existing) {
          await updateAlert(q, existing.id, { snapshot });
          alert = { ...existing, snapshot };
          await this.#d.incidents.alertTransitionIn(q, jobs, alert, `${intent.severity} tier ${tierName} fired too`, at, `tier:${intent.idempotencyKey}`);
        } else {
          const id = await insertAlert(q, {
            sloId: intent.sloId,
            severity: intent.severity,
            // '' when no view shows alerts (a webhook-only service).
            channel: this.#d.incidents.alertChannel(slo) ?? laneChannel ?? '',
            firedAt: new Date(intent.since),
            budgetAtFiring: intent.evaluation.errorBudgetRemaining,
            snapshot,
          });
          alert = (await getAlert(q, id))!;
          await emitAlertEvent(q, alert, 'alert.fired', { tier: intent.tierKey, budgetRemaining: intent.evaluation.errorBudgetRemaining, runbook: snapshot.runbook ?? null }, this.#d.eventChannels, now);
        }
        const silenced = await isSilenced(q, intent.sloId, now);
        if (!silenced || existing) jobs.add({ kind: 'alert.changed', alertId: alert.id, channel: alert.channel });
        if (intent.severity === 'page' && this.#d.config.autoOpenIncidentOnPage && !silenced && alert.incidentId === null) {
          await this.#d.incidents.openFromAlertIn(q, jobs, alert.id, null);
        }
        return alert.id;
      }

      if (!existing) return null;
      const snapshot = await this.snapshot(q, slo, intent, existing);
      const stillFiring = intent.evaluation.tiers.some((t) => t.severity === intent.severity && t.firing);
      await updateAlert(q, existing.id, stillFiring ? { snapshot } : { snapshot, state: 'resolved', resolvedAt: at });
      const alert = { ...existing, snapshot };
      await this.#d.incidents.alertTransitionIn(
        q,
        jobs,
        alert,
        `${intent.severity} tier ${tierName} reset${stillFiring ? '' : `; the ${intent.severity} alert resolved`}`,
        at,
        `tier:${intent.idempotencyKey}`,
      );
      if (!stillFiring) {
        await liftSilencesUntilResolved(q, intent.sloId, at);
        await emitAlertEvent(q, { ...alert, state: 'resolved', resolvedAt: at }, 'alert.resolved', { resolvedAt: at.toISOString() }, this.#d.eventChannels, now);
      }
      jobs.add({ kind: 'alert.changed', alertId: existing.id, channel: existing.channel });
      return existing.id;
    }
  }

  async acknowledge(alertId: number, person: Person): Promise<AlertRecord> {
    return this.#d.incidents.tx(async (q, jobs) => this.acknowledgeIn(q, jobs, alertId, person));
  }

  /** Acknowledges in the caller's transaction (an idempotent API write). */
  async acknowledgeInTx(q: Queryable, alertId: number, person: Person): Promise<AlertRecord> {
    return this.#d.incidents.inTx(q, async (tx, jobs) => this.acknowledgeIn(tx, jobs, alertId, person));
  }

  private async acknowledgeIn(q: Queryable, jobs: DeskEffects, alertId: number, person: Person): Promise<AlertRecord> {
    const now = this.#d.clock.now();
    const alert = await this.lockOpen(q, alertId);
    if (alert.acknowledgedBy) throw new IncidentError('invalid_transition', `Already acknowledged by ${alert.acknowledgedBy.name}.`);
    await updateAlert(q, alert.id, { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: person });
    const acknowledged: AlertRecord = { ...alert, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: person };
    jobs.add({ kind: 'alert.changed', alertId, channel: alert.channel });
    await this.#d.onAcknowledged?.(q, alert, person, now);
    await emitAlertEvent(q, acknowledged, 'alert.acknowledged', { acknowledgedBy: person.name }, this.#d.eventChannels, now);
    if (alert.incidentId !== null) {
      const incident = await getIncident(q, alert.incidentId, true);
      if (incident) await this.#d.incidents.applyIn(q, jobs, incident, acknowledge(incident, person, now));
    }
    return acknowledged;
  }

  /** The open alert episode of an SLO and severity, if any (an acknowledgement made in a pager names these). */
  async openEpisode(sloId: string, severity: 'page' | 'ticket'): Promise<AlertRecord | undefined> {
    return this.#d.incidents.tx(async (q) => openAlert(q, sloId, severity));
  }

  /** The open episodes (of one SLO), oldest first. */
  async openEpisodes(sloId?: string): Promise<AlertRecord[]> {
    return listOpenAlerts(this.#d.db, sloId);
  }

  async get(alertId: number): Promise<AlertRecord | undefined> {
    return getAlert(this.#d.db, alertId);
  }

  async silence(alertId: number, person: Person, option: SilenceOption): Promise<Date | null> {
    return this.#d.incidents.tx(async (q, jobs) => {
      const now = this.#d.clock.now();
      const alert = await this.lockOpen(q, alertId);
      const seconds = option === '1h' ? 3600 : option === '4h' ? 14_400 : null;
      const until = seconds === null ? null : new Date(now.getTime() + seconds * 1000);
      await addSilence(q, { sloId: alert.sloId, alertId, at: now, by: person, until });
      jobs.add({ kind: 'alert.changed', alertId, channel: alert.channel });
      await emitAlertEvent(q, alert, 'alert.silenced', { silencedBy: person.name, until: until?.toISOString() ?? null, untilResolved: until === null }, this.#d.eventChannels, now, String(now.getTime()));
      if (alert.incidentId !== null) {
        const text = `${person.name} silenced ${alert.sloId} ${until ? `for ${formatSpan(seconds) ?? 'n/a'}` : 'until the alert resolves'}`;
        if (await addTimeline(q, alert.incidentId, { at: now, kind: 'click', actor: person, text })) {
          jobs.add({ kind: 'incident.changed', incidentId: alert.incidentId });
        }
      }
      return until;
    });
  }

  private async lockOpen(q: Queryable, alertId: number): Promise<AlertRecord> {
    const alert = await getAlert(q, alertId, true);
    if (!alert) throw new IncidentError('not_found', `Alert ${alertId} does not exist (any more).`);
    if (alert.state === 'resolved') throw new IncidentError('already_resolved', 'This alert has already resolved; nothing to do.');
    return alert;
  }

  private async snapshot(q: Queryable, slo: Slo | undefined, intent: AlertIntent, previous: AlertRecord | undefined): Promise<AlertSnapshot> {
    const ev = intent.evaluation;
    const since = new Date(intent.since);
    const burnStartedAt = previous ? (previous.snapshot.burnStartedAt ?? null) : intent.kind === 'firing' ? (await this.burnStart(q, intent, since)).toISOString() : null;
    const suspectedChange =
      previous?.snapshot.suspectedChange ?? (intent.kind === 'firing' ? await this.suspect(q, slo, intent, since, burnStartedAt ? new Date(burnStartedAt) : since) : null);
    return {
      sloName: slo?.name ?? intent.sloId,
      service: slo?.service ?? intent.sloId.split('/')[0] ?? intent.sloId,
      objectivePercent: slo?.objectivePercent ?? Math.round(ev.objective * 100_000) / 1000,
      window: ev.window,
      runbook: this.runbookUrl(slo?.alerting.runbook),
      owner: slo?.owner ?? null,
      evaluatedAt: new Date(ev.evaluatedAt),
      tiers: ev.tiers,
      budgetRemaining: ev.errorBudgetRemaining,
      timeToExhaustionSeconds: ev.timeToExhaustionSeconds,
      sli: ev.sli,
      suspectedChange,
      burnStartedAt,
      firedTier: previous?.snapshot.firedTier ?? (intent.tier ? `${intent.tier.severity} ${intent.tier.long}/${intent.tier.short} (${intent.tier.factor}x)` : null),
    };
  }

  private runbookUrl(runbook: string | undefined): string | null {
    if (!runbook) return null;
    if (/^https?:\/\//.test(runbook)) return runbook;
    const base = this.#d.config.runbookBaseUrl;
    return base ? new URL(runbook, base.endsWith('/') ? base : `${base}/`).toString() : runbook;
  }

  /**
   * When the burn started. From the firing tier's burn rates (exact once its short window is
   * saturated, see estimateOnset), but never before the last stored evaluation whose shortest
   * window was not burning: a fast burn fires before its short window fills, and then the
   * rates alone would place the start up to a short window too early.
   */
  async burnStart(q: Queryable, intent: AlertIntent, firedAt: Date): Promise<Date> {
    const tier = intent.tier;
    if (!tier) return firedAt;
    const longSeconds = parseDuration(tier.long);
    const fromRates = estimateOnset(firedAt, { longSeconds, longBurnRate: tier.longBurnRate, shortBurnRate: tier.shortBurnRate });
    const shortest = Object.keys(intent.evaluation.burnRates).sort((a, b) => parseDuration(a) - parseDuration(b))[0];
    if (!shortest) return fromRates;
    const { rows } = await q.query<{ evaluated_at: Date }>(
      `SELECT evaluated_at FROM evaluations
       WHERE slo_id = $1 AND evaluated_at >= $2 AND evaluated_at < $3 AND CAST(burn_rates->>$4 AS double precision) <= 1
       ORDER BY evaluated_at DESC LIMIT 1`,
      [intent.sloId, new Date(firedAt.getTime() - longSeconds * 1000), firedAt, shortest],
    );
    const lastCalm = rows[0]?.evaluated_at;
    return lastCalm && lastCalm > fromRates ? lastCalm : fromRates;
  }

  /** The latest change of the SLO's service that started shortly before the burn. */
  private async suspect(q: Queryable, slo: Slo | undefined, intent: AlertIntent, firedAt: Date, onset: Date): Promise<SuspectedChange | null> {
    const from = new Date(onset.getTime() - SUSPECT_LEAD_SECONDS * 1000);
    const service = slo?.service ?? intent.sloId.split('/')[0] ?? null;
    const { rows } = await q.query<{ at: Date; kind: string; subject: string; summary: string; actor: string | null }>(
      `SELECT at, kind, subject, summary, actor FROM change_events
       WHERE at >= $1 AND at <= $2 AND (service IS NULL OR service = $3) ORDER BY at DESC, id DESC LIMIT 1`,
      [from, firedAt, service],
    );
    const candidates: SuspectedChange[] = rows.map((r) => ({ ...r }));
    if (this.#suspects) candidates.push(...(await this.#suspects(slo, intent.sloId, from, firedAt)));
    candidates.sort((a, b) => b.at.getTime() - a.at.getTime());
    return candidates[0] ?? null;
  }
}



// The Slack notifier of the outbox ("slack:*" channels). It applies alert intents of
// the state machine and runs the bot's Slack jobs through a WebClient that neither
// retries nor queues on 429 (rejectRateLimitedCalls, retries 0): every failure comes
// back to the outbox as a NotifyError that says whether a retry may help and, for a
// 429, after how long. Jobs re-render from the store and record each step they
// finish (channel created, members invited, message ts, pin), so a retry resumes.
import { escapeSlackText } from '../authz/escape-slack-text.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AlertIntent } from '../alerting/state-machine.ts';
import type { Clock } from '../domain/clock.ts';
import type { SloEvaluation, TierSignal } from '../domain/evaluation.ts';
import type { Severity } from '../domain/slo.ts';
import { incidentChannelName } from '../incidents/channel-name.ts';
import type { IncidentDesk } from '../incidents/incident-desk.ts';
import { addTimeline, getIncident, listTimeline, savePostmortem, updateIncident } from '../incidents/incident-store.ts';
import type { Notification, Notifier } from '../notify/notifier.ts';
import { NotifyError } from '../notify/notify-error.ts';
import type { Db } from '../store/db.ts';
import { listEvaluations } from '../store/repositories/evaluations.ts';
import { getByKey } from '../store/repositories/outbox.ts';
import type { AlertDesk } from '../incidents/alert-desk.ts';
import { getAlert } from '../incidents/alert-store.ts';
import { getMessageRef, type MessageRef, saveMessageRef } from './message-refs.ts';
import { type AlertButtons, renderAlertMessage } from './blocks/alert-message.ts';
import type { ConsoleLinks } from './blocks/console-links.ts';
import { renderIncidentSummary } from './blocks/incident-summary.ts';
import { renderActedNotice, renderNotice, retiredNoticeKey } from './blocks/notice-message.ts';
import { capBlocks, chunkLines, clip } from './blocks/limits.ts';
import { OncePoster } from './post-once.ts';
import type { SlackBotConfig } from './slack-config.ts';
import { platformError, toNotifyError } from './slack-errors.ts';
import { isSlackJob, jobFrom, type SlackJob } from './slack-jobs.ts';
import { buildPostmortem } from '../incidents/build-postmortem.ts';
import { readIncident } from '../incidents/incident-record.ts';

/** Slack's documented limit for posting: about one message per second per channel. */
const MIN_POST_INTERVAL_MS = 1000;
const MAX_NAME_ATTEMPTS = 20;

export interface SlackNotifierDeps {
  db: Db;
  clock: Clock;
  client: WebClient;
  config: SlackBotConfig;
  alerts: AlertDesk;
  incidents: IncidentDesk;
  logger: Logger;
  /** Loads the post-mortem template (playbooks/postmortem.md.hbs unless the SLO names another). */
  postmortemTemplate: (sloIds: string[]) => Promise<string>;
  alertButtons?: AlertButtons;
  /** Links into the web console (BURNWATCH_PUBLIC_URL) and the SLOs' own words. */
  links?: ConsoleLinks;
  /** Who is on call for an incident's SLOs (the paging file's `oncall`): invited to its channel by e-mail. */
  onCallFor?: (sloIds: readonly string[]) => Promise<Array<{ name: string; email: string }>>;
  /** Bot user id, left out of invitations. */
  botUserId?: string;
}

/** Without an answer by then, a call's outcome is unknown and the outbox tries again (a lane must not hang). */
const CALL_TIMEOUT_MS = 30_000;

/** The WebClient the outbox uses: no internal retries or 429 queueing (the outbox owns both). */
export function outboxWebClient(token: string, options: WebClientOptions = {}): WebClient {
  return new WebClient(token, { timeout: CALL_TIMEOUT_MS, ...options, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
}

export class SlackNotifier implements Notifier {
  readonly name = 'slack';
  /** The alert desk keeps silenced episodes (quietly) and shows the silence on the message. */
  readonly receivesMuted = true;
  readonly #d: SlackNotifierDeps;
  readonly #lastPost = new Map<string, Promise<number>>();
  readonly #poster: OncePoster;
  #botUserId: string | undefined;

  constructor(deps: SlackNotifierDeps) {
    this.#d = deps;
    this.#poster = new OncePoster(deps);
  }

  async send(notification: Notification, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
    try {
      const lane = notification.channel.slice('slack:'.length) || undefined;
      if (notification.kind.startsWith('alert.')) {
        const intent = await intentFromNotification(this.#d.db, notification);
        if (intent.kind === 'no_data' || intent.kind === 'data_restored') return await this.postNoData(intent, lane);
        const alertId = await this.#d.alerts.applyIntent(intent, lane);
        return alertId === null ? undefined : { alertId };
      }
      if (notification.kind.startsWith('incident.')) {
        // A lifecycle event decided elsewhere (the evaluation cycle, the HTTP API): show it.
        await this.#d.incidents.announce(notification.kind, Number(notification.payload['incidentId']), notification.payload);
        return undefined;
      }
      if (notification.kind.startsWith('budget.') || notification.kind.startsWith('auto.') || notification.kind === 'escalation.page') return await this.postNotice(notification, lane);
      // An Alertmanager alert reached its incident in the receiver's transaction; the bot shows that incident.
      if (notification.kind.startsWith('external.')) return undefined;
      if (!isSlackJob(notification.kind)) {
        throw new NotifyError('slack', `unknown notification kind "${notification.kind}"`, { retryable: false });
      }
      return await this.run(jobFrom(notification.kind, notification.payload), signal);
    } catch (error) {
      throw toNotifyError(error);
    }
  }

  /** A source stopped answering (or answers again): said once in the SLO's channel. */
  private async postNoData(intent: AlertIntent, lane: string | undefined): Promise<Record<string, unknown> | undefined> {
    const slo = this.#d.incidents.deps.slo(intent.sloId);
    const channel = this.#d.alerts.channelFor(slo, lane);
    const text =
      intent.kind === 'no_data'
        ? `:grey_question: *${intent.sloId}* is *unknown*: its source has not answered since ${intent.since}${intent.evaluation.error ? ` (${intent.evaluation.error})` : ''}. Burn-rate alerts cannot fire or resolve until it answers.`
        : `:white_check_mark: *${intent.sloId}*: its source answers again (it was unknown since ${intent.since}).`;
    const ref = await this.upsertMessage(`nodata:${intent.idempotencyKey}`, channel, { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(text) } }] });
    return { ...ref };
  }

  /** A deploy freeze started, ended or was overridden (src/gate renders the text): once in the owner's channel. */
  private async postNotice(n: Notification, lane: string | undefined): Promise<Record<string, unknown> | undefined> {
    const p = n.payload as { slo?: string; channel?: string; text?: string };
    const channel = p.channel ?? this.#d.alerts.channelFor(p.slo ? this.#d.incidents.deps.slo(p.slo) : undefined, lane);
    // A freeze carries its "Override freeze…" button, an automatic remediation its "Cancel".
    const text = String(p.text ?? n.kind);
    const ref = await this.upsertMessage(`notice:${n.idempotencyKey}`, channel, renderNotice(n.kind, n.payload, text));
    await this.retireNotice(retiredNoticeKey(n.kind, n.payload, n.channel), text);
    return { ...ref };
  }

  /** The earlier notice this one answers loses its button and says what happened (posted or not). */
  private async retireNotice(key: string | undefined, outcome: string): Promise<void> {
    if (!key) return;
    const earlier = await getByKey(this.#d.db, key);
    const ref = earlier && (await this.#poster.posted(`notice:${key}`));
    if (!earlier || !ref) return;
    // The new notice is posted; a lost button update (the message deleted) must not make it fail.
    await this.#d.client.chat
      .update({ channel: ref.channel, ts: ref.ts, ...renderActedNotice(String(earlier.payload['text'] ?? ''), outcome) })
      .catch((error: Error) => this.#d.logger.warn({ notice: key, err: error.message }, 'could not take the button off an answered notice'));
  }

  /** Runs one job; exported for the CLI and tests that want the effect without the outbox. */
  async run(job: SlackJob, _signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
    switch (job.kind) {
      case 'slack.alert.sync':
        return this.syncAlert(job.alertId);
      case 'slack.incident.sync':
        return this.syncIncident(job.incidentId);
      case 'slack.incident.post':
        return this.postToIncident(job.incidentId, job.key, job.text);
      case 'slack.incident.pin':
        return this.addPin(job);
      case 'slack.postmortem':
        return this.postPostmortem(job.incidentId, job.key);
    }
  }

  /** Slack refuses to invite the bot itself (cant_invite_self). */
  private async botUserId(): Promise<string> {
    this.#botUserId ??= this.#d.botUserId ?? (await this.#d.client.auth.test()).user_id ?? '';
    return this.#botUserId;
  }

  /**
   * At most one post per second per channel. Outbox lanes run in parallel and several may
   * post to one channel, so each channel has a chain: a post waits for the previous slot.
   */
  private pace(channel: string): Promise<void> {
    const previous = this.#lastPost.get(channel) ?? Promise.resolve(0);
    const slot = previous.then(async (last) => {
      const wait = last + MIN_POST_INTERVAL_MS - Date.now();
      if (wait > 0) await sleep(wait);
      return Date.now();
    });
    this.#lastPost.set(channel, slot);
    return slot.then(() => undefined);
  }

  /**
   * Posts once per key; later calls update the same message in place (so a message adopted
   * after a lost answer is brought up to date too).
   */
  private async upsertMessage(key: string, channel: string, message: { text: string; blocks: unknown[] }): Promise<MessageRef> {
    const ref = await this.#poster.posted(key);
    if (ref) {
      await this.#d.client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks as never });
      return ref;
    }
    return this.#poster.post(key, channel, { ...message, unfurl_links: false }, () => this.pace(channel));
  }

  async syncAlert(alertId: number): Promise<Record<string, unknown> | undefined> {
    const { db, clock } = this.#d;
    const alert = await getAlert(db, alertId);
    if (!alert) return undefined;
    const key = `alert:${alert.id}`;
    // A silenced or already resolved episode that was never shown stays quiet.
    const never = !(await this.#poster.posted(key));
    const silenced = alert.silence && (alert.silence.until === null || alert.silence.until > clock.now());
    if (never && (alert.state === 'resolved' || silenced)) {
      await this.#poster.forget(key);
      return undefined;
    }
    const ref = await this.upsertMessage(key, alert.channel, renderAlertMessage(alert, clock.now(), this.#d.alertButtons, this.#d.links));
    return { ...ref };
  }

  async syncIncident(incidentId: number): Promise<Record<string, unknown> | undefined> {
    const { db, client, clock, config } = this.#d;
    let incident = await getIncident(db, incidentId);
    if (!incident) return undefined;
    if (!incident.channelId) {
      for (let attempt = incident.channelAttempt; ; attempt++) {
        if (attempt > incident.channelAttempt + MAX_NAME_ATTEMPTS) throw new NotifyError('slack', 'no free incident channel name', { retryable: false });
        const name = incidentChannelName(config.channelTemplate, { at: incident.openedAt, subject: incident.sloIds[0] ?? incident.title, id: incident.id }, attempt);
        try {
          const res = await client.conversations.create({ name, is_private: config.privateIncidentChannels });
          await updateIncident(db, incident.id, { channelId: res.channel!.id!, channelName: res.channel!.name ?? name, channelAttempt: attempt });
          break;
        } catch (error) {
          if (platformError(error) !== 'name_taken') throw error;
          await updateIncident(db, incident.id, { channelAttempt: attempt + 1 });
        }
      }
      incident = (await getIncident(db, incidentId))!;
    }
    const channel = incident.channelId!;
    if (!incident.membersInvited) {
      const users = new Set<string>();
      if (incident.usergroup) {
        const res = await client.usergroups.users.list({ usergroup: incident.usergroup });
        for (const u of res.users ?? []) users.add(u);
      }
      for (const p of [incident.openedBy, incident.commander]) if (p) users.add(p.id);
      // Who is on call by the pager's schedule (or the rota), found in Slack by e-mail; a lookup that
      // fails never holds the channel back.
      const onCall: string[] = [];
      try {
        for (const person of (await this.#d.onCallFor?.(incident.sloIds)) ?? []) {
          const found = await client.users.lookupByEmail({ email: person.email }).catch(() => undefined);
          if (found?.user?.id) {
            users.add(found.user.id);
            onCall.push(person.name);
          }
        }
      } catch (error) {
        this.#d.logger.warn({ incident: incident.id, err: (error as Error).message }, 'could not read who is on call; inviting the on-call group only');
      }
      users.delete(await this.botUserId());
      if (users.size > 0) {
        try {
          await client.conversations.invite({ channel, users: [...users].join(',') });
        } catch (error) {
          if (platformError(error) !== 'already_in_channel') throw error;
        }
      }
      await updateIncident(db, incident.id, { membersInvited: true });
      if (incident.usergroup) {
        await addTimeline(db, incident.id, { at: clock.now(), kind: 'status', actor: null, text: `Invited the on-call group <!subteam^${incident.usergroup}> (${users.size} people)` }, `invited:${incident.id}`);
      }
      if (onCall.length > 0) {
        await addTimeline(db, incident.id, { at: clock.now(), kind: 'status', actor: null, text: `Invited who is on call: ${onCall.map(escapeSlackText).join(', ')}` }, `invited-oncall:${incident.id}`);
      }
    }
    const timeline = await listTimeline(db, incident.id);
    const figures = (await readIncident(db, incident.id))?.figures;
    const ref = await this.upsertMessage(`incident:${incident.id}:summary`, channel, renderIncidentSummary(incident, timeline, clock.now(), figures, this.#d.links));
    if (!(await getMessageRef(db, `incident:${incident.id}:pinned`))) {
      try {
        await client.pins.add({ channel: ref.channel, timestamp: ref.ts });
      } catch (error) {
        if (platformError(error) !== 'already_pinned') throw error;
      }
      await saveMessageRef(db, `incident:${incident.id}:pinned`, ref, clock.now());
    }
    return { channel: ref.channel, ts: ref.ts };
  }

  async postToIncident(incidentId: number, key: string, text: string): Promise<Record<string, unknown> | undefined> {
    const { db } = this.#d;
    const incident = await getIncident(db, incidentId);
    if (!incident?.channelId) throw new NotifyError('slack', `incident #${incidentId} has no channel yet`, { retryable: true });
    const refKey = `incident:${incidentId}:post:${key}`;
    const existing = await this.#poster.posted(refKey);
    if (existing) return { ...existing };
    const channel = incident.channelId;
    const ref = await this.#poster.post(refKey, channel, { text: clip(text, 3000) }, () => this.pace(channel));
    return { ...ref };
  }

  private async addPin(job: Extract<SlackJob, { kind: 'slack.incident.pin' }>): Promise<Record<string, unknown> | undefined> {
    const { client } = this.#d;
    const history = await client.conversations.history({ channel: job.channel, latest: job.ts, inclusive: true, limit: 1 });
    const message = history.messages?.find((m) => m.ts === job.ts);
    if (!message) return undefined;
    const user = await client.users.info({ user: job.user }).catch(() => undefined);
    const name = user?.user?.profile?.display_name || user?.user?.name || job.user;
    const author = message.user ? ` <@${message.user}>` : '';
    const added = await this.#d.incidents.tx(async (q, jobs) => {
      const ok = await addTimeline(q, job.incidentId, { at: new Date(job.at), kind: 'pin', actor: { id: job.user, name }, text: `:pushpin:${author}: ${message.text ?? ''}`.trim() }, `pin:${job.channel}:${job.ts}`);
      if (ok) jobs.add({ kind: 'incident.changed', incidentId: job.incidentId });
      return ok;
    });
    return { added };
  }

  async postPostmortem(incidentId: number, key = 'draft'): Promise<Record<string, unknown> | undefined> {
    const markdown = await this.renderAndStorePostmortem(incidentId);
    const { db } = this.#d;
    const incident = (await getIncident(db, incidentId))!;
    if (!incident.channelId) throw new NotifyError('slack', `incident #${incidentId} has no channel yet`, { retryable: true });
    const lines = markdown.split('\n');
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: `Post-mortem draft: incident #${incidentId}` } },
      ...chunkLines(lines).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Export the Markdown with \`burnwatch postmortem ${incidentId}\`.` }] },
    ];
    const ref = await this.upsertMessage(`incident:${incidentId}:postmortem:${key}`, incident.channelId, {
      text: `Post-mortem draft for incident #${incidentId}`,
      blocks: capBlocks(blocks as never),
    });
    return { ...ref };
  }

  async renderAndStorePostmortem(incidentId: number): Promise<string> {
    const { db, clock } = this.#d;
    const incident = await getIncident(db, incidentId);
    if (!incident) throw new NotifyError('slack', `no incident #${incidentId}`, { retryable: false });
    const markdown = await buildPostmortem({ ...this.#d, slo: this.#d.incidents.deps.slo }, incidentId);
    await savePostmortem(db, incidentId, markdown, clock.now());
    return markdown;
  }
}

/**
 * The cycle enqueues `alert.<kind>` with a flat payload (see notificationPayload); the full
 * evaluation (every tier, for "which windows fired") was saved in the same transaction.
 */
export async function intentFromNotification(db: Db, n: Notification): Promise<AlertIntent> {
  const p = n.payload as {
    slo: string; severity: Severity | null; tier: string | null; since: string; at: string; objective: number; window: string;
    status: SloEvaluation['status']; sli: number | null; errorBudgetRemaining: number | null; timeToExhaustionSeconds: number | null;
    burnRates: Record<string, number | null>; signal?: TierSignal; error?: string;
  };
  const at = new Date(p.at);
  const [stored] = await listEvaluations(db, { from: at, to: new Date(at.getTime() + 1), sloId: p.slo });
  const evaluation: SloEvaluation = stored
    ? {
        id: p.slo, objective: stored.objective, window: p.window, status: stored.status, evaluatedAt: stored.evaluatedAt.toISOString(), sli: stored.sli,
        errorBudgetRemaining: stored.budgetRemaining, timeToExhaustionSeconds: stored.timeToExhaustionSeconds, burnRates: stored.burnRates,
        tiers: stored.tiers, events: stored.events, ...(stored.error ? { error: stored.error } : {}),
      }
    : {
        id: p.slo, objective: p.objective, window: p.window, status: p.status, evaluatedAt: p.at, sli: p.sli, errorBudgetRemaining: p.errorBudgetRemaining,
        timeToExhaustionSeconds: p.timeToExhaustionSeconds, burnRates: p.burnRates, tiers: p.signal ? [p.signal] : [], events: null, ...(p.error ? { error: p.error } : {}),
      };
  return {
    kind: n.kind.slice('alert.'.length) as AlertIntent['kind'],
    idempotencyKey: n.idempotencyKey,
    sloId: p.slo,
    tierKey: p.tier,
    severity: p.severity,
    since: p.since,
    at: p.at,
    ...(p.signal ? { tier: p.signal } : {}),
    evaluation,
  };
}

/** The service's `external.<status>` payload (an Alertmanager alert). */
/** Moved to src/incidents/build-postmortem.ts (it renders from the store, nothing of Slack). */
export { buildPostmortem } from '../incidents/build-postmortem.ts';

// The Bolt app: buttons, the resolve modal, slash commands and the :pushpin: event.
// Every listener acks first, then does the work (a short transaction that records the
// change and enqueues the Slack jobs; the outbox does the slow Slack calls), then
// kicks the outbox. Over HTTP, requests pass the timestamp guard before Bolt checks
// the signature; Socket Mode (SLACK_APP_TOKEN) needs no public URL.
import { escapeSlackText } from '../authz/escape-slack-text.ts';
import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, type Logger as BoltLogger, LogLevel, type RespondFn, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../domain/clock.ts';
import { IncidentError } from '../incidents/incident-error.ts';
import type { IncidentDesk } from '../incidents/incident-desk.ts';
import { incidentByChannel, listIncidents } from '../incidents/incident-store.ts';
import type { Person } from '../incidents/types.ts';
import type { Db } from '../store/db.ts';
import { latestEvaluations } from '../store/repositories/evaluations.ts';
import { ACTION, RESOLVE_BLOCK, RESOLVE_INPUT, SILENCE_OPTIONS, type SilenceOption, VIEW } from './action-ids.ts';
import type { AlertDesk } from '../incidents/alert-desk.ts';
import { enqueueSlackJobNow } from './slack-jobs.ts';
import type { AlertButtons } from './blocks/alert-message.ts';
import { slackDate } from './blocks/format.ts';
import { escapeMrkdwn } from './blocks/limits.ts';
import { renderResolveModal } from './blocks/resolve-modal.ts';
import { renderSloStatus } from './blocks/slo-status.ts';
import { describeFailure, guarded } from './interaction-errors.ts';
import { guardSignedRequests } from './signed-request-guard.ts';
import { storeReplayMemory } from './replay-memory.ts';
import { type CommandGate, commandGate } from './command-gate.ts';
import type { AuthorizationPolicy } from '../authz/policy-schema.ts';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackExtensionContext {
  alerts: AlertDesk;
  incidents: IncidentDesk;
  logger: Logger;
  /** Acked-and-guarded work: failures become a private message (with an error id if unexpected). */
  guarded: typeof guarded;
  personOf: typeof personOf;
  kick: () => void;
  /** Asks the authorization policy (a refusal is private and audited), as the bot's own buttons do. */
  allowed: CommandGate;
}

/** What src/actions (or anyone) plugs into the bot: alert buttons and their listeners. */
export interface SlackExtension {
  alertButtons?: AlertButtons;
  register?(app: App, ctx: SlackExtensionContext): void;
}

export interface SlackAppDeps {
  /** Verifies requests over HTTP; unused in Socket Mode. */
  signingSecret: string | undefined;
  token: string;
  /** xapp-… : Socket Mode instead of HTTP. */
  appToken?: string | undefined;
  clientOptions?: WebClientOptions;
  alerts: AlertDesk;
  incidents: IncidentDesk;
  db: Db;
  clock: Clock;
  /** Wall time for the signature timestamp check (Bolt's own check uses Date.now too). */
  requestClock?: Clock;
  logger: Logger;
  /** Wakes the outbox dispatcher after a change (its poll would find the jobs anyway). */
  kick?: () => void;
  /** Tests: answer the HTTP request after the listener finished (deterministic). */
  processBeforeResponse?: boolean;
  /** Known bot identity skips the auth.test call at start. */
  botUserId?: string;
  botId?: string;
  extensions?: readonly SlackExtension[];
  /** Who may run which command (BURNWATCH_ACTIONS_CONFIG `authorization:`); none: everyone may. */
  policy?: AuthorizationPolicy;
  /** The on-call user group of an SLO's owner, for `sloOwners` rules. */
  ownerGroupOf?: (sloId: string) => string | undefined;
  /** `/oncall [team]`: who is on call (PagerDuty's on-calls or a static rota, src/notify/paging/on-call.ts). */
  onCall?: { teams: () => string[]; lookup: (team: string) => Promise<Array<{ name: string; email: string; level: number; until?: string }> | undefined> };
}

export interface SlackApp {
  app: App;
  /** HTTP mode: mount at POST /slack/events (raw body: no JSON/urlencoded parser before it). */
  requestListener: RequestListener | undefined;
  /** Socket Mode: connects; HTTP mode: nothing to do (the service's server receives). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function personOf(user: { id: string; username?: string; name?: string } | undefined, fallbackName?: string): Person {
  if (!user) throw new IncidentError('bad_command', 'Slack did not say who you are.');
  return { id: user.id, name: user.username ?? user.name ?? fallbackName ?? user.id };
}

function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => log.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => log.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => log.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => log.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

const ephemeral = (respond: RespondFn) => (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });

const HELP = [
  '*burnwatch incident commands*',
  '`/incident open <what is wrong>` — open an incident (name an SLO id to link its alert)',
  '`/incident update <text>` — post an update and add it to the timeline (in the incident channel)',
  '`/incident resolve [summary]` — resolve; asks for a one-line summary if you give none',
  '`/incident postmortem` — render the post-mortem draft into the channel',
  '`/incident list` — open incidents',
  '`/slo [id|service]` — status, budgets and what is burning',
].join('\n');

export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { alerts, incidents, logger, clock } = deps;
  const kick = () => deps.kick?.();
  const socketMode = Boolean(deps.appToken);
  const common = {
    token: deps.token,
    clientOptions: { retryConfig: { retries: 2 }, ...deps.clientOptions },
    logger: boltLogger(logger),
    ...(deps.botUserId ? { botUserId: deps.botUserId, botId: deps.botId, tokenVerificationEnabled: false } : {}),
  };
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (socketMode) {
    // Bolt's own Socket Mode receiver would ignore clientOptions and open the connection at
    // slack.com whatever slackApiUrl says; built here, apps.connections.open goes where the
    // Web API calls go. Its retries are left to the Socket Mode client (it retries reconnects).
    const { retryConfig: _retries, ...socketClientOptions } = deps.clientOptions ?? {};
    const socketReceiver = new SocketModeReceiver({ appToken: deps.appToken!, logger: common.logger, installerOptions: { clientOptions: socketClientOptions } });
    app = new App({ ...common, receiver: socketReceiver, socketMode: true });
  } else {
    if (!deps.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required to receive Slack requests over HTTP');
    receiver = new HTTPReceiver({
      signingSecret: deps.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: deps.processBeforeResponse ?? false,
      logger: common.logger,
    });
    app = new App({ ...common, receiver });
  }
  // Every command and button asks the policy first (a refusal is private and audited).
  const allowed = commandGate({
    policy: deps.policy,
    db: deps.db,
    clock,
    logger,
    ownerGroupOf: deps.ownerGroupOf ?? (() => undefined),
    membersOf: async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [],
  });
  const ctx: SlackExtensionContext = { alerts, incidents, logger, guarded, personOf, kick, allowed };

  // Errors that escape a listener (after ack) end up here: log them with an id.
  app.error(async (error) => {
    describeFailure(error, logger, { where: 'bolt' });
  });

  // ── alert buttons ────────────────────────────────────────────────────────────
  // "View in burnwatch" opens a URL in the browser; Slack still reports the click.
  app.action(ACTION.openConsole, async ({ ack }) => ack());
  app.action<import('@slack/bolt').BlockButtonAction>(ACTION.alertAck, async ({ ack, body, action, respond }) => {
    await ack();
    await guarded(logger, ephemeral(respond), { action: ACTION.alertAck }, async () => {
      if (!(await allowed({ user: body.user.id, action: 'alert.ack', alertId: Number(action.value) }, ephemeral(respond)))) return;
      await alerts.acknowledge(Number(action.value), personOf(body.user));
      kick();
    });
  });

  app.action<import('@slack/bolt').BlockButtonAction>(ACTION.alertOpenIncident, async ({ ack, body, action, respond }) => {
    await ack();
    await guarded(logger, ephemeral(respond), { action: ACTION.alertOpenIncident }, async () => {
      if (!(await allowed({ user: body.user.id, action: 'alert.open-incident', alertId: Number(action.value) }, ephemeral(respond)))) return;
      const { incident, created } = await incidents.openFromAlert(Number(action.value), personOf(body.user));
      kick();
      if (!created) {
        await ephemeral(respond)(`Incident #${incident.id} is already open${incident.channelId ? ` in <#${incident.channelId}>` : ''}.`);
      }
    });
  });

  app.action<import('@slack/bolt').BlockStaticSelectAction>(ACTION.alertSilence, async ({ ack, body, action, respond }) => {
    await ack();
    await guarded(logger, ephemeral(respond), { action: ACTION.alertSilence }, async () => {
      const [id, option] = action.selected_option.value.split(':');
      if (!SILENCE_OPTIONS.includes(option as SilenceOption)) throw new IncidentError('bad_command', `Unknown silence option "${option}".`);
      const silenceSeconds = option === '1h' ? 3600 : option === '4h' ? 14_400 : null;
      if (!(await allowed({ user: body.user.id, action: 'alert.silence', alertId: Number(id), silenceSeconds }, ephemeral(respond)))) return;
      const until = await alerts.silence(Number(id), personOf(body.user), option as SilenceOption);
      kick();
      await ephemeral(respond)(`:mute: Silenced ${until ? `until ${slackDate(until)}` : 'until the alert resolves'}.`);
    });
  });

  // ── incident buttons ─────────────────────────────────────────────────────────
  app.action<import('@slack/bolt').BlockButtonAction>(ACTION.incidentTakeCommand, async ({ ack, body, action, respond }) => {
    await ack();
    await guarded(logger, ephemeral(respond), { action: ACTION.incidentTakeCommand }, async () => {
      if (!(await allowed({ user: body.user.id, action: 'incident.take-command', incidentId: Number(action.value) }, ephemeral(respond)))) return;
      await incidents.takeCommand(Number(action.value), personOf(body.user));
      kick();
    });
  });

  app.action<import('@slack/bolt').BlockButtonAction>(ACTION.incidentMitigated, async ({ ack, body, action, respond }) => {
    await ack();
    await guarded(logger, ephemeral(respond), { action: ACTION.incidentMitigated }, async () => {
      if (!(await allowed({ user: body.user.id, action: 'incident.mitigate', incidentId: Number(action.value) }, ephemeral(respond)))) return;
      await incidents.markMitigated(Number(action.value), personOf(body.user));
      kick();
    });
  });

  app.action<import('@slack/bolt').BlockButtonAction>(ACTION.incidentResolve, async ({ ack, body, action, respond, client }) => {
    await ack();
    await guarded(logger, ephemeral(respond), { action: ACTION.incidentResolve }, async () => {
      if (!(await allowed({ user: body.user.id, action: 'incident.resolve', incidentId: Number(action.value) }, ephemeral(respond)))) return;
      const incident = await incidents.get(Number(action.value));
      if (incident.status === 'resolved') throw new IncidentError('already_resolved', `Incident #${incident.id} is already resolved.`);
      await client.views.open({ trigger_id: body.trigger_id, view: renderResolveModal(incident) });
    });
  });

  app.view(VIEW.resolveIncident, async ({ ack, body, view, client }) => {
    const summary = view.state.values[RESOLVE_BLOCK]?.[RESOLVE_INPUT]?.value?.trim() ?? '';
    if (!summary) {
      await ack({ response_action: 'errors', errors: { [RESOLVE_BLOCK]: 'Please write one line: what happened and what fixed it.' } });
      return;
    }
    await ack();
    const { incidentId } = JSON.parse(view.private_metadata || '{}') as { incidentId?: number };
    const person = personOf(body.user);
    await guarded(logger, async (text) => {
      const incident = incidentId ? await incidents.get(incidentId).catch(() => undefined) : undefined;
      if (incident?.channelId) await client.chat.postEphemeral({ channel: incident.channelId, user: person.id, text });
    }, { view: VIEW.resolveIncident }, async () => {
      const reply = async (text: string) => {
        const incident = incidentId ? await incidents.get(incidentId).catch(() => undefined) : undefined;
        if (incident?.channelId) await client.chat.postEphemeral({ channel: incident.channelId, user: person.id, text });
      };
      if (!(await allowed({ user: person.id, action: 'incident.resolve', incidentId: Number(incidentId) }, reply))) return;
      await incidents.resolve(Number(incidentId), person, summary);
      kick();
    });
  });

  // ── slash commands ───────────────────────────────────────────────────────────
  app.command('/incident', async ({ ack, command, respond, client }) => {
    await ack();
    const reply = ephemeral(respond);
    await guarded(logger, reply, { command: '/incident', sub: command.text.split(/\s+/)[0] }, async () => {
      const person = personOf({ id: command.user_id, username: command.user_name });
      const [sub = '', ...restWords] = command.text.trim().split(/\s+/);
      let rest = restWords.join(' ');
      const inChannel = async () => {
        const explicit = /^#(\d+)\b\s*/.exec(rest);
        if (explicit) {
          rest = rest.slice(explicit[0].length);
          return incidents.get(Number(explicit[1]));
        }
        const incident = await incidentByChannel(deps.db, command.channel_id);
        if (!incident) throw new IncidentError('not_in_incident_channel', `Run \`/incident ${sub}\` inside an incident channel (or name it: \`/incident ${sub} #12 …\`).`);
        return incident;
      };
      const may = (action: Parameters<typeof allowed>[0]['action'], incidentId?: number) =>
        allowed({ user: person.id, action, ...(incidentId !== undefined && { incidentId }) }, reply);
      switch (sub.toLowerCase()) {
        case 'open': {
          if (!(await may('incident.open'))) return;
          const { incident, created } = await incidents.openFromCommand(person, rest);
          kick();
          await reply(created ? `:fire_engine: Opened incident #${incident.id}; its channel is on the way.` : `Incident #${incident.id} is already open${incident.channelId ? ` in <#${incident.channelId}>` : ''}.`);
          return;
        }
        case 'update': {
          const incident = await inChannel();
          if (!(await may('incident.update', incident.id))) return;
          await incidents.addNote(incident.id, person, rest);
          kick();
          return;
        }
        case 'resolve': {
          const incident = await inChannel();
          if (!(await may('incident.resolve', incident.id))) return;
          if (incident.status === 'resolved') throw new IncidentError('already_resolved', `Incident #${incident.id} is already resolved.`);
          if (!rest.trim()) {
            await client.views.open({ trigger_id: command.trigger_id, view: renderResolveModal(incident) });
            return;
          }
          await incidents.resolve(incident.id, person, rest);
          kick();
          return;
        }
        case 'postmortem': {
          const incident = await inChannel();
          if (!(await may('incident.postmortem', incident.id))) return;
          await incidents.tx(async (q) => enqueueSlackJobNow(q, { kind: 'slack.postmortem', incidentId: incident.id, key: `request-${clock.now().getTime()}` }, clock.now()));
          kick();
          await reply(`:memo: Rendering the post-mortem draft of incident #${incident.id} into its channel.`);
          return;
        }
        case 'list': {
          if (!(await may('incident.list'))) return;
          const open = await listIncidents(deps.db, { openOnly: true });
          await reply(
            open.length === 0
              ? 'No open incidents. :tada:'
              : open.map((i) => `• #${i.id} ${i.status} ${i.severity} — ${escapeMrkdwn(i.title)}${i.channelId ? ` <#${i.channelId}>` : ''} (commander ${i.commander ? `<@${i.commander.id}>` : 'nobody'})`).join('\n'),
          );
          return;
        }
        default:
          await reply(sub && sub !== 'help' ? `I don't know \`/incident ${escapeMrkdwn(sub)}\`.\n${HELP}` : HELP);
      }
    });
  });

  app.command('/oncall', async ({ ack, command, respond, client }) => {
    await ack();
    const reply = ephemeral(respond);
    await guarded(logger, reply, { command: '/oncall' }, async () => {
      if (!(await allowed({ user: command.user_id, action: 'slo.status' }, reply))) return;
      const teams = deps.onCall?.teams() ?? [];
      const asked = command.text.trim();
      const wanted = asked ? [asked] : teams;
      if (wanted.length === 0) {
        await respond({ response_type: 'ephemeral', text: 'No on-call is set up: add an `oncall:` section to the paging file (BURNWATCH_PAGING_CONFIG).' });
        return;
      }
      const lines: string[] = [];
      for (const team of wanted) {
        const people = await deps.onCall!.lookup(team);
        if (!people) {
          lines.push(`*${escapeSlackText(team)}*: not in the paging file's \`oncall\` (teams: ${teams.map(escapeSlackText).join(', ') || 'none'})`);
          continue;
        }
        // Mention people by their Slack account when their e-mail has one; otherwise by name.
        const named = await Promise.all(
          people.map(async (p) => {
            const found = await client.users.lookupByEmail({ email: p.email }).catch(() => undefined);
            const who = found?.user?.id ? `<@${found.user.id}>` : `${escapeSlackText(p.name)} (${escapeSlackText(p.email)})`;
            return `${who}${p.level > 1 ? ` (level ${p.level})` : ''}${p.until ? ` until ${p.until.slice(0, 16).replace('T', ' ')} UTC` : ''}`;
          }),
        );
        lines.push(`*${escapeSlackText(team)}*: ${named.join(', ') || 'nobody'}`);
      }
      await respond({ response_type: 'ephemeral', text: lines.join('\n') });
    });
  });

  app.command('/slo', async ({ ack, command, respond }) => {
    await ack();
    await guarded(logger, ephemeral(respond), { command: '/slo' }, async () => {
      if (!(await allowed({ user: command.user_id, action: 'slo.status' }, ephemeral(respond)))) return;
      const query = command.text.trim();
      const all = await latestEvaluations(deps.db);
      const matching = query ? all.filter((e) => e.sloId === query || e.sloId.startsWith(`${query}/`) || e.sloId.includes(query)) : all;
      const { text, blocks } = renderSloStatus(matching, query);
      await respond({ response_type: 'ephemeral', text, blocks });
    });
  });

  // ── events ───────────────────────────────────────────────────────────────────
  app.event('reaction_added', async ({ event }) => {
    if (event.reaction !== 'pushpin' || event.item.type !== 'message') return;
    const item = event.item;
    const incident = await incidentByChannel(deps.db, item.channel);
    if (!incident) return;
    const at = new Date(Number(event.event_ts) * 1000);
    await incidents.tx(async (q) =>
      enqueueSlackJobNow(q, { kind: 'slack.incident.pin', incidentId: incident.id, channel: item.channel, ts: item.ts, user: event.user, at: (Number.isNaN(at.getTime()) ? clock.now() : at).toISOString() }, clock.now()),
    );
    kick();
  });

  for (const extension of deps.extensions ?? []) extension.register?.(app, ctx);

  const requestListener = receiver
    ? guardSignedRequests(receiver.requestListener, {
        signingSecret: deps.signingSecret!,
        clock: deps.requestClock ?? systemClock,
        replays: storeReplayMemory(deps.db),
        onRefused: (reason, req) => logger.warn({ reason, url: req.url }, 'refused a Slack request'),
      })
    : undefined;
  return {
    app,
    requestListener,
    start: async () => {
      if (socketMode) await app.start();
    },
    stop: async () => {
      if (socketMode) await app.stop();
    },
  };
}

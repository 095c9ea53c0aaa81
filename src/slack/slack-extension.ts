// Plugs the Slack bot into the running service: a view of the service's alert and incident
// desks (their changes become Slack jobs), the notifier for "slack:*" outbox channels, a
// route for an SLO's no-data notices, and Bolt's receiver at POST /slack/events (or Socket
// Mode). Episodes, acknowledgements from pagers and Alertmanager incidents are the desks'
// (src/app/desks.ts), with or without the bot.
import { playbookPath } from '../spec/runbooks.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceContext, ServiceExtension } from '../service/service-context.ts';
import { resolveSlo } from '../evaluator/group-instances.ts';
import type { AlertDesk, ChangeSuspects } from '../incidents/alert-desk.ts';
import type { IncidentDesk } from '../incidents/incident-desk.ts';
import { loadPostmortemTemplate } from '../incidents/postmortem.ts';
import { slackDeskView } from './slack-desk-view.ts';
import type { SlackExtension } from './slack-app.ts';
import { loadSlackBotConfig } from './slack-config.ts';
import { verifyBotToken } from './verify-token.ts';
import { redactingFetch } from '../secrets/redact.ts';
import { resolveInsideRoot } from '../spec/file-reference.ts';
import { loadAuthorizationPolicy } from '../authz/load-policy.ts';
import { startPageEscalation } from './page-escalation.ts';

export interface SlackServiceOptions {
  /** Remediation buttons and listeners (src/actions), suspected-change sources. */
  extensions?: readonly SlackExtension[];
  suspects?: ChangeSuspects;
  env?: NodeJS.ProcessEnv;
}

/** The desks of a running service, for other extensions (e.g. actions recording on the timeline). */
export interface SlackBot {
  incidents: IncidentDesk;
  alerts: AlertDesk;
}

export function slackServiceExtension(options: SlackServiceOptions = {}, onReady?: (bot: SlackBot) => void): ServiceExtension {
  return async (ctx: ServiceContext) => {
    const { incidents, alerts } = ctx.desks;
    // Suspected changes (new workload revisions) count whether or not the bot runs.
    if (options.suspects) alerts.useSuspects(options.suspects);
    const slack = ctx.config.slack;
    if (!slack) {
      ctx.logger.info('Slack bot off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to turn it on');
      return;
    }
    // The Web API client (about 10 MB) is loaded only by a service that runs the bot.
    const { outboxWebClient, SlackNotifier } = await import('./slack-notifier.ts');
    const env = options.env ?? process.env;
    const botConfig = { ...loadSlackBotConfig(env), ...(slack.defaultChannel ? { defaultChannel: slack.defaultChannel } : {}) };
    const logger = ctx.logger.child({ component: 'slack' });
    // Every Web API call and response_url post passes the redaction of environment values.
    const clientOptions = { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), fetch: redactingFetch() };
    // An alert of a grouped SLO carries its instance's id (`service/name[model=a]`).
    const slo = (id: string) => resolveSlo(ctx.slos(), id);
    // The bot shows the desks' episodes and incidents: their changes become its jobs.
    incidents.addView(slackDeskView(botConfig));
    // Pages nobody acknowledges go up `alerting.escalation`, one step per `escalateAfter`.
    const stopEscalation = startPageEscalation({ db: ctx.db, clock: ctx.clock, logger, slo, isLeader: ctx.isLeader, outboxWritten: ctx.outboxWritten });
    ctx.onStop(async () => stopEscalation());
    const extensions = options.extensions ?? [];
    const templatesDir = ctx.config.playbooksDir;

    ctx.addNotifier(
      new SlackNotifier({
        db: ctx.db,
        clock: ctx.clock,
        client: outboxWebClient(slack.botToken, clientOptions),
        config: botConfig,
        alerts,
        incidents,
        logger,
        postmortemTemplate: async (sloIds) => {
          // An SLO may name its own template (alerting.postmortemTemplate, relative to the repo).
          const own = sloIds.map((id) => slo(id)?.alerting.postmortemTemplate).find(Boolean);
          for (const candidate of [own, `${templatesDir}/postmortem.md.hbs`]) {
            if (!candidate) continue;
            try {
              // Validation refused paths outside the repository; checked again where the file is read.
              return await loadPostmortemTemplate(candidate === own ? resolveInsideRoot(candidate, process.cwd()) : candidate);
            } catch {
              logger.warn({ template: candidate }, 'post-mortem template not found; trying the next one');
            }
          }
          return loadPostmortemTemplate();
        },
        alertButtons: (alert) => extensions.flatMap((e) => e.alertButtons?.(alert) ?? []),
        links: { publicUrl: ctx.config.console.publicUrl, slo, playbook: (runbook) => playbookPath(runbook, templatesDir) },
        onCallFor: async (sloIds) => {
          const owners = [...new Set(sloIds.map((id) => slo(id)?.owner).filter((o): o is string => !!o))];
          const people = await Promise.all(owners.map((owner) => ctx.pagers.onCall(owner, ctx.clock.now())));
          return people.flatMap((p) => p ?? []);
        },
      }),
    );
    // Episodes reach Slack through the view (the evaluation cycle applies the intents); only
    // "the source stopped answering" is said by the bot from the state machine's intent.
    ctx.addRoute((intent, s) => {
      if (intent.kind !== 'no_data' && intent.kind !== 'data_restored') return [];
      try {
        return [`slack:${alerts.channelFor(s)}`];
      } catch (error) {
        logger.warn({ slo: intent.sloId, err: (error as Error).message }, 'no Slack channel for this SLO');
        return [];
      }
    });
    // The incident's own lane, so its lifecycle events run in order with its other Slack jobs.
    ctx.addIncidentRoute((incident) => [`slack:incident-${incident.id}`]);

    // Verified here so Bolt does not verify it again in the background (where a refusal is unhandled).
    const identity = await verifyBotToken(slack.botToken, clientOptions, logger);
    // Bolt (about 40 MB) is loaded only by a service that runs the bot.
    const { createSlackApp, SLACK_EVENTS_PATH } = await import('./slack-app.ts');
    const policy = await loadAuthorizationPolicy(env.BURNWATCH_ACTIONS_CONFIG);
    if (policy) logger.info({ rules: policy.rules.length }, 'Slack commands authorized by the policy in BURNWATCH_ACTIONS_CONFIG');
    else logger.warn('no authorization policy (BURNWATCH_ACTIONS_CONFIG authorization:): every workspace member may run every incident command');
    const bot = createSlackApp({
      ...(policy && { policy }),
      onCall: { teams: () => ctx.pagers.onCallTeams(), lookup: (team) => ctx.pagers.onCall(team, ctx.clock.now()) },
      ownerGroupOf: (sloId) => {
        const owner = slo(sloId)?.owner;
        return owner ? botConfig.owners[owner]?.oncallUsergroup : undefined;
      },
      signingSecret: slack.signingSecret,
      token: slack.botToken,
      botUserId: identity?.userId ?? 'unverified',
      botId: identity?.botId ?? 'unverified',
      appToken: botConfig.appToken,
      clientOptions,
      alerts,
      incidents,
      db: ctx.db,
      clock: ctx.clock,
      logger,
      kick: ctx.outboxWritten,
      extensions,
    });
    if (bot.requestListener) {
      const listener = bot.requestListener;
      // express strips the mount path from req.url; Bolt routes on the full path.
      ctx.http.mount(SLACK_EVENTS_PATH, (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
        req.url = req.originalUrl ?? req.url;
        listener(req, res);
      });
      logger.info(`Slack bot receiving at POST ${SLACK_EVENTS_PATH}`);
    } else {
      await bot.start();
      ctx.onStop(() => bot.stop());
      logger.info('Slack bot connected over Socket Mode');
    }
    onReady?.({ incidents, alerts });
  };
}

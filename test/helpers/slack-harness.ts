// The whole Slack side for tests: an embedded SQLite store, the recording Slack fake, the real
// Bolt app on a loopback port (driven by signed requests), the desks, the Slack
// notifier and the service's outbox dispatcher. `restart()` closes everything but
// the fake and reopens the same data directory, like a redeploy.
import type { Notifier } from '../../src/notify/notifier.ts';
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { type Clock, fixedClock, systemClock } from '../../src/domain/clock.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { IncidentDesk } from '../../src/incidents/incident-desk.ts';
import { loadPostmortemTemplate } from '../../src/incidents/postmortem.ts';
import { OutboxDispatcher } from '../../src/notify/outbox-dispatcher.ts';
import { AlertDesk, type ChangeSuspects } from '../../src/incidents/alert-desk.ts';
import { slackDeskView } from '../../src/slack/slack-desk-view.ts';
import { createSlackApp, type SlackApp, type SlackExtension } from '../../src/slack/slack-app.ts';
import type { SlackBotConfig } from '../../src/slack/slack-config.ts';
import { outboxWebClient, SlackNotifier } from '../../src/slack/slack-notifier.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { BOT_ID, BOT_USER_ID, FakeSlackApi } from '../fakes/slack-api.ts';
import { SlackRequester } from '../fakes/slack-requests.ts';
import { makeTempDir } from './test-databases.ts';
import type { AuthorizationPolicy } from '../../src/authz/policy-schema.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface HarnessOptions {
  slos: Slo[];
  config?: Partial<SlackBotConfig>;
  start?: string;
  databaseUrl?: string;
  /** Plug-ins such as the remediation buttons (src/slack/remediation-extension.ts); built once the store is open. */
  extensions?: (h: SlackHarness) => readonly SlackExtension[];
  suspects?: ChangeSuspects;
  /** Who may run which command (src/authz); none: everyone may. */
  policy?: AuthorizationPolicy;
  /** Other notifiers beside the Slack bot's (e.g. a webhook), behind the same dispatcher. */
  notifiers?: readonly Notifier[];
}

export class SlackHarness {
  readonly slack: FakeSlackApi;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly logLines: string[] = [];
  readonly options: HarnessOptions;
  dir = '';
  store!: Store;
  incidents!: IncidentDesk;
  alerts!: AlertDesk;
  notifier!: SlackNotifier;
  dispatcher!: OutboxDispatcher;
  bolt!: SlackApp;
  server!: Server;
  requester!: SlackRequester;
  config!: SlackBotConfig;

  constructor(options: HarnessOptions) {
    this.options = options;
    this.clock = fixedClock(options.start ?? '2026-11-22T03:00:00Z');
    // Slack stamps messages with its own clock; here it is the test's clock, so ts and `oldest` agree.
    this.slack = new FakeSlackApi({ now: () => this.clock.now() });
  }

  async start(): Promise<this> {
    this.dir = await makeTempDir('burnwatch-slack-');
    await this.slack.start();
    await this.open();
    return this;
  }

  private async open(): Promise<void> {
    this.store = await openStore({ databaseUrl: this.options.databaseUrl, dataDir: this.dir });
    const logger = pino({ level: 'info' }, { write: (line: string) => this.logLines.push(line) });
    const bySlo = new Map(this.options.slos.map((s) => [s.id, s]));
    this.config = {
      defaultChannel: undefined,
      owners: {},
      channelTemplate: 'inc-{date}-{slug}',
      autoOpenIncidentOnPage: false,
      privateIncidentChannels: false,
      runbookBaseUrl: 'https://git.example.com/ml/burnwatch/blob/main/',
      appToken: undefined,
      ...this.options.config,
    };
    const clock: Clock = this.clock;
    const deskDeps = { db: this.store.db, clock, config: this.config, slo: (id: string) => bySlo.get(id), slos: () => this.options.slos };
    this.incidents = new IncidentDesk({ ...deskDeps, views: [slackDeskView(this.config)] });
    this.alerts = new AlertDesk({ ...deskDeps, incidents: this.incidents, ...(this.options.suspects ? { suspects: this.options.suspects } : {}) });
    const extensions = this.options.extensions?.(this) ?? [];
    const client = outboxWebClient('xoxb-test', { slackApiUrl: this.slack.apiUrl });
    this.notifier = new SlackNotifier({
      db: this.store.db,
      clock,
      client,
      config: this.config,
      alerts: this.alerts,
      incidents: this.incidents,
      logger,
      postmortemTemplate: () => loadPostmortemTemplate(),
      botUserId: BOT_USER_ID,
      alertButtons: (alert) => extensions.flatMap((e) => e.alertButtons?.(alert) ?? []),
    });
    this.dispatcher = new OutboxDispatcher({
      db: this.store.db,
      notifiers: [this.notifier, ...(this.options.notifiers ?? [])],
      clock,
      logger,
      isLeader: () => true,
      backoffSeconds: 5,
      maxBackoffSeconds: 60,
    });
    this.bolt = createSlackApp({
      signingSecret: SIGNING_SECRET,
      token: 'xoxb-test',
      clientOptions: { slackApiUrl: this.slack.apiUrl, retryConfig: { retries: 0 } },
      alerts: this.alerts,
      incidents: this.incidents,
      db: this.store.db,
      clock,
      // Requests are signed with the wall clock (Bolt checks staleness against it too).
      requestClock: systemClock,
      logger,
      processBeforeResponse: true,
      botUserId: BOT_USER_ID,
      botId: BOT_ID,
      extensions,
      ...(this.options.policy && { policy: this.options.policy }),
      ownerGroupOf: (sloId) => {
        const owner = bySlo.get(sloId)?.owner;
        return owner ? this.config.owners[owner]?.oncallUsergroup : undefined;
      },
    });
    this.server = createServer(this.bolt.requestListener!);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.requester = new SlackRequester(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);
  }

  private async close(): Promise<void> {
    await this.dispatcher.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.store.close();
  }

  /** Like a redeploy: a new process on the same data directory. */
  async restart(): Promise<void> {
    await this.close();
    await this.open();
  }

  async stop(): Promise<void> {
    await this.close();
    await this.slack.stop();
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  /** Delivers everything due in the outbox (as the leader's dispatcher would). */
  deliver(): Promise<number> {
    return this.dispatcher.runOnce();
  }

  async pendingOutbox(): Promise<Array<{ kind: string; attempts: number; lastError: string | null }>> {
    const { rows } = await this.store.db.query<{ kind: string; attempts: number; last_error: string | null }>(
      'SELECT kind, attempts, last_error FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL ORDER BY id',
    );
    return rows.map((r) => ({ kind: r.kind, attempts: r.attempts, lastError: r.last_error }));
  }
}

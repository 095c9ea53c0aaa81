// What a part of the service gets to plug itself in (the Slack bot, the console, the reports,
// remediation): the context src/app/start-service.ts builds and hands every extension. Declared
// here, below the adapters, so that they depend on the service and never reach back into src/app.
import type { Logger } from 'pino';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import type { SourceMap } from '../evaluator/evaluate-all.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { OnCallPerson } from '../notify/paging/on-call.ts';
import type { Config } from './config.ts';
import type { IncidentRoute, Route } from './evaluation-cycle.ts';
import type { HttpApp } from './http/create-http-app.ts';
import type { PagerEventSink } from './http/pager-webhooks.ts';
import type { LoadedSpecs } from './slo-catalog.ts';
import type { Db } from '../store/db.ts';
import type { AlertDesk } from '../incidents/alert-desk.ts';
import type { IncidentDesk } from '../incidents/incident-desk.ts';

/** What an extension (the Slack bot) gets to plug itself in before the server listens. */
export interface ServiceContext {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  http: HttpApp;
  /** The SLOs loaded now (they change on reload). */
  slos: () => readonly Slo[];
  /** The whole catalog now: SLOs, data sources (with the PROMETHEUS_URL default) and problems. */
  specs: () => LoadedSpecs;
  /** The error-budget policies loaded now (kind: BudgetPolicy). */
  policies: () => readonly BudgetPolicy[];
  isLeader: () => boolean;
  /** The sources of the current catalog (they change on reload). */
  sources(): SourceMap;
  /** A notifier for channels "<name>" and "<name>:…". */
  addNotifier(notifier: Notifier): void;
  /** Where SLO alerts go, in addition to the log and webhook channels. */
  addRoute(route: Route): void;
  /** Where incident lifecycle events go, in addition to the log and webhook channels. */
  addIncidentRoute(route: IncidentRoute): void;
  /** Channels an Alertmanager alert is notified on. */
  addExternalChannel(channel: string): void;
  /** Something was written to the outbox: deliver it now. */
  outboxWritten(): void;
  /** Runs at shutdown, before the store closes. */
  onStop(fn: () => Promise<void>): void;
  /** Runs each time this replica becomes the leader (at start-up when there is no election): resume leader-only work. */
  onLeader(fn: () => void): void;
  /** The pagers: where acknowledgements go, and the hook for the ones made in a pager. */
  pagers: PagerBridge;
  /** The alert and incident desks (built with or without Slack; the bot plugs in as a view). */
  desks: Desks;
}

export type ServiceExtension = (ctx: ServiceContext) => void | Promise<void>;

/** What the rest of the service sees of the pagers: where an SLO's acknowledgements go, and who acts on the pagers' own. */
export interface PagerBridge {
  /** The pager channels (`pagerduty:x`, `opsgenie:y`) an SLO's alert of this severity pages. */
  channelsFor(slo: Slo | undefined, severity: 'page' | 'ticket'): string[];
  /** The alert lifecycle that applies acknowledgements made in a pager (the Slack bot's alert desk today). */
  onPagerEvent(sink: PagerEventSink): void;
  /** Applies one verified pager event through the registered sink. */
  apply: PagerEventSink;
  /** Who is on call for a team (the paging file's `oncall`); undefined for a team it does not name. */
  onCall(team: string, now: Date): Promise<OnCallPerson[] | undefined>;
  /** The teams the paging file names in `oncall`. */
  onCallTeams(): string[];
}

/** The service's alert and incident desks (src/app/desks.ts builds them). */
export interface Desks {
  incidents: IncidentDesk;
  alerts: AlertDesk;
}

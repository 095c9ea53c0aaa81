// Builds the pager notifiers and their route from BURNWATCH_PAGING_CONFIG (src/notify/paging).
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import type { Notifier } from '../notify/notifier.ts';
import { whoIsOnCall } from '../notify/paging/on-call.ts';
import { opsgenieNotifier } from '../notify/opsgenie/opsgenie-notifier.ts';
import { pagerDutyNotifier } from '../notify/pagerduty/pagerduty-notifier.ts';
import { loadPagingConfig, type PagingConfig, unknownTargets } from '../notify/paging/paging-config.ts';
import { pagingLinks } from '../notify/paging/paging-links.ts';
import { pagingRoute } from '../notify/paging/paging-route.ts';
import type { PagerEventSink } from '../service/http/pager-webhooks.ts';
import type { PagerBridge } from '../service/service-context.ts';

/** The bridge of a service without a paging file: no channels, and nothing to apply. */
export function pagerBridge(paging: Paging | undefined): PagerBridge {
  let sink: PagerEventSink | undefined;
  return {
    channelsFor: (slo, severity) =>
      paging ? paging.route({ kind: 'acknowledged', severity }, slo).filter((c) => c.startsWith('pagerduty:') || c.startsWith('opsgenie:')) : [],
    onPagerEvent: (s) => {
      sink = s;
    },
    apply: async (event) => (sink ? sink(event) : { applied: false, note: 'no alert lifecycle to apply it to; recorded in the audit log' }),
    onCall: async (team, now) => (paging ? whoIsOnCall(paging.config, team, now) : undefined),
    onCallTeams: () => Object.keys(paging?.config.oncall ?? {}),
  };
}

export interface Paging {
  config: PagingConfig;
  notifiers: Notifier[];
  /** Where an alert (or its acknowledgement) goes; also an evaluation-cycle `Route`. */
  route: ReturnType<typeof pagingRoute>;
  /** SLOs whose `alerting.page` names a pager the paging file does not configure. */
  problems(slos: readonly Slo[]): string[];
}

export function buildPaging(opts: { file: string; clock: Clock; publicUrl: string | undefined; env: NodeJS.ProcessEnv }): Paging {
  const config = loadPagingConfig(opts.file, opts.env);
  const links = pagingLinks({ publicUrl: opts.publicUrl, runbookBaseUrl: opts.env.BURNWATCH_RUNBOOK_BASE_URL });
  const notifiers: Notifier[] = [];
  if (config.pagerduty) notifiers.push(pagerDutyNotifier({ eventsUrl: config.pagerduty.eventsUrl, services: config.pagerduty.services, links, clock: opts.clock }));
  if (config.opsgenie) notifiers.push(opsgenieNotifier({ apiUrl: config.opsgenie.apiUrl, teams: config.opsgenie.teams, links, clock: opts.clock }));
  return {
    config,
    notifiers,
    route: pagingRoute(config),
    problems: (slos) => slos.flatMap((s) => unknownTargets(config, [s.alerting.page]).map((m) => `${s.id} (alerting.page): ${m}`)),
  };
}

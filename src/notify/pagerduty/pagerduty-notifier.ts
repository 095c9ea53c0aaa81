// PagerDuty Events API v2 (POST /v2/enqueue): trigger on a page, acknowledge when burnwatch's
// alert is acknowledged, resolve when it resolves, all with one dedup_key per alert instance, so
// a retry, a restart or a second replica adds to the same PagerDuty incident instead of opening
// another. Plain fetch rather than @pagerduty/pdjs: pdjs retries a 429 inside the call with a
// fixed 20 s sleep (holding the outbox lane and ignoring our backoff), only speaks https:// to a
// host name, and brings node-fetch 2 to a runtime that has fetch; the API is one JSON POST.
import type { Clock } from '../../domain/clock.ts';
import { deliverJson } from '../http-delivery.ts';
import type { Notification, Notifier } from '../notifier.ts';
import { NotifyError } from '../notify-error.ts';
import { alertInstanceKey, pageDetails, pageSummary, pagerActionOf } from '../paging/alert-instance.ts';
import type { PagingLinks } from '../paging/paging-links.ts';
import type { SecretRef } from '../paging/paging-config.ts';

/** PagerDuty's severities: a page wakes someone (critical), a ticket does not (warning). */
export function pagerDutySeverity(severity: unknown): 'critical' | 'error' | 'warning' | 'info' {
  return severity === 'page' ? 'critical' : severity === 'ticket' ? 'warning' : 'error';
}

export function pagerDutyEvent(n: Notification, routingKey: string, links: PagingLinks): Record<string, unknown> | undefined {
  const action = pagerActionOf(n);
  if (!action) return undefined;
  const dedupKey = alertInstanceKey(n.payload);
  if (action !== 'trigger') return { routing_key: routingKey, event_action: action, dedup_key: dedupKey };
  const p = n.payload;
  const consoleUrl = links.console(String(p.slo));
  const runbookUrl = links.runbook(p.runbook as string | undefined);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: pageSummary(n),
      source: String(p.service ?? 'burnwatch'),
      severity: pagerDutySeverity(p.severity),
      timestamp: String(p.at ?? p.since),
      component: String(p.name ?? p.slo),
      group: String(p.owner ?? p.service ?? ''),
      class: 'slo-burn-rate',
      custom_details: { ...pageDetails(n, { console: consoleUrl, runbook: runbookUrl }), burn_rates: p.burnRates, signal: p.signal },
    },
    client: 'burnwatch',
    ...(consoleUrl ? { client_url: consoleUrl } : {}),
    links: [
      ...(consoleUrl ? [{ href: consoleUrl, text: 'SLO in burnwatch' }] : []),
      ...(runbookUrl ? [{ href: runbookUrl, text: 'Runbook' }] : []),
    ],
  };
}

export function pagerDutyNotifier(opts: { eventsUrl: string; services: ReadonlyMap<string, SecretRef>; links: PagingLinks; clock: Clock; timeoutSeconds?: number }): Notifier {
  return {
    name: 'pagerduty',
    send: async (n, signal) => {
      const service = n.channel.slice('pagerduty:'.length);
      const ref = opts.services.get(service);
      const key = ref?.read();
      // A missing key is an operator's mistake the next reload may fix: keep the page, retry it.
      if (!key) throw new NotifyError('pagerduty', `no routing key for service ${service}${ref ? ` (${ref.describe} is empty)` : ' (not in the paging config)'}`, { retryable: true });
      const event = pagerDutyEvent(n, key, opts.links);
      if (!event) return { skipped: n.kind };
      const url = `${opts.eventsUrl}/v2/enqueue`;
      const { status, json } = await deliverJson({
        notifier: 'pagerduty',
        url,
        shown: url,
        headers: {},
        body: event,
        signal,
        now: opts.clock.now(),
        ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
      });
      return { status, dedupKey: (json?.dedup_key as string | undefined) ?? event.dedup_key };
    },
  };
}

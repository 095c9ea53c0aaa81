// Opsgenie Alert API v2: create with `alias` = the alert instance (Opsgenie adds a repeat to the
// open alert with that alias instead of a second alert), acknowledge and close by alias. Opsgenie
// answers 202 and processes asynchronously; a 202 is delivered as far as burnwatch can know.
// Plain fetch: Opsgenie's own Node SDK (opsgenie-sdk) is callback-based, unmaintained, and pulls
// in `request`; the API is three JSON POSTs with a GenieKey header.
import type { Clock } from '../../domain/clock.ts';
import { deliverJson } from '../http-delivery.ts';
import type { Notification, Notifier } from '../notifier.ts';
import { NotifyError } from '../notify-error.ts';
import { alertInstanceKey, pageDetails, pageSummary, pagerActionOf } from '../paging/alert-instance.ts';
import type { SecretRef } from '../paging/paging-config.ts';
import type { PagingLinks } from '../paging/paging-links.ts';

export function opsgeniePriority(severity: unknown): 'P1' | 'P3' | 'P4' {
  return severity === 'page' ? 'P1' : severity === 'ticket' ? 'P3' : 'P4';
}

/** The request for one notification: path (under /v2/alerts) and body. */
export function opsgenieRequest(
  n: Notification,
  team: { responders: ReadonlyArray<{ type: string; name: string }> },
  links: PagingLinks,
): { path: string; body: Record<string, unknown> } | undefined {
  const action = pagerActionOf(n);
  if (!action) return undefined;
  const alias = alertInstanceKey(n.payload);
  const byAlias = `/${encodeURIComponent(alias)}`;
  if (action === 'acknowledge') return { path: `${byAlias}/acknowledge?identifierType=alias`, body: { source: 'burnwatch', note: 'acknowledged in burnwatch' } };
  if (action === 'resolve') return { path: `${byAlias}/close?identifierType=alias`, body: { source: 'burnwatch', note: 'the burn stopped (burnwatch resolved the alert)' } };
  const p = n.payload;
  const consoleUrl = links.console(String(p.slo));
  const details = pageDetails(n, { console: consoleUrl, runbook: links.runbook(p.runbook as string | undefined) });
  return {
    path: '',
    body: {
      message: pageSummary(n).slice(0, 130),
      alias,
      description: [pageSummary(n), '', ...Object.entries(details).map(([k, v]) => `${k}: ${v}`)].join('\n').slice(0, 15_000),
      ...(team.responders.length > 0 ? { responders: team.responders } : {}),
      tags: ['burnwatch', String(p.severity ?? ''), String(p.service ?? '')].filter(Boolean),
      details,
      entity: String(p.slo),
      source: 'burnwatch',
      priority: opsgeniePriority(p.severity),
    },
  };
}

export function opsgenieNotifier(opts: {
  apiUrl: string;
  teams: ReadonlyMap<string, { apiKey: SecretRef; responders: ReadonlyArray<{ type: string; name: string }> }>;
  links: PagingLinks;
  clock: Clock;
  timeoutSeconds?: number;
}): Notifier {
  return {
    name: 'opsgenie',
    send: async (n, signal) => {
      const name = n.channel.slice('opsgenie:'.length);
      const team = opts.teams.get(name);
      const key = team?.apiKey.read();
      if (!team || !key) throw new NotifyError('opsgenie', `no API key for team ${name}${team ? ` (${team.apiKey.describe} is empty)` : ' (not in the paging config)'}`, { retryable: true });
      const request = opsgenieRequest(n, team, opts.links);
      if (!request) return { skipped: n.kind };
      const url = `${opts.apiUrl}/v2/alerts${request.path}`;
      const { status, json } = await deliverJson({
        notifier: 'opsgenie',
        url,
        shown: url,
        headers: { authorization: `GenieKey ${key}` },
        body: request.body,
        signal,
        now: opts.clock.now(),
        ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
      });
      return { status, requestId: json?.requestId as string | undefined };
    },
  };
}

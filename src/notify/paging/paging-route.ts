// Where an alert goes besides its Slack channel: the SLO's own pager (`alerting.page`), else its
// owner's, else the one for its severity. Pages go to the pager; tickets go where
// `routes.severities.ticket` says (a ticket webhook, a low-urgency pager service) or nowhere
// extra. no_data is not a page: a silent source is a ticket-grade problem, said in Slack and logs.
import type { PagingConfig } from './paging-config.ts';

interface RoutedIntent {
  kind: string;
  severity: 'page' | 'ticket' | null;
}
interface RoutedSlo {
  owner?: string | undefined;
  alerting: { page?: string | undefined };
}

export function pagingRoute(config: PagingConfig): (intent: RoutedIntent, slo: RoutedSlo | undefined) => string[] {
  const { owners, severities } = config.routes;
  return (intent, slo) => {
    if (intent.severity === null || (intent.kind !== 'firing' && intent.kind !== 'resolved' && intent.kind !== 'acknowledged')) return [];
    if (intent.severity === 'ticket') return severities.ticket ? [severities.ticket] : [];
    const target = slo?.alerting.page ?? (slo?.owner !== undefined ? owners[slo.owner] : undefined) ?? severities.page;
    return target ? [target] : [];
  };
}

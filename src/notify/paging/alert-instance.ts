// What a pager product deduplicates on: one alert instance (an SLO's tier from the moment it
// fired), the same for its trigger, acknowledgement and resolution, and the same after a retry or
// a restart, so PagerDuty or Opsgenie never open a second incident for one burn.
import type { Notification } from '../notifier.ts';

export type PagerAction = 'trigger' | 'acknowledge' | 'resolve';

/** The outbox kinds a pager acts on; anything else (no_data, incident chatter) is not a page. */
export function pagerActionOf(kind: string): PagerAction | undefined {
  switch (kind) {
    case 'alert.firing':
      return 'trigger';
    case 'alert.acknowledged':
      return 'acknowledge';
    case 'alert.resolved':
      return 'resolve';
    default:
      return undefined;
  }
}

/** `burnwatch/<slo>/<tier>/<fired at>`: stable across retries, restarts and replicas. */
export function alertInstanceKey(payload: Record<string, unknown>): string {
  return `burnwatch/${String(payload.slo)}/${String(payload.tier ?? 'slo')}/${String(payload.since)}`;
}

/** The reverse, for acknowledgements that come back from the pager. */
export function parseAlertInstanceKey(key: string): { sloId: string; tierKey: string; since: string } | undefined {
  const m = /^burnwatch\/(.+)\/([^/]+)\/([^/]+)$/.exec(key);
  return m ? { sloId: m[1] as string, tierKey: m[2] as string, since: m[3] as string } : undefined;
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(2).replace(/\.?0+$/, '')} %` : 'unknown');

/** One line a person reads on a phone: which SLO, which tier, how fast it burns. */
export function pageSummary(n: Notification): string {
  const p = n.payload;
  const signal = p.signal as { long?: string; short?: string; factor?: number; longBurnRate?: number | null } | undefined;
  const burn = signal?.longBurnRate != null ? `burning ${signal.longBurnRate.toFixed(1)}× (page at ${signal.factor}×) over ${signal.long}/${signal.short}` : '';
  const what = p.alert === 'resolved' ? 'resolved' : burn;
  return `[${String(p.severity ?? 'alert')}] ${String(p.slo)}: ${what}; ${pct(p.errorBudgetRemaining)} of the ${String(p.window)} budget left (objective ${String(p.objective)} %)`.slice(0, 1024);
}

/** The figures a responder needs, as flat strings (Opsgenie's details only take strings). */
export function pageDetails(n: Notification, links: { console?: string | undefined; runbook?: string | undefined }): Record<string, string> {
  const p = n.payload;
  const details: Record<string, string> = {
    slo: String(p.slo),
    service: String(p.service ?? ''),
    tier: String(p.tier ?? ''),
    severity: String(p.severity ?? ''),
    objective: `${String(p.objective)} %`,
    window: String(p.window),
    sli: p.sli == null ? 'unknown' : String(p.sli),
    error_budget_remaining: pct(p.errorBudgetRemaining),
    fired_at: String(p.since),
  };
  if (p.owner) details.owner = String(p.owner);
  if (typeof p.timeToExhaustionSeconds === 'number') details.time_to_exhaustion = `${Math.round(p.timeToExhaustionSeconds / 60)} min`;
  for (const [w, rate] of Object.entries((p.burnRates as Record<string, number | null> | undefined) ?? {}))
    details[`burn_rate_${w}`] = rate == null ? 'unknown' : rate.toFixed(2);
  if (links.runbook) details.runbook = links.runbook;
  if (links.console) details.console = links.console;
  return details;
}

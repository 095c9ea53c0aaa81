// What a pager product deduplicates on: one page per SLO and severity, as Sloth writes one
// alert per severity (its page alert is "1h/5m or 6h/30m"). Both page tiers firing for one burn
// add to one PagerDuty incident / Opsgenie alert instead of opening two, and the key is the same
// after a retry, a restart or on another replica. It is resolved when the last tier of that
// severity stops: a tier's `resolved` while the SLO still pages (another page tier fires) is not
// sent. A later burn reuses the key, which opens a new incident because the old one is resolved.
import type { Notification } from '../notifier.ts';

export type PagerAction = 'trigger' | 'acknowledge' | 'resolve';

/** What a pager does with an outbox message; undefined for no_data and anything not a page. */
export function pagerActionOf(n: Pick<Notification, 'kind' | 'payload'>): PagerAction | undefined {
  switch (n.kind) {
    case 'alert.firing':
      return 'trigger';
    case 'alert.acknowledged':
      return 'acknowledge';
    case 'alert.resolved': {
      // The SLO's status after this cycle: still 'page' means another page tier fires.
      const status = n.payload.status;
      const stillFiring = n.payload.severity === 'page' ? status === 'page' : status === 'ticket';
      return stillFiring ? undefined : 'resolve';
    }
    default:
      return undefined;
  }
}

/** `burnwatch/<slo>/<severity>`: one page per SLO and severity at a time. */
export function alertInstanceKey(payload: Record<string, unknown>): string {
  return `burnwatch/${String(payload.slo)}/${String(payload.severity ?? 'alert')}`;
}

/** The reverse, for acknowledgements that come back from the pager. */
export function parseAlertInstanceKey(key: string): { sloId: string; severity: string } | undefined {
  const m = /^burnwatch\/(.+)\/(page|ticket)$/.exec(key);
  return m ? { sloId: m[1] as string, severity: m[2] as string } : undefined;
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

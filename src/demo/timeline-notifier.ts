// A notifier that prints each alert as one line of a timeline: the demo's stand-in for
// Slack, fed by the same outbox the service delivers from.
import type { Notification, Notifier } from '../notify/notifier.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function clockTime(at: Date): string {
  return `${DAYS[at.getUTCDay()]} ${at.toISOString().slice(11, 16)}`;
}

const pct = (x: unknown) => (typeof x === 'number' ? `${Math.round(x * 100)}%` : '?');
const rate = (x: unknown) => (typeof x === 'number' ? `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}x` : '?');

export function describeNotification(n: Pick<Notification, 'kind' | 'payload'>): string {
  const p = n.payload;
  const tier = typeof p.tier === 'string' ? p.tier.replace(/^(page|ticket)-(.+)-(.+)$/, '$2/$3') : '';
  const signal = (p.signal ?? {}) as { longBurnRate?: number | null; long?: string };
  switch (n.kind) {
    case 'alert.firing':
      return `${String(p.severity).toUpperCase().padEnd(6)} ${String(p.slo)}  ${tier} burning ${rate(signal.longBurnRate)} over ${signal.long ?? '?'}, budget ${pct(p.errorBudgetRemaining)} left`;
    case 'alert.resolved':
      return `ok     ${String(p.slo)}  ${tier} ${String(p.severity)} resolved, budget ${pct(p.errorBudgetRemaining)} left`;
    case 'alert.no_data':
      return `?      ${String(p.slo)}  no data: ${String(p.error ?? 'the source did not answer')}`;
    case 'alert.data_restored':
      return `ok     ${String(p.slo)}  data restored`;
    case 'incident.mitigated':
      return `MITIGATED incident #${String(p.incidentId)}: ${String(p.reason)}`;
    default:
      return `${n.kind} ${String(p.slo ?? '')}`;
  }
}

export function timelineNotifier(print: (line: string) => void, now: () => Date): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  return {
    name: 'timeline',
    sent,
    async send(n) {
      sent.push(n);
      print(`  ${clockTime(now())}  ${describeNotification(n)}`);
      return undefined;
    },
  };
}

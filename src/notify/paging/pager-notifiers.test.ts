// The PagerDuty and Opsgenie notifiers against wire-level fakes of their APIs: what is sent,
// how each answer is classified (delivered, retry later, permanent), and deduplication by alert
// instance so that a retried or repeated trigger never opens a second incident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpsgenie, startFakeOpsgenie } from '../../../test/fakes/opsgenie-api.ts';
import { type FakePagerDuty, startFakePagerDuty } from '../../../test/fakes/pagerduty-api.ts';
import { fixedClock } from '../../domain/clock.ts';
import type { Notification } from '../notifier.ts';
import { NotifyError } from '../notify-error.ts';
import { opsgenieNotifier } from '../opsgenie/opsgenie-notifier.ts';
import { pagerDutyNotifier } from '../pagerduty/pagerduty-notifier.ts';
import type { SecretRef } from './paging-config.ts';
import { pagingLinks } from './paging-links.ts';

const KEY = 'a'.repeat(32);
const GENIE = 'genie-key-0123456789';
const secret = (v: string | undefined): SecretRef => ({ describe: 'env TEST_KEY', read: () => v });
const clock = fixedClock('2026-11-27T03:00:00Z');
const links = pagingLinks({ publicUrl: 'https://burnwatch.example/', runbookBaseUrl: 'https://git.example/recs/blob/main/' });

function alert(kind: 'firing' | 'resolved' | 'acknowledged', channel: string, over: Record<string, unknown> = {}): Notification {
  return {
    idempotencyKey: `hstu-ranker/availability:page-1h-5m:2026-11-27T02:55:00.000Z:${kind}|${channel}`,
    channel,
    kind: `alert.${kind}`,
    attempt: 1,
    payload: {
      alert: kind,
      slo: 'hstu-ranker/availability',
      name: 'availability',
      service: 'hstu-ranker',
      owner: 'recs-serving',
      runbook: 'playbooks/ranking-availability.md',
      severity: 'page',
      tier: 'page-1h-5m',
      since: '2026-11-27T02:55:00.000Z',
      at: '2026-11-27T03:00:00.000Z',
      objective: 99.9,
      window: '28d',
      status: 'page',
      sli: 0.9931,
      errorBudgetRemaining: 0.612,
      timeToExhaustionSeconds: 7200,
      burnRates: { '5m': 41.2, '1h': 18.3 },
      signal: { severity: 'page', long: '1h', short: '5m', factor: 13.44, longBurnRate: 18.3, shortBurnRate: 41.2, firing: true },
      ...over,
    },
  };
}

let pd: FakePagerDuty;
let og: FakeOpsgenie;
beforeAll(async () => {
  pd = await startFakePagerDuty();
  pd.addService(KEY);
  og = await startFakeOpsgenie();
  og.addApiKey(GENIE);
});
afterAll(async () => {
  await pd?.close();
  await og?.close();
});

const send = (n: { send: (x: Notification, s: AbortSignal) => Promise<unknown> }, x: Notification) => n.send(x, new AbortController().signal);
/** The NotifyError a send fails with (a send that succeeds fails the test). */
const failure = (n: { send: (x: Notification, s: AbortSignal) => Promise<unknown> }, x: Notification): Promise<NotifyError> =>
  send(n, x).then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e as NotifyError,
  );

describe('PagerDuty Events API v2', () => {
  const notifier = () => pagerDutyNotifier({ eventsUrl: pd.url, services: new Map([['ranker', secret(KEY)]]), links, clock });

  it('triggers one incident per alert instance, with severity, figures and links, and resolves it', async () => {
    const n = notifier();
    await send(n, alert('firing', 'pagerduty:ranker'));
    await send(n, alert('firing', 'pagerduty:ranker')); // a retry after a lost answer
    expect(pd.incidents).toHaveLength(1);
    const incident = pd.incidents[0]!;
    expect(incident.dedupKey).toBe('burnwatch/hstu-ranker/availability/page');
    const trigger = incident.events[0]!;
    expect(trigger.payload?.severity).toBe('critical');
    expect(trigger.payload?.summary).toContain('hstu-ranker/availability');
    expect(trigger.payload?.summary).toContain('18.3×');
    expect(trigger.payload?.custom_details).toMatchObject({ error_budget_remaining: '61.2 %', burn_rate_1h: '18.30', runbook: 'https://git.example/recs/blob/main/playbooks/ranking-availability.md' });
    expect(trigger.links).toEqual([
      { href: 'https://burnwatch.example/slos/hstu-ranker/availability', text: 'SLO in burnwatch' },
      { href: 'https://git.example/recs/blob/main/playbooks/ranking-availability.md', text: 'Runbook' },
    ]);
    await send(n, alert('acknowledged', 'pagerduty:ranker'));
    expect(incident.status).toBe('acknowledged');
    // The 6h tier of the same burn fires too: it adds to the same incident.
    await send(n, alert('firing', 'pagerduty:ranker', { tier: 'page-6h-30m', since: '2026-11-27T03:10:00.000Z' }));
    expect(pd.incidents).toHaveLength(1);
    // The 1h tier resets while the 6h tier still fires (the SLO still pages): not resolved yet.
    expect(await send(n, alert('resolved', 'pagerduty:ranker', { status: 'page' }))).toEqual({ skipped: 'alert.resolved' });
    expect(incident.status).toBe('acknowledged');
    await send(n, alert('resolved', 'pagerduty:ranker', { tier: 'page-6h-30m', status: 'ok' }));
    expect(incident.status).toBe('resolved');
    expect(pd.incidents).toHaveLength(1);
  });

  it('maps a ticket to warning, and a new burn after resolution opens a new incident', async () => {
    const before = pd.incidents.length;
    await send(notifier(), alert('firing', 'pagerduty:ranker', { since: '2026-11-27T05:00:00.000Z' }));
    expect(pd.incidents).toHaveLength(before + 1);
    expect(pd.incidents.at(-1)!.status).toBe('triggered');
    const afterPage = pd.incidents.length;
    await send(notifier(), alert('firing', 'pagerduty:ranker', { severity: 'ticket', tier: 'ticket-1d-2h', since: '2026-11-27T03:30:00.000Z', status: 'ticket' }));
    expect(pd.incidents).toHaveLength(afterPage + 1);
    expect(pd.incidents.at(-1)!.events[0]!.payload?.severity).toBe('warning');
  });

  it('says a 429 and a 5xx may be retried (after Retry-After when given), a 400 never', async () => {
    const n = notifier();
    pd.faults.failNext(1, { status: 429, retryAfter: '7' });
    const throttled = await failure(n, alert('firing', 'pagerduty:ranker'));
    expect(throttled).toBeInstanceOf(NotifyError);
    expect(throttled).toMatchObject({ retryable: true, retryAfterSeconds: 7 });
    pd.faults.failNext(1, { status: 503 });
    expect(await failure(n, alert('firing', 'pagerduty:ranker'))).toMatchObject({ retryable: true });
    const wrongKey = pagerDutyNotifier({ eventsUrl: pd.url, services: new Map([['ranker', secret('b'.repeat(32))]]), links, clock });
    const refused = await failure(wrongKey, alert('firing', 'pagerduty:ranker'));
    expect(refused).toMatchObject({ retryable: false });
    expect(String(refused.message)).toContain('Invalid routing key');
    // the key itself never appears in what burnwatch logs
    expect(String(refused.message)).not.toContain('b'.repeat(32));
  });

  it('keeps a page whose key is missing for a retry, naming where the key should be', async () => {
    const n = pagerDutyNotifier({ eventsUrl: pd.url, services: new Map([['ranker', secret(undefined)]]), links, clock });
    const error = await failure(n, alert('firing', 'pagerduty:ranker'));
    expect(error).toMatchObject({ retryable: true });
    expect(String(error.message)).toContain('env TEST_KEY');
    expect(await failure(n, alert('firing', 'pagerduty:unknown'))).toMatchObject({ retryable: true });
  });

  it('does not page for no_data or incident chatter', async () => {
    const before = pd.requests.length;
    expect(await send(notifier(), { ...alert('firing', 'pagerduty:ranker'), kind: 'alert.no_data' })).toEqual({ skipped: 'alert.no_data' });
    expect(pd.requests.length).toBe(before);
  });
});

describe('Opsgenie Alert API v2', () => {
  const notifier = (apiKey = GENIE) =>
    opsgenieNotifier({ apiUrl: og.url, teams: new Map([['training', { apiKey: secret(apiKey), responders: [{ type: 'team', name: 'ml-training' }] }]]), links, clock });

  it('creates one alert per instance (alias), acknowledges and closes it by alias', async () => {
    const n = notifier();
    await send(n, alert('firing', 'opsgenie:training'));
    await send(n, alert('firing', 'opsgenie:training'));
    expect(og.alerts).toHaveLength(1);
    const a = og.alerts[0]!;
    expect(a).toMatchObject({ alias: 'burnwatch/hstu-ranker/availability/page', count: 2, priority: 'P1', responders: [{ type: 'team', name: 'ml-training' }] });
    expect(a.message.length).toBeLessThanOrEqual(130);
    expect(a.details.console).toBe('https://burnwatch.example/slos/hstu-ranker/availability');
    await send(n, alert('acknowledged', 'opsgenie:training'));
    expect(a.acknowledged).toBe(true);
    await send(n, alert('resolved', 'opsgenie:training', { status: 'ok' }));
    expect(a.status).toBe('closed');
  });

  it('retries 429 and 5xx, refuses a bad key permanently without showing it', async () => {
    og.faults.failNext(1, { status: 429, retryAfter: '3' });
    expect(await failure(notifier(), alert('firing', 'opsgenie:training'))).toMatchObject({ retryable: true, retryAfterSeconds: 3 });
    og.faults.failNext(1, { status: 500 });
    expect(await failure(notifier(), alert('firing', 'opsgenie:training'))).toMatchObject({ retryable: true });
    const refused = await failure(notifier('wrong-key-0123456789'), alert('firing', 'opsgenie:training'));
    expect(refused).toMatchObject({ retryable: false });
    expect(String(refused.message)).toContain('401');
    expect(String(refused.message)).not.toContain('wrong-key');
  });
});

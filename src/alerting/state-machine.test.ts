import { describe, expect, it } from 'vitest';
import type { SloEvaluation, SloStatus, TierSignal } from '../domain/evaluation.ts';
import { type AlertingState, advanceAlerts, emptyAlertingState } from './state-machine.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const iso = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

function tier(severity: 'page' | 'ticket', long: string, short: string, firing: boolean | null): TierSignal {
  const burn = firing === null ? null : firing ? 20 : 0.5;
  return { severity, long, short, factor: 14.4, longBurnRate: burn, shortBurnRate: burn, firing: firing === true };
}

function evaluation(minute: number, fires: { page?: boolean | null; ticket?: boolean | null }, status?: SloStatus): SloEvaluation {
  const tiers = [tier('page', '1h', '5m', fires.page === undefined ? false : fires.page),
    tier('ticket', '1d', '2h', fires.ticket === undefined ? false : fires.ticket),
  ];
  const firing = tiers.filter((t) => t.firing);
  return {
    id: 'ranker/latency',
    objective: 99.9,
    window: '30d',
    status: status ?? (firing.some((t) => t.severity === 'page') ? 'page' : firing.length ? 'ticket' : 'ok'),
    evaluatedAt: iso(minute),
    sli: 0.99,
    errorBudgetRemaining: 0.5,
    timeToExhaustionSeconds: null,
    burnRates: {},
    tiers,
    events: { bad: 1, total: 100 },
  };
}

/** Runs a sequence of cycles and returns every intent key and the final state. */
function run(cycles: SloEvaluation[], noDataAfter = 3) {
  let state: AlertingState = emptyAlertingState();
  const keys: string[] = [];
  const transitions: string[] = [];
  for (const e of cycles) {
    const out = advanceAlerts(state, [e], { noDataAfter });
    state = out.state;
    keys.push(...out.intents.map((i) => i.idempotencyKey));
    transitions.push(...out.transitions.map((t) => `${t.tierKey}:${t.from}->${t.to}${t.inhibited ? ' (inhibited)' : ''}`));
  }
  return { state, keys, transitions };
}

describe('alerting state machine', () => {
  it('goes inactive → firing → resolved and fires again as a new instance', () => {
    const { keys, state } = run([
      evaluation(0, {}),
      evaluation(1, { page: true }),
      evaluation(2, { page: true }),
      evaluation(3, {}),
      evaluation(4, { page: true }),
    ]);
    expect(keys).toEqual([
      `ranker/latency:page-1h-5m:${iso(1)}:firing`,
      `ranker/latency:page-1h-5m:${iso(1)}:resolved`,
      `ranker/latency:page-1h-5m:${iso(4)}:firing`,
    ]);
    expect(state.slos['ranker/latency']!.tiers['page-1h-5m']).toMatchObject({ phase: 'firing', firedAt: iso(4), resolvedAt: null });
  });

  it('never resolves a firing alert on unknown, and raises no_data after N unknown cycles', () => {
    const { keys, state } = run([
      evaluation(0, { page: true }),
      evaluation(1, { page: null }, 'unknown'),
      evaluation(2, { page: null }, 'unknown'),
      evaluation(3, { page: null }, 'error'),
      evaluation(4, { page: null }, 'unknown'),
      evaluation(5, { page: true }),
      evaluation(6, {}),
    ]);
    expect(keys).toEqual([
      `ranker/latency:page-1h-5m:${iso(0)}:firing`,
      `ranker/latency:no_data:${iso(1)}:no_data`,
      `ranker/latency:no_data:${iso(1)}:data_restored`,
      `ranker/latency:page-1h-5m:${iso(0)}:resolved`,
    ]);
    expect(state.slos['ranker/latency']!.consecutiveUnknown).toBe(0);
  });

  it('keeps a firing tier whose own windows are unknown even when the SLO has data', () => {
    const { keys } = run([evaluation(0, { page: true }), evaluation(1, { page: null }, 'ok')]);
    expect(keys).toEqual([`ranker/latency:page-1h-5m:${iso(0)}:firing`]);
  });

  it('does not raise no_data for fewer unknown cycles than configured', () => {
    const { keys } = run([evaluation(0, {}, 'unknown'), evaluation(1, {}, 'unknown'), evaluation(2, {})], 3);
    expect(keys).toEqual([]);
  });

  it('inhibits a ticket tier while a page tier fires and notifies it once the page stops', () => {
    const { keys, transitions } = run([
      evaluation(0, { page: true, ticket: true }),
      evaluation(1, { page: true, ticket: true }),
      evaluation(2, { page: false, ticket: true }),
      evaluation(3, { page: false, ticket: false }),
    ]);
    expect(transitions).toEqual([
      'page-1h-5m:inactive->firing',
      'ticket-1d-2h:inactive->firing (inhibited)',
      'page-1h-5m:firing->resolved',
      'ticket-1d-2h:firing->resolved',
    ]);
    expect(keys).toEqual([
      `ranker/latency:page-1h-5m:${iso(0)}:firing`,
      `ranker/latency:page-1h-5m:${iso(0)}:resolved`,
      `ranker/latency:ticket-1d-2h:${iso(0)}:firing`,
      `ranker/latency:ticket-1d-2h:${iso(0)}:resolved`,
    ]);
  });

  it('never tells anyone about a ticket instance that only lived under a page', () => {
    const { keys } = run([evaluation(0, { page: true, ticket: true }), evaluation(1, { page: true, ticket: false }), evaluation(2, {})]);
    expect(keys).toEqual([`ranker/latency:page-1h-5m:${iso(0)}:firing`, `ranker/latency:page-1h-5m:${iso(0)}:resolved`]);
  });

  it('produces the same keys after a restart from the serialized state', () => {
    const first = advanceAlerts(emptyAlertingState(), [evaluation(0, { page: true })]);
    const restored = JSON.parse(JSON.stringify(first.state)) as AlertingState;
    const replay = advanceAlerts(restored, [evaluation(1, {})]);
    const straight = advanceAlerts(first.state, [evaluation(1, {})]);
    expect(replay.intents.map((i) => i.idempotencyKey)).toEqual(straight.intents.map((i) => i.idempotencyKey));
    expect(replay.intents[0]!.kind).toBe('resolved');
  });

  it('does not mutate the state it is given', () => {
    const state = emptyAlertingState();
    advanceAlerts(state, [evaluation(0, { page: true })]);
    expect(state).toEqual(emptyAlertingState());
  });
});

import { describe, expect, it } from 'vitest';
import { makeSlo } from '../../test/fixtures/slo.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import { decideGate, type GateFreeze, type GateInputs } from './gate-decision.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const ratio = { kind: 'ratio' as const, total: { source: 'prom', language: 'promql' as const, text: 'x' } };
const canary = makeSlo({ id: 'ranker/canary', indicator: ratio });
const stable = makeSlo({ id: 'ranker/stable', indicator: ratio });

const evaluation = (id: string, over: Partial<StoredEvaluation> = {}): StoredEvaluation => ({
  sloId: id,
  evaluatedAt: new Date(NOW.getTime() - 30_000),
  status: 'ok',
  objective: 99.9,
  sli: 0.9995,
  budgetRemaining: 0.8,
  timeToExhaustionSeconds: null,
  burnRates: { '5m': 1, '1h': 1, '6h': 1 },
  tiers: [],
  events: { bad: 5, total: 10_000 },
  error: null,
  ...over,
});

const inputs = (evals: StoredEvaluation[], freezes: Record<string, GateFreeze> = {}): GateInputs => ({
  now: NOW,
  slo: (id) => [canary, stable].find((s) => s.id === id),
  evaluation: (id) => evals.find((e) => e.sloId === id),
  maxAgeSeconds: () => 180,
  freeze: (id) => freezes[id],
});

describe('decideGate', () => {
  it('passes a fresh, quiet SLO and fails one whose page tier fires', () => {
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs([evaluation('ranker/stable')])).pass).toBe(true);
    const firing = evaluation('ranker/canary', {
      status: 'page',
      tiers: [{ severity: 'page', long: '1h', short: '5m', factor: 14.4, longBurnRate: 20, shortBurnRate: 21.5, firing: true }],
    });
    const r = decideGate({ slos: ['ranker/canary'], severity: 'page' }, inputs([firing]));
    expect(r).toMatchObject({ pass: false, reason: 'ranker/canary: page tier 1h/5m is firing (burn rate 20 over 1h, 21.5 over 5m; threshold 14.4)' });
  });

  it('fails on a ticket tier only when asked for severity=ticket', () => {
    const ticket = evaluation('ranker/stable', {
      status: 'ticket',
      tiers: [{ severity: 'ticket', long: '1d', short: '2h', factor: 3, longBurnRate: 3.5, shortBurnRate: 4, firing: true }],
    });
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs([ticket])).pass).toBe(true);
    expect(decideGate({ slos: ['ranker/stable'], severity: 'ticket' }, inputs([ticket])).pass).toBe(false);
  });

  it('fails closed on a stale, missing, unknown or uncatalogued evaluation, saying which', () => {
    const stale = evaluation('ranker/stable', { evaluatedAt: new Date(NOW.getTime() - 600_000) });
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs([stale])).reason).toBe(
      'ranker/stable: the latest evaluation is stale (10m old, limit 3m)',
    );
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs([])).reason).toBe('ranker/stable has not been evaluated yet');
    const unknown = evaluation('ranker/stable', { status: 'unknown', error: 'source prom did not answer' });
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs([unknown])).reason).toBe('ranker/stable is unknown: source prom did not answer');
    expect(decideGate({ slos: ['nope/x'], severity: 'page' }, inputs([])).pass).toBe(false);
    expect(decideGate({ slos: [], severity: 'page' }, inputs([])).pass).toBe(false);
  });

  it('compares the canary with stable over the fastest page window, a stable within budget counting as 1', () => {
    const req = (maxRatio: number) => ({ slos: [], severity: 'page' as const, compare: { canary: 'ranker/canary', stable: 'ranker/stable', maxRatio } });
    const fourTimes = [evaluation('ranker/canary', { burnRates: { '1h': 8 } }), evaluation('ranker/stable', { burnRates: { '1h': 2 } })];
    expect(decideGate(req(2), inputs(fourTimes))).toMatchObject({ pass: false, reason: 'the canary burns 4× faster than stable over 1h (burn rate 8 vs 2; limit 2×)' });
    expect(decideGate(req(5), inputs(fourTimes)).pass).toBe(true);
    // Stable at 0.1 and canary at 0.8: both well within budget, no reason to stop the canary.
    const quiet = [evaluation('ranker/canary', { burnRates: { '1h': 0.8 } }), evaluation('ranker/stable', { burnRates: { '1h': 0.1 } })];
    expect(decideGate(req(2), inputs(quiet)).pass).toBe(true);
    const unknownStable = [evaluation('ranker/canary'), evaluation('ranker/stable', { burnRates: { '1h': null } })];
    expect(decideGate(req(2), inputs(unknownStable))).toMatchObject({ pass: false, reason: 'the 1h burn rate of ranker/stable is unknown' });
    const staleStable = [evaluation('ranker/canary'), evaluation('ranker/stable', { evaluatedAt: new Date(0) })];
    expect(decideGate(req(2), inputs(staleStable)).reason).toMatch(/^stable ranker\/stable: the latest evaluation is stale/);
  });

  it('fails during a deploy freeze, except for fixes when the policy allows them and under an override', () => {
    const freeze: GateFreeze = { policy: 'ranking-freeze', reason: 'error budget exhausted (-12% left)', since: new Date('2026-12-01T08:00:00Z'), allowFixes: true };
    const evals = [evaluation('ranker/stable')];
    const frozen = decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs(evals, { 'ranker/stable': freeze }));
    expect(frozen.pass).toBe(false);
    expect(frozen.reason).toBe(
      'ranker/stable: deploy freeze since 2026-12-01T08:00:00.000Z (policy ranking-freeze: error budget exhausted (-12% left)); only changes labelled as fixes (change=fix) pass',
    );
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page', change: 'fix' }, inputs(evals, { 'ranker/stable': freeze })).pass).toBe(true);
    const noFixes = { ...freeze, allowFixes: false };
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page', change: 'fix' }, inputs(evals, { 'ranker/stable': noFixes })).pass).toBe(false);
    const overridden = { ...freeze, override: { actor: 'alice', reason: 'hotfix for checkout', until: new Date(NOW.getTime() + 3_600_000) } };
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs(evals, { 'ranker/stable': overridden })).pass).toBe(true);
    const expired = { ...freeze, override: { actor: 'alice', reason: 'old', until: new Date(NOW.getTime() - 1000) } };
    expect(decideGate({ slos: ['ranker/stable'], severity: 'page' }, inputs(evals, { 'ranker/stable': expired })).pass).toBe(false);
  });
});

// The deploy gate, decided purely from stored evaluations: pass only when every check has
// fresh, known figures that say so. A stale, missing or unknown evaluation fails closed
// and says why; nothing passes silently.
import { formatDuration } from '../domain/duration.ts';
import type { Severity, Slo } from '../domain/slo.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';

export interface GateRequest {
  /** SLOs whose own alerts must be quiet (grouped values are ids of their own). */
  slos: string[];
  /** Fail on page tiers only (default), or on any firing tier (`ticket`). */
  severity: Severity;
  /** Canary and stable SLO ids whose burn rates are compared. */
  compare?: { canary: string; stable: string; window?: string; maxRatio: number };
  /** `fix`: a change that repairs the SLO passes a budget freeze. */
  change?: string;
}

/** What the gate knows about one SLO. */
export interface GateInputs {
  now: Date;
  slo(id: string): Slo | undefined;
  evaluation(id: string): StoredEvaluation | undefined;
  /** How old an evaluation may be before the gate stops trusting it. */
  maxAgeSeconds(slo: Slo): number;
  /** An active deploy freeze of this SLO (error-budget policy), if any. */
  freeze?(id: string): GateFreeze | undefined;
}

export interface GateFreeze {
  policy: string;
  reason: string;
  since: Date;
  /** Changes labelled as fixes still pass. */
  allowFixes: boolean;
  /** An audited override lifts the freeze until it expires. */
  override?: { actor: string; reason: string; until: Date };
}

export interface SloFigures {
  status: string;
  evaluatedAt: string;
  ageSeconds: number;
  objective: number;
  sli: number | null;
  budgetRemaining: number | null;
  burnRates: Record<string, number | null>;
  firing: Array<{ severity: Severity; long: string; short: string; factor: number; longBurnRate: number | null; shortBurnRate: number | null }>;
}

export interface GateCheck {
  kind: 'slo' | 'compare' | 'budget';
  slo: string;
  pass: boolean;
  reason: string;
  figures?: SloFigures | ComparisonFigures;
}

export interface ComparisonFigures {
  canary: string;
  stable: string;
  window: string;
  canaryBurnRate: number;
  stableBurnRate: number;
  /** canary ÷ max(stable, 1): a stable within budget counts as burning at 1. */
  ratio: number;
  maxRatio: number;
}

export interface GateResult {
  pass: boolean;
  reason: string;
  at: string;
  severity: Severity;
  checks: GateCheck[];
}

const fmt = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? 'n/a' : Number(n.toFixed(digits)).toString());

function figuresOf(e: StoredEvaluation, now: Date): SloFigures {
  return {
    status: e.status,
    evaluatedAt: e.evaluatedAt.toISOString(),
    ageSeconds: Math.round((now.getTime() - e.evaluatedAt.getTime()) / 1000),
    objective: e.objective,
    sli: e.sli,
    budgetRemaining: e.budgetRemaining,
    burnRates: e.burnRates,
    firing: e.tiers
      .filter((t) => t.firing)
      .map((t) => ({ severity: t.severity, long: t.long, short: t.short, factor: t.factor, longBurnRate: t.longBurnRate, shortBurnRate: t.shortBurnRate })),
  };
}

/** Whether an SLO's latest evaluation can be trusted at all; a failing check when not. */
function trusted(id: string, inputs: GateInputs, kind: GateCheck['kind']): { slo: Slo; e: StoredEvaluation; figures: SloFigures } | GateCheck {
  const slo = inputs.slo(id);
  if (!slo) return { kind, slo: id, pass: false, reason: `unknown SLO ${id}: not in the loaded catalog` };
  const e = inputs.evaluation(id);
  if (!e) return { kind, slo: id, pass: false, reason: `${id} has not been evaluated yet` };
  const figures = figuresOf(e, inputs.now);
  const limit = inputs.maxAgeSeconds(slo);
  if (figures.ageSeconds > limit) {
    return { kind, slo: id, pass: false, reason: `${id}: the latest evaluation is stale (${formatDuration(figures.ageSeconds)} old, limit ${formatDuration(limit)})`, figures };
  }
  if (e.status === 'unknown' || e.status === 'error') {
    return { kind, slo: id, pass: false, reason: `${id} is ${e.status}${e.error ? `: ${e.error}` : ''}`, figures };
  }
  return { slo, e, figures };
}

const isCheck = (x: object): x is GateCheck => 'pass' in x;

function sloCheck(id: string, req: GateRequest, inputs: GateInputs): GateCheck {
  const t = trusted(id, inputs, 'slo');
  if (isCheck(t)) return t;
  const failing = t.figures.firing.filter((f) => req.severity === 'ticket' || f.severity === 'page');
  if (failing.length > 0) {
    const f = failing[0]!;
    return {
      kind: 'slo',
      slo: id,
      pass: false,
      reason: `${id}: ${f.severity} tier ${f.long}/${f.short} is firing (burn rate ${fmt(f.longBurnRate)} over ${f.long}, ${fmt(f.shortBurnRate)} over ${f.short}; threshold ${fmt(f.factor)})`,
      figures: t.figures,
    };
  }
  return { kind: 'slo', slo: id, pass: true, reason: `${id}: no ${req.severity === 'page' ? 'page' : 'page or ticket'} tier firing (${t.e.status})`, figures: t.figures };
}

function compareCheck(c: NonNullable<GateRequest['compare']>, inputs: GateInputs): GateCheck {
  const label = `${c.canary} vs ${c.stable}`;
  const canary = trusted(c.canary, inputs, 'compare');
  if (isCheck(canary)) return { ...canary, slo: label, reason: `canary ${canary.reason}` };
  const stable = trusted(c.stable, inputs, 'compare');
  if (isCheck(stable)) return { ...stable, slo: label, reason: `stable ${stable.reason}` };
  // Default window: the canary's fastest page tier (the one that reacts to a bad rollout first).
  const pageTiers = canary.slo.alerting.tiers.filter((t) => t.severity === 'page');
  const window = c.window ?? (pageTiers[0] ?? canary.slo.alerting.tiers[0])?.long ?? '1h';
  const cb = canary.e.burnRates[window];
  const sb = stable.e.burnRates[window];
  if (cb === undefined || sb === undefined) {
    return { kind: 'compare', slo: label, pass: false, reason: `no ${window} burn rate stored for ${cb === undefined ? c.canary : c.stable} (windows: ${Object.keys((cb === undefined ? canary : stable).e.burnRates).join(', ') || 'none'})` };
  }
  if (cb === null || sb === null) {
    return { kind: 'compare', slo: label, pass: false, reason: `the ${window} burn rate of ${cb === null ? c.canary : c.stable} is unknown` };
  }
  const ratio = cb / Math.max(sb, 1);
  const figures: ComparisonFigures = { canary: c.canary, stable: c.stable, window, canaryBurnRate: cb, stableBurnRate: sb, ratio, maxRatio: c.maxRatio };
  const pass = ratio < c.maxRatio;
  const speed = sb > 0 ? `${fmt(cb / sb, 1)}× ${cb >= sb ? 'faster' : 'slower'} than stable` : cb > 0 ? 'while stable does not burn' : 'as slowly as stable';
  return {
    kind: 'compare',
    slo: label,
    pass,
    reason: pass
      ? `the canary burns ${speed} over ${window} (burn rate ${fmt(cb)} vs ${fmt(sb)}; fails at ${fmt(c.maxRatio)}×)`
      : `the canary burns ${speed} over ${window} (burn rate ${fmt(cb)} vs ${fmt(sb)}; limit ${fmt(c.maxRatio)}×)`,
    figures,
  };
}

function budgetCheck(id: string, req: GateRequest, inputs: GateInputs): GateCheck | undefined {
  const freeze = inputs.freeze?.(id);
  if (!freeze) return undefined;
  if (freeze.override && freeze.override.until > inputs.now) {
    return { kind: 'budget', slo: id, pass: true, reason: `${id}: deploy freeze (${freeze.reason}) overridden by ${freeze.override.actor} until ${freeze.override.until.toISOString()}: ${freeze.override.reason}` };
  }
  if (freeze.allowFixes && req.change === 'fix') {
    return { kind: 'budget', slo: id, pass: true, reason: `${id}: deploy freeze (${freeze.reason}), but this change is labelled a fix` };
  }
  return { kind: 'budget', slo: id, pass: false, reason: `${id}: deploy freeze since ${freeze.since.toISOString()} (policy ${freeze.policy}: ${freeze.reason})${freeze.allowFixes ? '; only changes labelled as fixes (change=fix) pass' : ''}` };
}

export function decideGate(req: GateRequest, inputs: GateInputs): GateResult {
  const checks: GateCheck[] = req.slos.map((id) => sloCheck(id, req, inputs));
  if (req.compare) checks.push(compareCheck(req.compare, inputs));
  const frozen = new Set([...req.slos, ...(req.compare ? [req.compare.canary, req.compare.stable] : [])]);
  for (const id of frozen) {
    const b = budgetCheck(id, req, inputs);
    if (b) checks.push(b);
  }
  const failed = checks.filter((c) => !c.pass);
  const pass = checks.length > 0 && failed.length === 0;
  return {
    pass,
    reason: checks.length === 0 ? 'nothing to check: name slo= or canary= and stable=' : pass ? checks.map((c) => c.reason).join('; ') : failed.map((c) => c.reason).join('; '),
    at: inputs.now.toISOString(),
    severity: req.severity,
    checks,
  };
}

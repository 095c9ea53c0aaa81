// OpenSLO AlertPolicies → burnwatch tiers. A burn-rate AlertCondition says "burn rate ≥ threshold
// over lookbackWindow"; a tier says "budgetPercent of the period's budget spent within long", which
// is the same number: budgetPercent = threshold × long / period × 100. Two burn-rate conditions
// joined by `and` with one threshold are one multi-window tier (long and short); a single
// condition gets burnwatch's short window (long / 12), which is reported as an approximation.
import { formatDuration, isDuration, parseDuration } from '../../domain/duration.ts';
import type { Path } from '../problem.ts';
import type { ImportNote, PathMap } from './imported.ts';
import { lookup, type OpenSloIndex } from './openslo-dialects.ts';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Condition {
  severity: unknown;
  op: unknown;
  threshold: unknown;
  lookback: unknown;
  alertAfter: unknown;
  kind: unknown;
  doc: number;
  /** Path of the condition's `spec` in its document. */
  at: Path;
}

export interface ImportedAlerting {
  alerting: { tiers?: Array<Record<string, unknown>>; channel?: string };
  from: PathMap;
}

const PAGE = /^(page|critical|high|urgent|p1|sev1|sev-1)$/i;
const TICKET = /^(ticket|warning|warn|medium|low|info|p2|p3|p4|sev2|sev3)$/i;
/** More alternatives than this in one policy is not an alert policy a person wrote. */
const MAX_TERMS = 32;

export function alertPoliciesToTiers(
  index: OpenSloIndex,
  self: number,
  policies: readonly unknown[] | undefined,
  periodSeconds: number,
  notes: ImportNote[],
): ImportedAlerting | undefined {
  if (policies === undefined) return undefined;
  const tiers: Array<Record<string, unknown>> = [];
  const from: PathMap = [];
  const channels: Array<{ channel: string; doc: number; at: Path }> = [];
  const note = (doc: number, path: Path, message: string, severity: 'warning' | 'error' = 'warning') =>
    notes.push({ severity, code: 'import', path, message, key: true, ...(doc !== self && { doc }) });

  policies.forEach((entry, i) => {
    const entryAt: Path = ['spec', 'alertPolicies', i];
    let doc = self;
    let at: Path = entryAt;
    let policy: Rec | undefined;
    // A bare name is read as a reference, as some tools write it.
    const refName = typeof entry === 'string' ? entry : isRec(entry) ? entry.alertPolicyRef : undefined;
    if (refName !== undefined) {
      const ref = lookup(index, 'AlertPolicy', refName);
      if (ref === undefined) {
        notes.push({ severity: 'error', code: 'reference', path: typeof entry === 'string' ? entryAt : [...entryAt, 'alertPolicyRef'], message: `no OpenSLO AlertPolicy named ${JSON.stringify(refName)} in the files given` });
        return;
      }
      doc = ref;
      at = [];
      policy = index.records[ref];
    } else if (isRec(entry)) policy = entry;
    const spec = isRec(policy?.spec) ? policy.spec : undefined;
    if (!spec || !Array.isArray(spec.conditions)) {
      note(doc, at, 'an AlertPolicy needs spec.conditions', 'error');
      return;
    }
    if (spec.alertWhenBreaching === false) {
      note(doc, [...at, 'spec', 'alertWhenBreaching'], 'alertWhenBreaching: false (a policy that never alerts on a burn) is not imported');
      return;
    }
    const terms = dnf(index, { and: spec.conditions }, doc, [...at, 'spec'], notes, self);
    if (terms.length > MAX_TERMS) {
      note(doc, [...at, 'spec', 'conditions'], `more than ${MAX_TERMS} alternative condition sets: not imported`);
      return;
    }
    for (const term of terms) {
      const tier = termToTier(term, periodSeconds, note);
      if (!tier) continue;
      const k = tiers.length;
      tiers.push(tier.tier);
      from.push([['spec', 'alerting', 'tiers', k], term[0]!.at, term[0]!.doc]);
      for (const [field, path] of Object.entries(tier.paths)) from.push([['spec', 'alerting', 'tiers', k, field], path, term[0]!.doc]);
    }
    if (Array.isArray(spec.notificationTargets))
      spec.notificationTargets.forEach((t, n) => {
        const target = notificationChannel(index, t, doc, [...at, 'spec', 'notificationTargets', n], notes, self);
        if (target) channels.push(target);
      });
  });

  const alerting: ImportedAlerting['alerting'] = { tiers };
  if (tiers.length === 0)
    notes.push({
      severity: 'warning',
      code: 'import',
      path: ['spec', 'alertPolicies'],
      key: true,
      message: 'no alert policy could be imported: the SLO is tracked and reported, and never alerts (alerting.tiers: [])',
    });
  const distinct = [...new Set(channels.map((c) => c.channel))];
  if (distinct.length > 0) {
    alerting.channel = distinct[0]!;
    from.push([['spec', 'alerting', 'channel'], channels[0]!.at, channels[0]!.doc]);
    if (distinct.length > 1)
      note(channels[0]!.doc, channels[0]!.at, `several Slack channels (${distinct.join(', ')}): burnwatch posts to one per SLO, ${distinct[0]}; the others are dropped`);
  }
  return { alerting, from };
}

/** The conditions of a policy as alternatives (or) of condition sets (and). */
function dnf(index: OpenSloIndex, node: unknown, doc: number, at: Path, notes: ImportNote[], self: number): Condition[][] {
  const bad = (path: Path, message: string) => notes.push({ severity: 'warning', code: 'import', path, message, key: true, ...(doc !== self && { doc }) });
  if (isRec(node) && Array.isArray(node.and)) {
    let out: Condition[][] = [[]];
    node.and.forEach((child, k) => {
      const alternatives = dnf(index, child, doc, [...at, at.at(-1) === 'spec' ? 'conditions' : 'and', k], notes, self);
      out = out.flatMap((left) => alternatives.map((right) => [...left, ...right])).slice(0, MAX_TERMS + 1);
    });
    return out;
  }
  if (isRec(node) && Array.isArray(node.or)) return node.or.flatMap((child, k) => dnf(index, child, doc, [...at, 'or', k], notes, self));
  if (isRec(node) && node.conditionRef !== undefined) {
    const ref = lookup(index, 'AlertCondition', node.conditionRef);
    if (ref === undefined) {
      notes.push({ severity: 'error', code: 'reference', path: [...at, 'conditionRef'], message: `no OpenSLO AlertCondition named ${JSON.stringify(node.conditionRef)} in the files given`, ...(doc !== self && { doc }) });
      return [];
    }
    return conditionOf(index.records[ref]!, ref, []);
  }
  if (isRec(node) && isRec(node.spec)) return conditionOf(node, doc, at);
  bad(at, 'an alert condition needs conditionRef or an inline AlertCondition');
  return [];
}

function conditionOf(record: Rec, doc: number, at: Path): Condition[][] {
  const spec = (isRec(record.spec) ? record.spec : {}) as Rec;
  const c = (isRec(spec.condition) ? spec.condition : {}) as Rec;
  return [[{ severity: spec.severity, kind: c.kind, op: c.op, threshold: c.threshold, lookback: c.lookbackWindow, alertAfter: c.alertAfter, doc, at: [...at, 'spec'] }]];
}

/** OpenSLO writes lookback windows as `1h` (and the enhancement's examples as `-1h`). */
function seconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(/^-/, '');
  return isDuration(text) ? parseDuration(text) : undefined;
}

function termToTier(
  term: Condition[],
  periodSeconds: number,
  note: (doc: number, path: Path, message: string, severity?: 'warning' | 'error') => void,
): { tier: Record<string, unknown>; paths: Record<string, Path> } | undefined {
  const first = term[0];
  if (!first) return undefined;
  for (const c of term) {
    const kind = String(c.kind ?? '').toLowerCase().replace(/[-_]/g, '');
    if (kind !== 'burnrate') {
      note(c.doc, [...c.at, 'condition', 'kind'], `an alert condition of kind ${JSON.stringify(c.kind)} cannot be expressed (burnwatch alerts on burn rates) and is dropped`);
      return undefined;
    }
    if (c.op !== 'gte' && c.op !== 'gt') {
      note(c.doc, [...c.at, 'condition', 'op'], `a burn-rate condition with op ${JSON.stringify(c.op)} (alert when burning slowly) cannot be expressed and is dropped`);
      return undefined;
    }
    if (typeof c.threshold !== 'number' || !(c.threshold > 0)) {
      note(c.doc, [...c.at, 'condition', 'threshold'], 'a burn-rate condition needs a positive threshold; dropped', 'error');
      return undefined;
    }
    if (seconds(c.lookback) === undefined) {
      note(c.doc, [...c.at, 'condition', 'lookbackWindow'], `lookbackWindow ${JSON.stringify(c.lookback)} is not a duration such as 1h; dropped`, 'error');
      return undefined;
    }
    if (c.alertAfter !== undefined && seconds(c.alertAfter) !== 0)
      note(c.doc, [...c.at, 'condition', 'alertAfter'], 'alertAfter (a delay before firing) cannot be expressed in burnwatch and is dropped: the tier fires at the first evaluation over threshold');
  }
  const thresholds = [...new Set(term.map((c) => c.threshold as number))];
  if (thresholds.length > 1) {
    note(first.doc, [...first.at, 'condition', 'threshold'], `conditions joined by and with different thresholds (${thresholds.join(', ')}) cannot be one burnwatch tier; dropped`);
    return undefined;
  }
  const windows = term.map((c) => seconds(c.lookback)!).sort((a, b) => a - b);
  const longSeconds = windows.at(-1)!;
  const longest = term.find((c) => seconds(c.lookback) === longSeconds)!;
  const shortSeconds = windows.length > 1 ? windows[0]! : longSeconds / 12;
  if (windows.length > 2) note(first.doc, [...first.at, 'condition'], `${windows.length} windows joined by and: burnwatch keeps the longest and the shortest`);
  if (windows.length === 1 || shortSeconds === longSeconds)
    note(
      longest.doc,
      [...longest.at, 'condition', 'lookbackWindow'],
      `a single-window burn-rate condition is imported with burnwatch's short window ${formatDuration(Math.max(1, Math.round(shortSeconds)))} (long / 12) as well, so it resets sooner after a burn: approximated`,
    );
  const severityText = String(longest.severity ?? '');
  const severity = PAGE.test(severityText) ? 'page' : TICKET.test(severityText) ? 'ticket' : undefined;
  if (!severity) {
    note(longest.doc, [...longest.at, 'severity'], `severity ${JSON.stringify(longest.severity)} is neither page-like (page, critical, high) nor ticket-like (ticket, warning, low): imported as ticket`);
  } else if (severityText !== severity)
    note(longest.doc, [...longest.at, 'severity'], `severity ${JSON.stringify(severityText)} is imported as burnwatch's ${severity}`);
  const budgetPercent = Number.parseFloat((((thresholds[0]! * longSeconds) / periodSeconds) * 100).toPrecision(12));
  if (budgetPercent > 100) {
    note(longest.doc, [...longest.at, 'condition', 'threshold'], `burn rate ${thresholds[0]} over ${String(longest.lookback)} spends ${budgetPercent}% of the budget: more than all of it, dropped`, 'error');
    return undefined;
  }
  return {
    tier: { severity: severity ?? 'ticket', budgetPercent, long: formatDuration(longSeconds), short: formatDuration(Math.max(1, Math.round(shortSeconds))) },
    paths: {
      severity: [...longest.at, 'severity'],
      budgetPercent: [...longest.at, 'condition', 'threshold'],
      long: [...longest.at, 'condition', 'lookbackWindow'],
      short: [...longest.at, 'condition', 'lookbackWindow'],
    },
  };
}

/** A notification target that names a Slack channel (`#ml-oncall`), as alerting.channel. */
function notificationChannel(
  index: OpenSloIndex,
  entry: unknown,
  doc: number,
  at: Path,
  notes: ImportNote[],
  self: number,
): { channel: string; doc: number; at: Path } | undefined {
  let target: Rec | undefined = isRec(entry) ? entry : undefined;
  let tDoc = doc;
  let tAt = at;
  if (target?.targetRef !== undefined) {
    const ref = lookup(index, 'AlertNotificationTarget', target.targetRef);
    if (ref === undefined) {
      notes.push({ severity: 'warning', code: 'import', path: [...at, 'targetRef'], key: true, message: `no AlertNotificationTarget named ${JSON.stringify(target.targetRef)}: dropped`, ...(doc !== self && { doc }) });
      return undefined;
    }
    target = index.records[ref];
    tDoc = ref;
    tAt = [];
  }
  const spec = (isRec(target?.spec) ? target.spec : {}) as Rec;
  const name = (target?.metadata as Rec | undefined)?.name;
  const texts = [spec.target, spec.description, name].filter((t): t is string => typeof t === 'string');
  const hash = texts.map((t) => /(^|\s)(#[a-z0-9][a-z0-9._-]*)/i.exec(t)?.[2]).find(Boolean);
  if (hash) return { channel: hash, doc: tDoc, at: [...tAt, 'spec', typeof spec.target === 'string' && spec.target.includes(hash) ? 'target' : 'description'] };
  notes.push({
    severity: 'warning',
    code: 'import',
    path: [...tAt, 'spec', 'target'],
    key: true,
    message: `notification target ${JSON.stringify(spec.target ?? name)} is not a Slack channel (#name): dropped (burnwatch posts to alerting.channel and sends its webhook notifications)`,
    ...(tDoc !== self && { doc: tDoc }),
  });
  return undefined;
}

// The overview: every loaded SLO with its latest stored evaluation, grouped by owner and
// service, worst first, after the reader's filters. Pure: the route reads, this shapes.
import { parseDuration } from '../domain/duration.ts';
import type { TierSignal } from '../domain/evaluation.ts';
import type { Slo } from '../domain/slo.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import { ago, burnRate, duration, pct, sliPct, utc } from './format.ts';
import { type ConsoleStatus, consoleStatus, STATUS_LABEL, STATUS_ORDER, statusRank } from './status.ts';

export interface OverviewFilters {
  q?: string;
  owner?: string;
  service?: string;
  /** key=value, or a bare key */
  label?: string;
  status?: ConsoleStatus;
}

export interface OverviewRow {
  id: string;
  href: string;
  name: string;
  service: string;
  owner: string;
  description: string;
  labels: string;
  status: ConsoleStatus;
  statusLabel: string;
  sli: string;
  sliValue: number | null;
  objective: string;
  budget: string;
  budgetValue: number | null;
  /** 0–100, for the bar's width */
  budgetBar: number;
  budgetLow: boolean;
  burns: Array<{ window: string; value: string; raw: number | null; hot: boolean }>;
  firing: string[];
  exhaustion: string;
  evaluated: string;
  evaluatedIso: string;
  evaluatedTitle: string;
  error: string | undefined;
}

export interface OverviewGroup {
  owner: string;
  services: Array<{ service: string; worst: ConsoleStatus; rows: OverviewRow[] }>;
  worst: ConsoleStatus;
}

export interface Overview {
  groups: OverviewGroup[];
  counts: Array<{ status: ConsoleStatus; label: string; count: number; active: boolean }>;
  total: number;
  shown: number;
  owners: string[];
  services: string[];
  newest: string;
}

export const sloHref = (slo: Pick<Slo, 'service' | 'name'>): string =>
  `/slos/${encodeURIComponent(slo.service)}/${encodeURIComponent(slo.name)}`;

/** The fastest tier (shortest long window): its long and short burn rates are what moves first. */
export function fastestTier(tiers: readonly TierSignal[]): TierSignal | undefined {
  let best: TierSignal | undefined;
  for (const t of tiers) if (!best || parseDuration(t.long) < parseDuration(best.long)) best = t;
  return best;
}

function matches(slo: Slo, status: ConsoleStatus, f: OverviewFilters): boolean {
  if (f.status && status !== f.status) return false;
  if (f.owner && (slo.owner ?? 'no owner') !== f.owner) return false;
  if (f.service && slo.service !== f.service) return false;
  if (f.label) {
    const eq = f.label.indexOf('=');
    const key = (eq < 0 ? f.label : f.label.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : f.label.slice(eq + 1).trim();
    if (!(key in slo.labels) || (value !== undefined && slo.labels[key] !== value)) return false;
  }
  if (f.q) {
    const needle = f.q.toLowerCase();
    const hay = [slo.id, slo.description ?? '', slo.owner ?? '', ...Object.entries(slo.labels).map(([k, v]) => `${k}=${v}`)].join(' ').toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

export function row(slo: Slo, e: StoredEvaluation | undefined, now: Date): OverviewRow {
  const status = consoleStatus(e?.status);
  const fast = e ? fastestTier(e.tiers) : undefined;
  const burns = fast
    ? [fast.long, fast.short].map((w) => {
        const raw = e?.burnRates[w] ?? null;
        return { window: w, value: burnRate(raw), raw, hot: raw !== null && raw > fast.factor };
      })
    : [];
  const budget = e?.budgetRemaining ?? null;
  return {
    id: slo.id,
    href: sloHref(slo),
    name: slo.name,
    service: slo.service,
    owner: slo.owner ?? 'no owner',
    description: slo.description ?? '',
    labels: Object.entries(slo.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    status,
    statusLabel: STATUS_LABEL[status],
    sli: sliPct(e?.sli),
    sliValue: e?.sli ?? null,
    objective: `${slo.objectivePercent} %`,
    budget: pct(budget),
    budgetValue: budget,
    budgetBar: budget === null ? 0 : Math.round(Math.max(0, Math.min(1, budget)) * 100),
    budgetLow: budget !== null && budget < 0.25,
    burns,
    firing: e ? e.tiers.filter((t) => t.firing).map((t) => `${t.severity} ${t.long}/${t.short}`) : [],
    exhaustion: e?.timeToExhaustionSeconds === null || e?.timeToExhaustionSeconds === undefined ? (status === 'ok' ? 'not burning' : '—') : duration(e.timeToExhaustionSeconds),
    evaluated: e ? ago(e.evaluatedAt, now) : 'never',
    evaluatedIso: e ? e.evaluatedAt.toISOString() : '',
    evaluatedTitle: e ? utc(e.evaluatedAt) : 'not evaluated yet',
    error: e?.error ?? undefined,
  };
}

const worstOf = (statuses: ConsoleStatus[]): ConsoleStatus => STATUS_ORDER[Math.min(...statuses.map(statusRank))] ?? 'ok';

export function buildOverview(slos: readonly Slo[], latest: ReadonlyMap<string, StoredEvaluation>, now: Date, f: OverviewFilters): Overview {
  const all = slos.map((slo) => ({ slo, e: latest.get(slo.id), status: consoleStatus(latest.get(slo.id)?.status) }));
  // Counts follow every filter but the status one, so the chips say what clicking them shows.
  const counted = all.filter((x) => matches(x.slo, x.status, { ...f, status: undefined }));
  const shown = counted.filter((x) => !f.status || x.status === f.status);
  const byOwner = new Map<string, Map<string, OverviewRow[]>>();
  for (const x of shown) {
    const r = row(x.slo, x.e, now);
    const services = byOwner.get(r.owner) ?? new Map<string, OverviewRow[]>();
    byOwner.set(r.owner, services);
    services.set(r.service, [...(services.get(r.service) ?? []), r]);
  }
  const byWorst = (a: OverviewRow, b: OverviewRow) =>
    statusRank(a.status) - statusRank(b.status) || (a.budgetValue ?? 2) - (b.budgetValue ?? 2) || a.id.localeCompare(b.id);
  const groups: OverviewGroup[] = [...byOwner].map(([owner, services]) => {
    const list = [...services].map(([service, rows]) => {
      rows.sort(byWorst);
      return { service, rows, worst: worstOf(rows.map((r) => r.status)) };
    });
    list.sort((a, b) => statusRank(a.worst) - statusRank(b.worst) || a.service.localeCompare(b.service));
    return { owner, services: list, worst: worstOf(list.map((s) => s.worst)) };
  });
  groups.sort((a, b) => statusRank(a.worst) - statusRank(b.worst) || a.owner.localeCompare(b.owner));
  const newest = Math.max(0, ...[...latest.values()].map((e) => e.evaluatedAt.getTime()));
  return {
    groups,
    counts: STATUS_ORDER.map((s) => ({ status: s, label: STATUS_LABEL[s], count: counted.filter((x) => x.status === s).length, active: f.status === s })),
    total: slos.length,
    shown: shown.length,
    owners: [...new Set(slos.map((s) => s.owner ?? 'no owner'))].sort(),
    services: [...new Set(slos.map((s) => s.service))].sort(),
    newest: newest > 0 ? utc(new Date(newest)) : 'never',
  };
}

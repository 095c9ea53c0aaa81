// One SLO's page: what it promises, where it stands, and its history over the chosen
// range as chart data (from the store's downsampled series) with the episodes,
// incidents, remediations and changes that belong on the same time axis. Pure.
import { formatDuration, parseDuration } from '../domain/duration.ts';
import type { DataSourceSpec, Slo } from '../domain/slo.ts';
import { errorRatioExpr, queriesOf, withWindow } from '../generate/sli-promql.ts';
import type { StoredChangeEvent } from '../store/repositories/change-events.ts';
import type { ActionSummary, AlertEpisode } from '../store/repositories/console-reads.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import type { SeriesPoint } from '../store/repositories/evaluation-series.ts';
import { ago, burnRate, duration, pct, sliPct, utc } from './format.ts';
import type { Incident } from './incident-reads.ts';
import { row } from './overview-model.ts';

export const RANGES = ['1h', '6h', '1d', '7d'] as const;

/** The ranges offered: 1h, 6h, 1d, 7d (those shorter than the window) and the window itself. */
export function rangesFor(slo: Slo): string[] {
  return [...RANGES.filter((r) => parseDuration(r) < slo.windowSeconds), slo.window];
}

export function pickRange(slo: Slo, asked: unknown): string {
  const offered = rangesFor(slo);
  return typeof asked === 'string' && offered.includes(asked) ? asked : offered.includes('1d') ? '1d' : slo.window;
}

/** Prometheus's own graph page for an expression, without credentials in the link. */
export function prometheusGraphUrl(base: string, expr: string, range: string): string {
  const u = new URL(base);
  u.username = '';
  u.password = '';
  const root = u.toString().replace(/\/+$/, '');
  return `${root}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=${encodeURIComponent(range)}`;
}

export interface SourceLink {
  label: string;
  expr: string;
  href: string | undefined;
}

export function sourceLinks(slo: Slo, sources: readonly DataSourceSpec[], range: string): SourceLink[] {
  const spec = sources.find((s) => s.name === slo.source);
  const fastest = slo.alerting.tiers.reduce<number | undefined>((m, t) => (m === undefined || t.longSeconds < m ? t.longSeconds : m), undefined) ?? 3600;
  const links: SourceLink[] = [];
  const href = (expr: string) => (spec?.type === 'prometheus' ? prometheusGraphUrl(spec.url, expr, range) : undefined);
  if (spec?.type === 'prometheus') {
    try {
      const expr = errorRatioExpr(slo, fastest);
      links.push({ label: `error ratio over ${formatDuration(fastest)}`, expr, href: href(expr) });
    } catch {
      // an indicator Prometheus cannot express as one query: its parts are still listed
    }
  }
  for (const q of queriesOf(slo.indicator)) {
    const expr = withWindow(q.text, fastest);
    links.push({ label: `${q.language === 'sql' ? 'SQL' : 'query'} on ${q.source}`, expr, href: q.source === slo.source ? href(expr) : undefined });
  }
  return links;
}

export interface ChartData {
  from: number;
  to: number;
  objective: number;
  t: number[];
  budget: Array<number | null>;
  sli: Array<number | null>;
  tiers: Array<{ label: string; severity: string; factor: number; long: Array<number | null>; short: Array<number | null> }>;
  episodes: Array<{ from: number; to: number; severity: string; label: string }>;
  marks: Array<{ at: number; kind: 'incident' | 'remediation' | 'change'; label: string }>;
}

export interface SloPageInput {
  slo: Slo;
  latest: StoredEvaluation | undefined;
  series: SeriesPoint[];
  episodes: AlertEpisode[];
  incidents: Incident[];
  actions: ActionSummary[];
  changes: StoredChangeEvent[];
  sources: readonly DataSourceSpec[];
  range: string;
  from: Date;
  to: Date;
  now: Date;
  /** the runbook as a link, or undefined */
  runbookHref: string | undefined;
}

const sec = (d: Date) => Math.floor(d.getTime() / 1000);

export function chartData(input: SloPageInput): ChartData {
  const { slo, series } = input;
  const tiers = slo.alerting.tiers.map((tier) => ({
    label: `${tier.severity} ${tier.long}/${tier.short}`,
    severity: tier.severity,
    factor: tier.factor,
    long: series.map((p) => p.burnRates[tier.long] ?? null),
    short: series.map((p) => p.burnRates[tier.short] ?? null),
  }));
  const to = sec(input.to);
  const incidentMarks = input.incidents.map((i) => ({ at: sec(i.openedAt), kind: 'incident' as const, label: `incident #${i.id} opened: ${i.title}` }));
  const actionMarks = input.actions.map((a) => ({ at: sec(a.requestedAt), kind: 'remediation' as const, label: `${a.kind} ${a.namespace}/${a.target}: ${a.state}` }));
  const changeMarks = input.changes.map((c) => ({ at: sec(c.at), kind: 'change' as const, label: `${c.kind} ${c.subject}: ${c.summary}` }));
  return {
    from: sec(input.from),
    to,
    objective: slo.objective,
    t: series.map((p) => sec(p.evaluatedAt)),
    budget: series.map((p) => p.budgetRemaining),
    sli: series.map((p) => p.sli),
    tiers,
    episodes: input.episodes.map((e) => ({
      from: Math.max(sec(e.firedAt), sec(input.from)),
      to: e.resolvedAt ? Math.min(sec(e.resolvedAt), to) : to,
      severity: e.severity,
      label: `${e.severity} alert ${e.state}`,
    })),
    marks: [...incidentMarks, ...actionMarks, ...changeMarks].sort((a, b) => a.at - b.at),
  };
}

export function sloPage(input: SloPageInput) {
  const { slo, latest, now } = input;
  const summary = row(slo, latest, now);
  const byTier = new Map((latest?.tiers ?? []).map((t) => [`${t.severity} ${t.long}/${t.short}`, t]));
  const tierTable = slo.alerting.tiers.map((tier) => {
    const signal = byTier.get(`${tier.severity} ${tier.long}/${tier.short}`);
    const long = signal?.longBurnRate ?? null;
    const short = signal?.shortBurnRate ?? null;
    return {
      severity: tier.severity,
      windows: `${tier.long} / ${tier.short}`,
      budgetPercent: `${tier.budgetPercent} %`,
      factor: burnRate(tier.factor),
      long: burnRate(long),
      longHot: long !== null && long > tier.factor,
      short: burnRate(short),
      shortHot: short !== null && short > tier.factor,
      state: signal?.firing ? 'firing' : signal?.suppressed ? `held: ${signal.suppressed}` : signal ? 'quiet' : '—',
      firing: signal?.firing ?? false,
    };
  });
  const events = [
    ...input.episodes.map((e) => ({
      at: e.firedAt,
      kind: 'alert',
      text: `${e.severity} alert fired${e.acknowledgedAt ? `, acknowledged ${utc(e.acknowledgedAt)}` : ''}${e.resolvedAt ? `, resolved ${utc(e.resolvedAt)}` : ', still open'}`,
      href: e.incidentId !== null ? `/incidents/${e.incidentId}` : undefined,
    })),
    ...input.incidents.map((i) => ({ at: i.openedAt, kind: 'incident', text: `#${i.id} ${i.title} (${i.status})`, href: `/incidents/${i.id}` })),
    ...input.actions.map((a) => ({ at: a.requestedAt, kind: 'remediation', text: `${a.kind} ${a.namespace}/${a.target} by ${a.requestedBy}: ${a.state}${a.dryRun ? ' (dry run)' : ''}`, href: undefined })),
    ...input.changes.map((c) => ({ at: c.at, kind: 'change', text: `${c.kind} ${c.subject}: ${c.summary}${c.actor ? ` (${c.actor})` : ''}`, href: undefined })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .map((e) => ({ ...e, when: utc(e.at) }));
  const events_ = latest?.events;
  return {
    title: `${slo.service} / ${slo.name}`,
    slo: {
      id: slo.id,
      name: slo.name,
      service: slo.service,
      owner: slo.owner ?? 'no owner',
      description: slo.description ?? '',
      objective: `${slo.objectivePercent} %`,
      window: slo.window,
      kind: slo.indicator.kind,
      source: slo.source,
      labels: Object.entries(slo.labels).map(([k, v]) => `${k}=${v}`),
      runbook: slo.alerting.runbook,
      runbookHref: input.runbookHref,
      channel: slo.alerting.channel,
      origin: `${slo.origin.file}:${slo.origin.line}`,
    },
    summary,
    allowed: pct(1 - slo.objective, slo.objective >= 0.999 ? 2 : 1),
    events: events_ ? `${Math.round(events_.bad).toLocaleString('en')} bad of ${Math.round(events_.total).toLocaleString('en')}` : undefined,
    evaluatedAgo: latest ? ago(latest.evaluatedAt, now) : 'never',
    tierTable,
    timeline: events,
    links: sourceLinks(slo, input.sources, input.range),
    ranges: rangesFor(slo).map((r) => ({ range: r, active: r === input.range, href: `?range=${encodeURIComponent(r)}` })),
    range: input.range,
    rangeText: `${utc(input.from)} – ${utc(input.to)}`,
    points: input.series.length,
    chart: chartData(input),
    tierCharts: slo.alerting.tiers.map((t) => ({ label: `${t.severity} ${t.long}/${t.short}`, long: t.long, short: t.short, factorText: burnRate(t.factor) })),
    firstBudget: pct(input.series.find((p) => p.budgetRemaining !== null)?.budgetRemaining ?? null),
    sliText: sliPct(latest?.sli),
    exhaustion: duration(latest?.timeToExhaustionSeconds ?? null),
  };
}

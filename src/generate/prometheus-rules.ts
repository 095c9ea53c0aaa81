// SLOs → Prometheus recording and alerting rules, a pure function of `Slo[]`.
// Names follow Sloth (`slo:sli_error:ratio_rate5m`, `slo:objective:ratio`, …) so existing
// dashboards keep working; labels are `slo_id`, `slo_service`, `slo_name`, `slo_window`, or with
// `labels: 'sloth'` Sloth's own `sloth_id`, `sloth_service`, `sloth_slo`, `sloth_window`.
import { formatDuration } from '../domain/duration.ts';
import { eventsRecord, idLabelValue, LABEL_KEYS, type LabelSet, type SloLabelKeys } from '../domain/recorded-series.ts';
import { budgetingOf, type DataSourceSpec, type Slo } from '../domain/slo.ts';
import { type Tier, tierWindows } from '../domain/tiers.ts';
import { errorRatioExpr, occurrenceQueries, queriesOf } from './sli-promql.ts';

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export type Rule = RecordingRule | AlertingRule;
export interface RuleGroup {
  name: string;
  rules: Rule[];
}
export interface SkippedSlo {
  id: string;
  reason: string;
}
export interface GeneratedRules {
  groups: RuleGroup[];
  /** SLOs Prometheus cannot evaluate (SQL sources), with why. */
  skipped: SkippedSlo[];
}

export interface GenerateOptions {
  /** DataSources by name; an SLO whose queries go to a non-Prometheus source is skipped. */
  sources?: readonly DataSourceSpec[];
  /** The label names of the generated series (default burnwatch's `slo_*`). */
  labels?: LabelSet;
}

/** Labels reserved by the generated rules; an SLO label with one of these names is not copied. */
const RESERVED = new Set([
  ...Object.values(LABEL_KEYS).flatMap((k) => Object.values(k)),
  'severity',
  'long',
  'short',
  'alertname',
]);

export function generatePrometheusRules(slos: readonly Slo[], options: GenerateOptions = {}): GeneratedRules {
  const groups: RuleGroup[] = [];
  const skipped: SkippedSlo[] = [];
  for (const slo of [...slos].sort((a, b) => a.id.localeCompare(b.id))) {
    const why = whyNotPrometheus(slo, options.sources ?? []);
    if (why) {
      skipped.push({ id: slo.id, reason: why });
      continue;
    }
    groups.push(...groupsFor(slo, options.labels ?? 'burnwatch'));
  }
  return { groups, skipped };
}

function whyNotPrometheus(slo: Slo, sources: readonly DataSourceSpec[]): string | undefined {
  const sql = queriesOf(slo.indicator).filter((q) => q.language !== 'promql');
  if (sql.length > 0) {
    return `its ${slo.indicator.kind} indicator queries a SQL source (${[...new Set(sql.map((q) => q.source))].join(', ')}); Prometheus cannot run SQL, keep evaluating it with burnwatch`;
  }
  const names = slo.indicator.kind === 'latency' ? [slo.indicator.source] : queriesOf(slo.indicator).map((q) => q.source);
  for (const name of names) {
    const spec = sources.find((s) => s.name === name);
    if (spec && spec.type !== 'prometheus') return `its indicator reads DataSource "${name}" of type ${spec.type}, not prometheus`;
  }
  return undefined;
}

function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function sloLabels(slo: Slo, set: LabelSet): Record<string, string> {
  const own = Object.fromEntries(Object.entries(slo.labels).filter(([k]) => !RESERVED.has(k)));
  const keys = LABEL_KEYS[set];
  return { ...own, [keys.id]: idLabelValue(slo, set), [keys.service]: slo.service, [keys.name]: slo.name };
}

function selector(slo: Slo, set: LabelSet): string {
  return `{${LABEL_KEYS[set].id}="${idLabelValue(slo, set).replace(/["\\]/g, '\\$&')}"}`;
}

/** A float literal Go parses back to the same double JS holds (so thresholds match burnwatch's bit for bit). */
function num(n: number): string {
  return String(n);
}

function groupsFor(slo: Slo, set: LabelSet): RuleGroup[] {
  const keys: SloLabelKeys = LABEL_KEYS[set];
  const labels = sloLabels(slo, set);
  const sel = selector(slo, set);
  const period = formatDuration(slo.windowSeconds);
  const slices = budgetingOf(slo.indicator.kind) === 'timeslices';
  // The period ratio is built from a short base record: events for occurrence kinds
  // (a ratio of summed increases, not an average of ratios), one slice for slice kinds.
  // An SLO without alerts (tiers: []) still records its SLI: Sloth's shortest window, 5m.
  const tiered = tierWindows(slo.alerting.tiers);
  const base = slices ? slo.timesliceSeconds : tiered.length > 0 ? Math.min(...tiered) : 300;
  const windows = [...new Set([...tierWindows(slo.alerting.tiers), base])].sort((a, b) => a - b);

  const sli: Rule[] = windows.map((w) => ({
    record: `slo:sli_error:ratio_rate${formatDuration(w)}`,
    expr: errorRatioExpr(slo, w),
    labels: { ...labels, [keys.window]: formatDuration(w) },
  }));
  const b = formatDuration(base);
  if (slices) {
    sli.push({
      record: `slo:sli_error:ratio_rate${period}`,
      // A throughput job idle for the whole period spent no budget: 0/0 as in raw mode, not absent.
      expr: `avg_over_time(slo:sli_error:ratio_rate${b}${sel}[${period}])${slo.indicator.kind === 'throughput' && slo.indicator.activeWhen ? ' or on() vector(NaN)' : ''}`,
      labels: { ...labels, [keys.window]: period },
    });
  } else {
    const q = occurrenceQueries(slo.indicator, base, slo.groupBy?.labels);
    sli.push(
      { record: `slo:sli_bad_events:sum${b}`, expr: q.bad, labels: { ...labels, [keys.window]: b } },
      { record: `slo:sli_events:sum${b}`, expr: q.total, labels: { ...labels, [keys.window]: b } },
      {
        record: `slo:sli_error:ratio_rate${period}`,
        expr: `sum_over_time(slo:sli_bad_events:sum${b}${sel}[${period}])\n/\nsum_over_time(slo:sli_events:sum${b}${sel}[${period}])`,
        labels: { ...labels, [keys.window]: period },
      },
    );
    // Recorded mode needs the events of each long window that the minEvents guard checks.
    if (slo.alerting.minEvents > 0) {
      for (const w of new Set(slo.alerting.tiers.map((t) => t.longSeconds))) {
        if (w === base) continue;
        sli.push({ record: eventsRecord(w), expr: occurrenceQueries(slo.indicator, w, slo.groupBy?.labels).total, labels: { ...labels, [keys.window]: formatDuration(w) } });
      }
    }
  }

  const budget = `(1 - ${num(slo.objective)})`;
  const meta: Rule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${num(slo.objective)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(1 - ${num(slo.objective)})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${num(slo.windowSeconds / 86_400)})`, labels },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `max without (${keys.window}) (slo:sli_error:ratio_rate${formatDuration(windows[0]!)}${sel}) / ${budget}`,
      labels,
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `max without (${keys.window}) (slo:sli_error:ratio_rate${period}${sel}) / ${budget}`,
      labels,
    },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${sel}`, labels },
    {
      // Sloth's dashboards read `sloth_slo_info{sloth_objective}`.
      record: set === 'sloth' ? 'sloth_slo_info' : 'burnwatch_slo_info',
      expr: 'vector(1)',
      labels:
        set === 'sloth'
          ? { ...labels, sloth_objective: num(slo.objectivePercent), sloth_mode: 'burnwatch', burnwatch_period: period, burnwatch_kind: slo.indicator.kind }
          : { ...labels, slo_objective: num(slo.objectivePercent), slo_period: period, slo_kind: slo.indicator.kind },
    },
  ];

  const alerts = slo.alerting.tiers.map((tier) => alertFor(slo, tier, labels, sel, budget, keys));
  // One group per SLO: rules in a group run in order at one evaluation time, so the alerts
  // read this instant's ratios (separate groups would lag by up to one interval and fire a
  // minute after burnwatch's own evaluator).
  return [{ name: `burnwatch-${slug(slo.id)}`, rules: [...sli, ...meta, ...alerts] }];
}

/** `hstu-ranker/ranker-latency` → `HstuRankerRankerLatency`. */
function camel(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

function alertFor(slo: Slo, tier: Tier, labels: Record<string, string>, sel: string, budget: string, keys: SloLabelKeys): AlertingRule {
  // Compared as burn rates (ratio / budget > factor), the same arithmetic burnwatch's
  // evaluator does, so both agree even at the edge of a threshold.
  const burn = (w: number) => `max without (${keys.window}) (slo:sli_error:ratio_rate${formatDuration(w)}${sel}) / ${budget} > ${num(tier.factor)}`;
  const percent = `${num(tier.budgetPercent)}%`;
  const annotations: Record<string, string> = {
    summary: `${slo.id}: ${percent} of the ${slo.window} error budget burning within ${tier.long}`,
    description:
      `${slo.id} (objective ${num(slo.objectivePercent)}% over ${slo.window}) burns its error budget ` +
      `{{ $value | humanize }}x as fast as it may over ${tier.long} (and above ${num(tier.factor)}x over ${tier.short}): ` +
      `at this pace ${percent} of the budget goes within ${tier.long}.`,
  };
  if (slo.alerting.runbook) annotations.runbook = slo.alerting.runbook;
  // Labels and annotations the SLO gives its alerts (Sloth's alerting.labels, page_alert.labels…):
  // existing Alertmanager routes keep matching. A tier's own win over the SLO's.
  Object.assign(annotations, slo.alerting.annotations, tier.annotations);
  const routing = { ...slo.alerting.labels, ...tier.labels };
  // The low-traffic guard burnwatch applies (alerting.minEvents): with fewer events in the long
  // window one bad request would page, so the tier stays quiet.
  const guard =
    slo.alerting.minEvents > 0 && budgetingOf(slo.indicator.kind) === 'occurrences'
      ? `
and on (${slo.groupBy?.labels.join(', ') ?? ''})
(
  ${eventsRecord(tier.longSeconds)}${sel} >= ${num(slo.alerting.minEvents)}
)`
      : '';
  return {
    alert: slo.alerting.name ?? `${camel(slo.id)}BudgetBurn`,
    expr: `(\n  ${burn(tier.longSeconds)}\n)\nand\n(\n  ${burn(tier.shortSeconds)}\n)${guard}`,
    labels: { ...labels, severity: tier.severity, ...routing, long: tier.long, short: tier.short },
    annotations,
  };
}

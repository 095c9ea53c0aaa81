// From a schema-valid document to the domain model: defaults, cross-field rules, references,
// query languages and offline query checks. Reports every problem it finds; returns undefined
// when the SLO cannot be built.
import { formatDuration, parseDuration } from '../domain/duration.ts';
import type { DataSourceSpec, Indicator, IndicatorKind, QueryRef, Slo } from '../domain/slo.ts';
import { budgetingOf } from '../domain/slo.ts';
import { defaultTiers, makeTier, sharedTierList, type Tier } from '../domain/tiers.ts';
import type { Path, ProblemCode, ProblemSeverity } from './problem.ts';
import { labelMatchersProblem } from './label-matchers.ts';
import { promqlError, sqlErrors } from './query-check.ts';
import { outerAggregations } from './query-grouping.ts';
import { type DataSourceDoc, parseBytes, Query, type SloDoc } from './schema.ts';
import { didYouMean } from './suggest.ts';
import type { AlertWindowsTable } from './import/alert-windows.ts';

export const DEFAULTS = {
  window: '30d',
  source: 'prometheus',
  timeslice: '1m',
  interval: '1m',
  /** Values of a grouped SLO evaluated at most. */
  maxGroups: 100,
  /** Consecutive unknown evaluations before a no_data signal. */
  noDataAfter: 3,
  prometheusUrl: 'http://localhost:9090',
  timeout: '30s',
} as const;

export type Reporter = (severity: ProblemSeverity, code: ProblemCode, path: Path, message: string) => void;

export interface NormalizeContext {
  report: Reporter;
  /** Declared (and the implicit default) DataSources by name. */
  sources: ReadonlyMap<string, DataSourceSpec>;
  /** DataSource names declared by documents that had errors. */
  brokenSources: ReadonlySet<string>;
  /** Whether a referenced runbook / template path exists (relative paths are relative to the repo root). */
  fileExists: (path: string) => boolean;
  /** Why a runbook / template reference is not a file inside the repository root (undefined: it is). */
  fileProblem?: (ref: string, field: 'runbook' | 'postmortemTemplate') => string | undefined;
  origin: Slo['origin'];
  /** Sloth AlertWindows tables (`--windows`): default tiers per SLO period. */
  windows?: readonly AlertWindowsTable[];
}

export function normalizeDataSource(doc: DataSourceDoc): DataSourceSpec {
  const name = doc.metadata.name;
  const { prometheus, bigquery, postgres, airflow } = doc.spec;
  const timeoutOf = (t: string | undefined) => parseDuration(t ?? DEFAULTS.timeout);
  if (airflow)
    return {
      type: 'airflow',
      name,
      url: airflow.url,
      api: airflow.api ?? 'v2',
      ...(airflow.token !== undefined && { token: airflow.token }),
      ...(airflow.username !== undefined && { username: airflow.username, password: airflow.password! }),
      timeoutSeconds: timeoutOf(airflow.timeout),
    };
  if (prometheus)
    return {
      type: 'prometheus',
      name,
      url: prometheus.url,
      timeoutSeconds: timeoutOf(prometheus.timeout),
      headers: prometheus.headers ?? {},
      ...(prometheus.mode === 'recorded' && { mode: 'recorded' as const }),
      ...(prometheus.ruleInterval !== undefined && { ruleIntervalSeconds: parseDuration(prometheus.ruleInterval) }),
    };
  if (bigquery)
    return {
      type: 'bigquery',
      name,
      projectId: bigquery.projectId,
      ...(bigquery.location !== undefined && { location: bigquery.location }),
      ...(bigquery.apiEndpoint !== undefined && { apiEndpoint: bigquery.apiEndpoint }),
      ...(bigquery.maximumBytesBilled !== undefined && { maximumBytesBilled: parseBytes(bigquery.maximumBytesBilled) }),
      timeoutSeconds: timeoutOf(bigquery.timeout),
      ...(bigquery.overlap !== undefined && { overlapSeconds: parseDuration(bigquery.overlap) }),
    };
  return {
    type: 'postgres',
    name,
    url: postgres!.url,
    timeoutSeconds: timeoutOf(postgres!.timeout),
    ...(postgres!.overlap !== undefined && { overlapSeconds: parseDuration(postgres!.overlap) }),
  };
}

/** The DataSource every SLO uses unless it names another: PROMETHEUS_URL or localhost:9090. */
export function implicitPrometheus(env: Record<string, string | undefined>): DataSourceSpec {
  return {
    type: 'prometheus',
    name: DEFAULTS.source,
    url: env.PROMETHEUS_URL || DEFAULTS.prometheusUrl,
    timeoutSeconds: parseDuration(DEFAULTS.timeout),
    headers: {},
  };
}

function objectiveFraction(percent: number): number {
  return Number.parseFloat((percent / 100).toPrecision(12));
}

function isUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

export function normalizeSlo(doc: SloDoc, ctx: NormalizeContext): Slo | undefined {
  let ok = true;
  const error = (path: Path, message: string, code: ProblemCode = 'schema') => {
    ok = false;
    ctx.report('error', code, path, message);
  };
  const warn = (path: Path, message: string, code: ProblemCode = 'schema') => ctx.report('warning', code, path, message);
  const spec = doc.spec;
  const window = spec.window ?? DEFAULTS.window;
  const windowSeconds = parseDuration(window);
  const objectivePercent = spec.objective;
  const objective = objectiveFraction(objectivePercent);
  const defaultSource = spec.source ?? DEFAULTS.source;
  const { sourceOf, sloSource, queryRef } = queryResolver(ctx, spec.source, error);

  const indicator = normalizeIndicator(doc, sloSource, sourceOf, queryRef, error);

  // Tiers: short < long ≤ window.
  const tiers: Tier[] = [];
  const tierDocs = spec.alerting?.tiers;
  if (tierDocs) {
    tierDocs.forEach((t, i) => {
      const path = ['spec', 'alerting', 'tiers', i];
      const longSeconds = parseDuration(t.long);
      const shortSeconds = t.short === undefined ? longSeconds / 12 : parseDuration(t.short);
      let good = true;
      if (longSeconds > windowSeconds) {
        error([...path, 'long'], `must be at most the SLO window ${window}, got ${t.long}`);
        good = false;
      }
      if (shortSeconds >= longSeconds) {
        error([...path, 'short'], `must be shorter than long (${t.long}), got ${t.short}`);
        good = false;
      }
      if (!good) return;
      // The shared tier as it is, or a copy of its own when it carries labels or annotations.
      const tier = makeTier(t.severity, t.budgetPercent, longSeconds, shortSeconds, windowSeconds);
      tiers.push(
        t.labels || t.annotations
          ? { ...tier, ...(t.labels && { labels: { ...t.labels } }), ...(t.annotations && { annotations: { ...t.annotations } }) }
          : tier,
      );
    });
  } else if (ctx.windows?.some((t) => t.periodSeconds === windowSeconds)) {
    // A Sloth AlertWindows table for this period (--windows) replaces the default tiers.
    const table = ctx.windows.find((t) => t.periodSeconds === windowSeconds)!;
    for (const t of table.tiers) tiers.push(makeTier(t.severity, t.budgetPercent, parseDuration(t.long), parseDuration(t.short), windowSeconds));
  } else {
    tiers.push(...defaultTiers(windowSeconds).filter((t) => t.longSeconds <= windowSeconds));
    if (tiers.length === 0) error(['spec', 'window'], `is shorter than every default tier (1h…3d); give alerting.tiers`);
  }

  const kind = indicator?.kind;
  const budgeting = kind ? budgetingOf(kind) : undefined;
  const timeslice = spec.timeslice ?? DEFAULTS.timeslice;
  const timesliceSeconds = parseDuration(timeslice);
  const shortest = tiers.length > 0 ? Math.min(...tiers.map((t) => t.shortSeconds)) : undefined;
  if (spec.timeslice !== undefined && budgeting === 'occurrences')
    warn(['spec', 'timeslice'], `is ignored: a ${kind} SLI counts events, not time slices`);
  if (budgeting === 'timeslices' && shortest !== undefined && timesliceSeconds > shortest)
    error(['spec', 'timeslice'], `must be no longer than the shortest alert window (${formatDuration(shortest)}), got ${timeslice}`);
  else if (budgeting === 'timeslices') {
    const uneven = [windowSeconds, ...tiers.flatMap((t) => [t.longSeconds, t.shortSeconds])].filter((w) => w % timesliceSeconds !== 0);
    if (uneven.length > 0)
      warn(['spec', 'timeslice'], `${timeslice} does not divide ${[...new Set(uneven)].map(formatDuration).join(', ')} evenly: those windows count a partial slice`);
  }
  const interval = spec.interval ?? DEFAULTS.interval;
  const intervalSeconds = parseDuration(interval);
  if (shortest !== undefined && intervalSeconds > shortest)
    warn(['spec', 'interval'], `${interval} is longer than the shortest alert window (${formatDuration(shortest)}): alerts may come late`);

  // Low traffic (workbook): with fewer than 1/(b·B) events in the long window, one bad event fires the tier.
  const alerting = spec.alerting ?? {};
  const fastest = tiers.reduce<Tier | undefined>((a, t) => (a === undefined || t.factor > a.factor ? t : a), undefined);
  const lowTraffic = fastest ? Math.ceil(1 / (fastest.factor * (1 - objective)) - 1e-9) : 0;
  // Default guard: exactly the traffic below which one bad event fires the fastest tier. Slice
  // kinds count slices, not traffic: no guard.
  const minEvents = alerting.minEvents ?? (budgeting === 'occurrences' ? lowTraffic : 0);
  // An explicit 0 is a deliberate opt-out of the guard (as in Sloth): no warning.
  if (alerting.minEvents && budgeting === 'occurrences' && fastest && alerting.minEvents < lowTraffic)
    warn(
      ['spec', 'alerting', 'minEvents'],
      `with fewer than ${lowTraffic} events in ${fastest.long}, one bad event fires the ${fastest.severity} tier (burn rate ${round(fastest.factor)} at ${objectivePercent}%); minEvents ${alerting.minEvents} lets that happen (raise it to ${lowTraffic}, or accept noisy pages at low traffic)`,
      'low-traffic',
    );
  if (budgeting === 'timeslices' && fastest && fastest.longSeconds / timesliceSeconds < lowTraffic)
    warn(
      ['spec', 'timeslice'],
      `one bad ${timeslice} slice fires the ${fastest.severity} tier (${fastest.long}, burn rate ${round(fastest.factor)} at ${objectivePercent}%); a longer timeslice or a lower objective makes it less jumpy`,
      'low-traffic',
    );

  for (const field of ['runbook', 'postmortemTemplate'] as const) {
    const ref = alerting[field];
    if (ref === undefined) continue;
    if (ctx.fileProblem) {
      const problem = ctx.fileProblem(ref, field);
      if (problem) error(['spec', 'alerting', field], problem, 'reference');
    } else if (!isUrl(ref) && !ctx.fileExists(ref))
      error(['spec', 'alerting', field], `file ${JSON.stringify(ref)} does not exist (paths are relative to the repository root, where burnwatch runs)`, 'reference');
  }

  if (indicator) checkGrouping(spec.groupBy, spec.maxGroups, indicator, error, warn);

  if (!ok || !indicator) return undefined;
  const { rollback, rerun, auto } = spec.remediation ?? {};
  if (auto && !spec.remediation?.[auto.action]) {
    error(['spec', 'remediation', 'auto', 'action'], `names ${auto.action}, but remediation.${auto.action} gives no target`, 'reference');
    return undefined;
  }
  const remediation: Slo['remediation'] = spec.remediation && {
    ...(rollback && { rollback: { ...rollback } }),
    ...(rerun && { rerun: { ...rerun } }),
    ...(auto && {
      auto: { action: auto.action, afterDeploySeconds: parseDuration(auto.withinDeploy ?? '30m'), delaySeconds: parseDuration(auto.delay ?? '2m'), dryRun: auto.dryRun ?? false },
    }),
  };
  return {
    id: `${doc.metadata.service}/${doc.metadata.name}`,
    name: doc.metadata.name,
    service: doc.metadata.service,
    ...(doc.metadata.owner !== undefined && { owner: doc.metadata.owner }),
    labels: { ...doc.metadata.labels },
    ...(spec.description !== undefined && { description: spec.description }),
    objectivePercent,
    objective,
    window,
    windowSeconds,
    source: defaultSource,
    indicator,
    timesliceSeconds,
    intervalSeconds,
    alerting: {
      ...(alerting.channel !== undefined && { channel: alerting.channel }),
      ...(alerting.runbook !== undefined && { runbook: alerting.runbook }),
      ...(alerting.postmortemTemplate !== undefined && { postmortemTemplate: alerting.postmortemTemplate }),
      minEvents,
      noDataAfter: alerting.noDataAfter ?? DEFAULTS.noDataAfter,
      ...(alerting.page !== undefined && { page: alerting.page }),
      ...(alerting.escalation !== undefined &&
        alerting.escalation.length > 0 && { escalation: { escalateAfterSeconds: parseDuration(alerting.escalateAfter ?? '15m'), steps: [...alerting.escalation] } }),
      tiers: sharedTierList(tiers),
      ...(alerting.name !== undefined && { name: alerting.name }),
      ...(alerting.labels && { labels: { ...alerting.labels } }),
      ...(alerting.annotations && { annotations: { ...alerting.annotations } }),
    },
    ...(remediation && { remediation }),
    ...(spec.groupBy && { groupBy: { labels: [...spec.groupBy], max: spec.maxGroups ?? DEFAULTS.maxGroups } }),
    origin: ctx.origin,
  };
}

type ErrorSink = (path: Path, message: string, code?: ProblemCode) => void;

/** Resolves DataSource names and turns queries into QueryRefs, reporting what is wrong with them. */
function queryResolver(ctx: NormalizeContext, specSource: string | undefined, error: ErrorSink) {
  const defaultSource = specSource ?? DEFAULTS.source;
  const sourceOf = (name: string, path: Path): DataSourceSpec | undefined => {
    const source = ctx.sources.get(name);
    if (source) return source;
    if (ctx.brokenSources.has(name)) error(path, `DataSource "${name}" has errors (see them above); fix it first`, 'reference');
    else
      error(
        path,
        `no DataSource named "${name}"${didYouMean(name, [...ctx.sources.keys()])}; declare one (kind: DataSource) or use one of: ${[...ctx.sources.keys()].join(', ')}`,
        'reference',
      );
    return undefined;
  };
  const sloSource = sourceOf(defaultSource, specSource === undefined ? ['spec'] : ['spec', 'source']);

  const queryRef = (query: Query, path: Path): QueryRef | undefined => {
    const named = typeof query === 'string' ? undefined : query.source;
    const source = named === undefined ? sloSource : sourceOf(named, [...path, 'source']);
    if (!source) return undefined;
    const sourceName = named ?? defaultSource;
    if (source.type === 'airflow') {
      // An Airflow DataSource's "query" is the DAG id whose last successful run is the freshness.
      if (typeof query !== 'string' || !/^[\w.-]{1,250}$/.test(query.trim())) {
        error(path, `on an Airflow DataSource ("${sourceName}") the query is a DAG id, e.g. hstu_daily`, 'reference');
        return undefined;
      }
      return { source: sourceName, language: 'airflow', text: query.trim() };
    }
    const native = source.type === 'prometheus' ? 'promql' : 'sql';
    const language = typeof query === 'string' ? native : query.promql !== undefined ? 'promql' : 'sql';
    const text = typeof query === 'string' ? query : (query.promql ?? query.sql)!;
    const textPath = typeof query === 'string' ? path : [...path, language];
    if (language !== native) {
      error(
        textPath,
        `${language === 'promql' ? 'PromQL' : 'SQL'} cannot run on DataSource "${sourceName}" (a ${source.type} source): ${
          native === 'promql' ? 'write PromQL, or set source: to a bigquery or postgres DataSource' : 'write SQL, or set source: to a prometheus DataSource'
        }`,
        'reference',
      );
      return undefined;
    }
    if (language === 'promql') {
      const message = promqlError(text);
      if (message) {
        error(textPath, message, 'promql');
        return undefined;
      }
    } else {
      const messages = sqlErrors(text);
      for (const message of messages) error(textPath, message, 'sql');
      if (messages.length > 0) return undefined;
    }
    return { source: sourceName, language, text };
  };
  return { sourceOf, sloSource, queryRef };
}

const QUERY_FIELDS: Record<IndicatorKind, readonly string[]> = {
  ratio: ['good', 'bad', 'total'],
  latency: [],
  freshness: ['query'],
  throughput: ['query', 'activeWhen'],
  threshold: ['query'],
};

/**
 * For an SLO whose schema failed elsewhere: still check the queries and DataSource names that
 * are well-formed, so one round of `validate` shows every problem. `hasIssue` says which paths
 * already have a schema error (those are not checked again).
 */
export function checkQueriesOf(raw: unknown, ctx: NormalizeContext, hasIssue: (path: Path) => boolean): void {
  const spec = (raw as { spec?: Record<string, unknown> } | null)?.spec;
  if (spec === null || typeof spec !== 'object') return;
  const specSource = typeof spec.source === 'string' && !hasIssue(['spec', 'source']) ? spec.source : undefined;
  if (spec.source !== undefined && specSource === undefined) return;
  const error: ErrorSink = (path, message, code = 'schema') => ctx.report('error', code, path, message);
  const { queryRef } = queryResolver(ctx, specSource, error);
  const indicator = spec.indicator as Record<string, Record<string, unknown> | undefined> | undefined;
  if (indicator === null || typeof indicator !== 'object') return;
  for (const [kind, fields] of Object.entries(QUERY_FIELDS)) {
    const body = indicator[kind];
    if (body === null || typeof body !== 'object') continue;
    for (const field of fields) {
      const path = ['spec', 'indicator', kind, field];
      const parsed = Query.safeParse(body[field]);
      if (parsed.success && !hasIssue(path)) queryRef(parsed.data, path);
    }
  }
}

function normalizeIndicator(
  doc: SloDoc,
  sloSource: DataSourceSpec | undefined,
  sourceOf: (name: string, path: Path) => DataSourceSpec | undefined,
  anyQueryRef: (query: Query, path: Path) => QueryRef | undefined,
  error: ErrorSink,
): Indicator | undefined {
  const ind = doc.spec.indicator;
  // An Airflow DataSource knows when a DAG last succeeded: it answers freshness only.
  const queryRef = (query: Query, path: Path): QueryRef | undefined => {
    const ref = anyQueryRef(query, path);
    if (ref?.language !== 'airflow' || ind.freshness) return ref;
    error(path, `DataSource "${ref.source}" is an Airflow source: it answers freshness SLIs only (the last successful run of a DAG)`, 'reference');
    return undefined;
  };
  const base = ['spec', 'indicator'];
  if (ind.ratio) {
    const path = [...base, 'ratio'];
    const good = ind.ratio.good === undefined ? undefined : queryRef(ind.ratio.good, [...path, 'good']);
    const bad = ind.ratio.bad === undefined ? undefined : queryRef(ind.ratio.bad, [...path, 'bad']);
    const total = queryRef(ind.ratio.total, [...path, 'total']);
    if (!total || (!good && !bad)) return undefined;
    return { kind: 'ratio', ...(good && { good }), ...(bad && { bad }), total };
  }
  if (ind.latency) {
    const path = [...base, 'latency'];
    const l = ind.latency;
    if (/_(bucket|count|sum)$/.test(l.metric)) {
      error([...path, 'metric'], `name the histogram without its suffix: ${l.metric.replace(/_(bucket|count|sum)$/, '')}`);
      return undefined;
    }
    // Latency reads a Prometheus histogram's buckets.
    const sourcePath = l.source === undefined ? ['spec', 'source'] : [...path, 'source'];
    const source = l.source === undefined ? sloSource : sourceOf(l.source, sourcePath);
    if (!source) return undefined;
    const sourceName = l.source ?? doc.spec.source ?? DEFAULTS.source;
    if (source.type !== 'prometheus') {
      error(sourcePath, `a latency SLI reads a Prometheus histogram, and DataSource "${sourceName}" is a ${source.type} source; use a ratio with SQL instead`, 'reference');
      return undefined;
    }
    // `{route="/rank"}` and `route="/rank"` both mean the same matchers.
    const selector = (l.selector ?? '').trim().replace(/^\{([\s\S]*)\}$/, '$1').trim();
    const selectorError = selector === '' ? undefined : (promqlError(`{${selector}}`) ?? labelMatchersProblem(selector));
    if (selectorError) {
      error([...path, 'selector'], `is not a PromQL label selector (write it as inside {…}, e.g. route="/rank", code!~"5.."): ${selectorError.replace(/ at \d+:(\d+) of the query/, (_, c) => ` at column ${Number(c) - 1}`)}`, 'promql');
      return undefined;
    }
    const thresholdSeconds = typeof l.threshold === 'number' ? l.threshold : parseDuration(l.threshold);
    return { kind: 'latency', source: sourceName, metric: l.metric, selector, thresholdSeconds };
  }
  if (ind.freshness) {
    const query = queryRef(ind.freshness.query, [...base, 'freshness', 'query']);
    return query && { kind: 'freshness', query, maxAgeSeconds: parseDuration(ind.freshness.maxAge) };
  }
  if (ind.throughput) {
    const path = [...base, 'throughput'];
    const query = queryRef(ind.throughput.query, [...path, 'query']);
    const activeWhen = ind.throughput.activeWhen === undefined ? undefined : queryRef(ind.throughput.activeWhen, [...path, 'activeWhen']);
    if (!query || (ind.throughput.activeWhen !== undefined && !activeWhen)) return undefined;
    // SQL answers (ts, value) rows: a job that is not running simply has no rows.
    if (activeWhen && activeWhen.language === 'sql') {
      error([...path, 'activeWhen'], 'is for PromQL only; with SQL, return (ts, value) rows only while the job is active and leave activeWhen out', 'schema');
      return undefined;
    }
    return { kind: 'throughput', query, min: ind.throughput.min, ...(activeWhen && { activeWhen }) };
  }
  const t = ind.threshold!;
  const query = queryRef(t.query, [...base, 'threshold', 'query']);
  return query && { kind: 'threshold', query, op: t.op, value: t.value };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Each PromQL query of an indicator, with the path it was written at. */
function promqlOf(indicator: Indicator): Array<{ ref: QueryRef; path: Path }> {
  const base = ['spec', 'indicator', indicator.kind];
  switch (indicator.kind) {
    case 'ratio':
      return (['good', 'bad', 'total'] as const).flatMap((k) => (indicator[k] ? [{ ref: indicator[k]!, path: [...base, k] }] : []));
    case 'latency':
      return [];
    case 'throughput':
      return [{ ref: indicator.query, path: [...base, 'query'] }, ...(indicator.activeWhen ? [{ ref: indicator.activeWhen, path: [...base, 'activeWhen'] }] : [])];
    default:
      return [{ ref: indicator.query, path: [...base, 'query'] }];
  }
}

/**
 * groupBy needs queries that keep its labels (burnwatch adds `label="value"` to every selector of
 * each instance). Without groupBy, a query grouped `by (…)` would be summed into one ratio over
 * every value, silently: say so.
 */
function checkGrouping(
  groupBy: readonly string[] | undefined,
  maxGroups: number | undefined,
  indicator: Indicator,
  error: ErrorSink,
  warn: (path: Path, message: string) => void,
): void {
  const queries = promqlOf(indicator);
  if (!groupBy) {
    if (maxGroups !== undefined) warn(['spec', 'maxGroups'], 'is ignored without spec.groupBy');
    for (const { ref, path } of queries) {
      if (ref.language !== 'promql') continue;
      const kept = [...new Set(outerAggregations(ref.text).flatMap((a) => a.by ?? []))];
      if (kept.length > 0)
        warn(
          path,
          `the query is grouped by (${kept.join(', ')}): burnwatch sums it into one SLO over every ${kept.join('/')}; for one SLO per value, add spec.groupBy: [${kept.join(', ')}]`,
        );
    }
    return;
  }
  const sql = queries.find((q) => q.ref.language !== 'promql');
  if (sql) {
    error(['spec', 'groupBy'], `needs PromQL queries: ${sql.path.join('.')} is SQL (write one SLO per value, or a query per value)`);
    return;
  }
  for (const { ref, path } of queries) {
    for (const agg of outerAggregations(ref.text)) {
      const drops = agg.without ? groupBy.filter((l) => agg.without!.includes(l)) : groupBy.filter((l) => !agg.by!.includes(l));
      if (drops.length > 0) {
        error(
          path,
          `${agg.op}${agg.without ? ` without (${agg.without.join(', ')})` : agg.by!.length > 0 ? ` by (${agg.by!.join(', ')})` : ''} drops ${drops.join(', ')}, which spec.groupBy evaluates one SLO per value of: write ${agg.op} by (${groupBy.join(', ')}) (…), or leave the aggregation out`,
        );
        break;
      }
    }
    const matched = groupBy.filter((l) => new RegExp(`[{,]\\s*${l}\\s*(=|!=|=~|!~)`).test(ref.text));
    if (matched.length > 0) error(path, `already matches ${matched.join(', ')}: spec.groupBy adds ${matched.map((l) => `${l}="<value>"`).join(', ')} to every selector itself`);
  }
}

// Sloth specs (`version: prometheus/v1` files and `sloth.slok.dev/v1` PrometheusServiceLevel
// objects) as burnwatch/v1 SLOs. Sloth's SLIs are Prometheus ratios over `{{.window}}`, which is
// exactly a burnwatch ratio over `$window`; alert names, labels and annotations are kept on the
// generated alerts and on burnwatch's notifications, so Alertmanager routes keep matching.
import { z } from 'zod';
import { formatDuration } from '../../domain/duration.ts';
import { DEFAULT_TIERS } from '../../domain/tiers.ts';
import type { Path } from '../problem.ts';
import { outerGroupBy } from '../query-grouping.ts';
import type { ImportedDoc, ImportNote, ImportResult } from './imported.ts';
import { parseForeign, slothWindow } from './imported.ts';
import type { AlertWindowsTable } from './alert-windows.ts';
import { KNOWN_SLI_PLUGINS, slothPluginSli } from './sloth-sli-plugins.ts';

// Label values are strings; YAML writes `tier: 2` or `generated: true` as a number or a boolean.
const LabelMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const StringMap = z.record(z.string(), z.string());
const Alert = z.strictObject({
  disable: z.boolean().optional(),
  labels: LabelMap.optional(),
  annotations: StringMap.optional(),
  /** Only read by Sloth's alert_for plugin. */
  for: z.string().optional(),
});
const PluginChain = z.strictObject({
  overridePrevious: z.boolean().optional(),
  chain: z.array(z.strictObject({ id: z.string(), priority: z.number().optional(), config: z.unknown().optional() })).optional(),
});

// Sloth's Kubernetes CRD spells fields in camelCase; its file format in snake_case. Accept both in both.
const Slo = z.strictObject({
  name: z.string(),
  objective: z.number(),
  description: z.string().optional(),
  labels: LabelMap.optional(),
  plugins: PluginChain.optional(),
  sli: z.strictObject({
    events: z
      .strictObject({
        error_query: z.string().optional(),
        total_query: z.string().optional(),
        errorQuery: z.string().optional(),
        totalQuery: z.string().optional(),
      })
      .optional(),
    raw: z.strictObject({ error_ratio_query: z.string().optional(), errorRatioQuery: z.string().optional() }).optional(),
    plugin: z.strictObject({ id: z.string(), options: z.record(z.string(), z.unknown()).optional() }).optional(),
  }),
  alerting: z
    .strictObject({
      name: z.string().optional(),
      labels: LabelMap.optional(),
      annotations: StringMap.optional(),
      page_alert: Alert.optional(),
      ticket_alert: Alert.optional(),
      pageAlert: Alert.optional(),
      ticketAlert: Alert.optional(),
    })
    .optional(),
});
type SlothSlo = z.infer<typeof Slo>;

const FileSpec = z.strictObject({
  version: z.literal('prometheus/v1'),
  service: z.string(),
  labels: LabelMap.optional(),
  slo_plugins: PluginChain.optional(),
  slos: z.array(Slo).min(1),
});
const CrdSpec = z.strictObject({
  apiVersion: z.literal('sloth.slok.dev/v1'),
  kind: z.literal('PrometheusServiceLevel'),
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }),
  spec: z.strictObject({ service: z.string(), labels: LabelMap.optional(), sloPlugins: PluginChain.optional(), slos: z.array(Slo).min(1) }),
});

/** Sloth's default SLO period. */
const SLOTH_WINDOW = '30d';

/**
 * The period and tier table Sloth SLOs get: Sloth's 30d and the workbook's tiers, or with
 * --windows the table for 30d, or the only table given (Sloth picks one with --default-slo-period).
 */
function periodOf(windows: readonly AlertWindowsTable[] | undefined): { window: string; tiers: typeof DEFAULT_TIERS_DOC } {
  const table = windows?.find((t) => t.period === SLOTH_WINDOW) ?? (windows?.length === 1 ? windows[0] : undefined);
  return table ? { window: table.period, tiers: table.tiers } : { window: SLOTH_WINDOW, tiers: DEFAULT_TIERS_DOC };
}

export function isSloth(doc: Record<string, unknown>): boolean {
  return doc.version === 'prometheus/v1' || (doc.apiVersion === 'sloth.slok.dev/v1' && doc.kind === 'PrometheusServiceLevel');
}

export function importSloth(doc: Record<string, unknown>, windows?: readonly AlertWindowsTable[]): ImportResult {
  const notes: ImportNote[] = [];
  const crd = doc.apiVersion === 'sloth.slok.dev/v1';
  const parsed = crd ? parseForeign(CrdSpec, doc, notes, 'Sloth') : parseForeign(FileSpec, doc, notes, 'Sloth');
  if (!parsed) return { format: 'sloth', docs: [], notes };
  const base: Path = crd ? ['spec'] : [];
  const spec = 'spec' in parsed ? parsed.spec : parsed;
  const groupPlugins = 'sloPlugins' in spec ? spec.sloPlugins : 'slo_plugins' in spec ? spec.slo_plugins : undefined;
  const groupRefused = checkPlugins(groupPlugins, [...base, crd ? 'sloPlugins' : 'slo_plugins'], notes);
  const serviceLabels = coerceLabels(spec.labels, [...base, 'labels'], notes);
  const docs = groupRefused
    ? []
    : spec.slos.flatMap((slo, i) => convertSlo(slo, spec.service, serviceLabels, [...base, 'slos', i], base, notes, periodOf(windows)) ?? []);
  return { format: 'sloth', docs, notes };
}

/**
 * Sloth's SLO plugins rewrite the rules Sloth generates. The ones that ship with Sloth and leave
 * the SLI, its ratio and its alerts as burnwatch computes them are accepted; the others are
 * refused, because ignoring them would give another error ratio than Sloth's.
 */
const HARMLESS_PLUGINS: Record<string, string | undefined> = {
  'sloth.dev/core/sli_rules/v1': undefined,
  'sloth.dev/core/metadata_rules/v1': undefined,
  'sloth.dev/core/alert_rules/v1': undefined,
  'sloth.dev/core/validate/v1': undefined,
  'sloth.dev/core/debug/v1': undefined,
  'sloth.dev/core/noop/v1': undefined,
  'sloth.dev/contrib/validate_victoria_metrics/v1': 'burnwatch checks queries as PromQL, not MetricsQL',
  'sloth.dev/contrib/rule_intervals/v1': 'rule evaluation intervals are Prometheus configuration; burnwatch evaluates every spec.interval (1m)',
  'sloth.dev/contrib/alert_for/v1': 'a pending time (for:) is dropped: burnwatch fires at the first evaluation over threshold',
};
/** Period ratios weighted by events (Σ bad / Σ total), which is what burnwatch always computes. */
const EVENT_WEIGHTED = /denominator[_-]?corrected/;

function checkPlugins(plugins: z.infer<typeof PluginChain> | undefined, at: Path, notes: ImportNote[]): boolean {
  let refused = false;
  (plugins?.chain ?? []).forEach((plugin, k) => {
    const path = [...at, 'chain', k, 'id'];
    if (plugin.id in HARMLESS_PLUGINS) {
      const note = HARMLESS_PLUGINS[plugin.id];
      if (note) notes.push({ severity: 'warning', code: 'import', path, message: `Sloth plugin ${plugin.id}: ${note}` });
    } else if (EVENT_WEIGHTED.test(plugin.id)) {
      // burnwatch's period ratio already divides summed bad events by summed events.
    } else {
      refused = true;
      notes.push({
        severity: 'error',
        code: 'import',
        path,
        message: `Sloth SLO plugin ${plugin.id} changes the rules Sloth generates in a way burnwatch cannot know: refused (remove it, or write the SLO natively)`,
      });
    }
  });
  return refused;
}

function coerceLabels(labels: Record<string, string | number | boolean> | undefined, at: Path, notes: ImportNote[]): Record<string, string> | undefined {
  if (!labels) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    out[key] = String(value);
    if (typeof value !== 'string')
      notes.push({ severity: 'warning', code: 'import', path: [...at, key], message: `label value ${String(value)} is a ${typeof value}: imported as the string "${String(value)}" (quote it in YAML)` });
  }
  return out;
}

function convertSlo(
  slo: SlothSlo,
  service: string,
  serviceLabels: Record<string, string> | undefined,
  at: Path,
  base: Path,
  notes: ImportNote[],
  period: ReturnType<typeof periodOf>,
): ImportedDoc | undefined {
  const drop = (path: Path, what: string) =>
    notes.push({ severity: 'warning', code: 'import', path: [...at, ...path], key: true, message: `${what} cannot be expressed in burnwatch and is dropped` });
  const from: ImportedDoc['from'] = [
    [[], at],
    [['metadata', 'name'], [...at, 'name']],
    [['metadata', 'service'], [...base, 'service']],
    [['metadata', 'labels'], [...at, 'labels']],
    [['spec'], at],
    [['spec', 'objective'], [...at, 'objective']],
    [['spec', 'description'], [...at, 'description']],
    [['spec', 'indicator'], [...at, 'sli']],
    [['spec', 'alerting'], [...at, 'alerting']],
  ];

  let ratio: Record<string, string>;
  const { events, raw, plugin } = slo.sli;
  if (checkPlugins(slo.plugins, [...at, 'plugins'], notes)) return undefined;
  if (plugin) {
    const sli = slothPluginSli(plugin.id, plugin.options);
    if (sli === undefined || sli instanceof Error) {
      notes.push({
        severity: 'error',
        code: 'import',
        path: [...at, 'sli', 'plugin', sli ? 'options' : 'id'],
        message: sli
          ? `Sloth SLI plugin ${plugin.id}: ${sli.message}`
          : `Sloth SLI plugins (${plugin.id}) cannot be imported: their PromQL is built by Go code burnwatch does not run; write the SLI as events (error_query / total_query). burnwatch writes out ${KNOWN_SLI_PLUGINS.join(', ')}`,
      });
      return undefined;
    }
    ratio = { bad: sli.bad, total: sli.total };
    from.push([['spec', 'indicator', 'ratio'], [...at, 'sli', 'plugin']]);
  } else if (events) {
    const errorKey = events.errorQuery !== undefined ? 'errorQuery' : 'error_query';
    const totalKey = events.totalQuery !== undefined ? 'totalQuery' : 'total_query';
    const error = events.errorQuery ?? events.error_query;
    const total = events.totalQuery ?? events.total_query;
    if (error === undefined || total === undefined) {
      notes.push({ severity: 'error', code: 'import', path: [...at, 'sli', 'events'], message: 'needs both error_query and total_query' });
      return undefined;
    }
    ratio = { bad: slothWindow(error), total: slothWindow(total) };
    from.push([['spec', 'indicator', 'ratio', 'bad'], [...at, 'sli', 'events', errorKey]], [['spec', 'indicator', 'ratio', 'total'], [...at, 'sli', 'events', totalKey]]);
  } else if (raw) {
    const key = raw.errorRatioQuery !== undefined ? 'errorRatioQuery' : 'error_ratio_query';
    const query = raw.errorRatioQuery ?? raw.error_ratio_query;
    if (query === undefined) {
      notes.push({ severity: 'error', code: 'import', path: [...at, 'sli', 'raw'], message: 'needs error_ratio_query' });
      return undefined;
    }
    // bad/total = ratio/1: the ratio is right, but there are no event counts to guard low traffic with.
    ratio = { bad: slothWindow(query), total: 'vector(1)' };
    from.push([['spec', 'indicator', 'ratio'], [...at, 'sli', 'raw', key]]);
    notes.push({
      severity: 'warning',
      code: 'import',
      path: [...at, 'sli', 'raw'],
      key: true,
      message: 'a raw error ratio has no event counts: imported as bad = the ratio, total = vector(1), so reports show no event numbers',
    });
  } else {
    notes.push({ severity: 'error', code: 'import', path: [...at, 'sli'], message: 'needs events (error_query, total_query) or raw (error_ratio_query)' });
    return undefined;
  }

  // A grouped query gives Sloth one ratio per label value; summing it would silently give one.
  const queriesAt: Array<[string, Path]> = plugin
    ? []
    : events
    ? [[ratio.bad!, [...at, 'sli', 'events', events.errorQuery !== undefined ? 'errorQuery' : 'error_query']], [ratio.total!, [...at, 'sli', 'events', events.totalQuery !== undefined ? 'totalQuery' : 'total_query']]]
    : [[ratio.bad!, [...at, 'sli', 'raw', raw!.errorRatioQuery !== undefined ? 'errorRatioQuery' : 'error_ratio_query']]];
  // A grouped query gives Sloth one ratio per label value: that is burnwatch's groupBy.
  const groupings = queriesAt.map(([q, p]) => [outerGroupBy(q), p] as const);
  const grouped = groupings.find(([labels]) => labels.length > 0);
  let groupBy: string[] | undefined;
  if (grouped) {
    const differs = groupings.find(([labels]) => labels.join(',') !== grouped[0].join(','));
    if (differs) {
      notes.push({
        severity: 'error',
        code: 'import',
        path: differs[1],
        message: `is grouped by (${differs[0].join(', ')}) but the other query by (${grouped[0].join(', ')}): the error ratio per value needs both grouped alike`,
      });
      return undefined;
    }
    groupBy = grouped[0];
    from.push([['spec', 'groupBy'], grouped[1]]);
  }

  const alerting: Record<string, unknown> = {
    // Sloth has no low-traffic guard, and its queries are usually per-second rates, not counts.
    minEvents: 0,
  };
  const a = slo.alerting;
  if (a) {
    const pageKey = a.pageAlert !== undefined ? 'pageAlert' : 'page_alert';
    const ticketKey = a.ticketAlert !== undefined ? 'ticketAlert' : 'ticket_alert';
    const page = a.pageAlert ?? a.page_alert;
    const ticket = a.ticketAlert ?? a.ticket_alert;
    if (a.name !== undefined) {
      alerting.name = a.name;
      from.push([['spec', 'alerting', 'name'], [...at, 'alerting', 'name']]);
    }
    const alertLabels = coerceLabels(a.labels, [...at, 'alerting', 'labels'], notes);
    if (alertLabels) {
      alerting.labels = alertLabels;
      from.push([['spec', 'alerting', 'labels'], [...at, 'alerting', 'labels']]);
    }
    const annotations: Record<string, string> = {};
    for (const [key, value] of Object.entries(a.annotations ?? {})) {
      if ((key === 'runbook' || key === 'runbook_url') && alerting.runbook === undefined && !value.includes('{{')) {
        alerting.runbook = value;
        from.push([['spec', 'alerting', 'runbook'], [...at, 'alerting', 'annotations', key]]);
      } else annotations[key] = value;
    }
    if (Object.keys(annotations).length > 0) {
      alerting.annotations = annotations;
      from.push([['spec', 'alerting', 'annotations'], [...at, 'alerting', 'annotations']]);
    }
    const tiers: Array<Record<string, unknown>> = [];
    for (const [alert, key, severity] of [[page, pageKey, 'page'], [ticket, ticketKey, 'ticket']] as const) {
      if (alert?.disable) continue;
      if (alert?.for !== undefined) drop(['alerting', key, 'for'], `alerting.${key}.for (burnwatch fires at the first evaluation over threshold)`);
      const tierLabels = coerceLabels(alert?.labels, [...at, 'alerting', key, 'labels'], notes);
      for (const t of period.tiers.filter((t) => t.severity === severity)) {
        from.push([['spec', 'alerting', 'tiers', tiers.length], [...at, 'alerting', key]]);
        tiers.push({ ...t, ...(tierLabels && { labels: tierLabels }), ...(alert?.annotations && { annotations: { ...alert.annotations } }) });
      }
    }
    const custom = page?.disable || ticket?.disable || page?.labels || page?.annotations || ticket?.labels || ticket?.annotations || period.tiers !== DEFAULT_TIERS_DOC;
    // Both disabled: tracked and reported, never alerting (Sloth still records its SLI rules).
    if (custom) alerting.tiers = tiers;
  }

  const labels = { ...serviceLabels, ...coerceLabels(slo.labels, [...at, 'labels'], notes) };
  const value = {
    apiVersion: 'burnwatch/v1',
    kind: 'SLO',
    metadata: { name: slo.name, service, ...(Object.keys(labels).length > 0 && { labels }) },
    spec: {
      ...(slo.description !== undefined && { description: slo.description }),
      objective: slo.objective,
      window: period.window,
      ...(groupBy && { groupBy }),
      indicator: { ratio },
      alerting,
    },
  };
  return { value, from, origin: at };
}

/** Sloth's (and the workbook's) four tiers, as a native document writes them. */
const DEFAULT_TIERS_DOC = DEFAULT_TIERS.map((t) => ({
  severity: t.severity,
  budgetPercent: t.budgetPercent,
  long: formatDuration(t.longSeconds),
  short: formatDuration(t.shortSeconds),
}));

// Sloth specs (`version: prometheus/v1` files and `sloth.slok.dev/v1` PrometheusServiceLevel
// objects) as burnwatch/v1 SLOs. Sloth's SLIs are Prometheus ratios over `{{.window}}`, which is
// exactly a burnwatch ratio over `$window`; alert names, labels and annotations have no place in
// burnwatch (it routes by channel and severity) and are reported as dropped.
import { z } from 'zod';
import { formatDuration } from '../../domain/duration.ts';
import { DEFAULT_TIERS } from '../../domain/tiers.ts';
import type { Path } from '../problem.ts';
import type { ImportedDoc, ImportNote, ImportResult } from './imported.ts';
import { parseForeign, slothWindow } from './imported.ts';

const StringMap = z.record(z.string(), z.string());
const Alert = z.strictObject({ disable: z.boolean().optional(), labels: StringMap.optional(), annotations: StringMap.optional() });

// Sloth's Kubernetes CRD spells fields in camelCase; its file format in snake_case. Accept both in both.
const Slo = z.strictObject({
  name: z.string(),
  objective: z.number(),
  description: z.string().optional(),
  labels: StringMap.optional(),
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
      labels: StringMap.optional(),
      annotations: StringMap.optional(),
      page_alert: Alert.optional(),
      ticket_alert: Alert.optional(),
      pageAlert: Alert.optional(),
      ticketAlert: Alert.optional(),
    })
    .optional(),
});
type SlothSlo = z.infer<typeof Slo>;

const FileSpec = z.strictObject({ version: z.literal('prometheus/v1'), service: z.string(), labels: StringMap.optional(), slos: z.array(Slo).min(1) });
const CrdSpec = z.strictObject({
  apiVersion: z.literal('sloth.slok.dev/v1'),
  kind: z.literal('PrometheusServiceLevel'),
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }),
  spec: z.strictObject({ service: z.string(), labels: StringMap.optional(), slos: z.array(Slo).min(1) }),
});

/** Sloth's default SLO period. */
const SLOTH_WINDOW = '30d';

export function isSloth(doc: Record<string, unknown>): boolean {
  return doc.version === 'prometheus/v1' || doc.apiVersion === 'sloth.slok.dev/v1';
}

export function importSloth(doc: Record<string, unknown>): ImportResult {
  const notes: ImportNote[] = [];
  const crd = doc.apiVersion === 'sloth.slok.dev/v1';
  const parsed = crd ? parseForeign(CrdSpec, doc, notes, 'Sloth') : parseForeign(FileSpec, doc, notes, 'Sloth');
  if (!parsed) return { format: 'sloth', docs: [], notes };
  const base: Path = crd ? ['spec'] : [];
  const spec = 'spec' in parsed ? parsed.spec : parsed;
  const docs = spec.slos.flatMap((slo, i) => convertSlo(slo, spec.service, spec.labels, [...base, 'slos', i], base, notes) ?? []);
  return { format: 'sloth', docs, notes };
}

function convertSlo(slo: SlothSlo, service: string, serviceLabels: Record<string, string> | undefined, at: Path, base: Path, notes: ImportNote[]): ImportedDoc | undefined {
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
  if (plugin) {
    notes.push({ severity: 'error', code: 'import', path: [...at, 'sli', 'plugin'], message: `Sloth SLI plugins (${plugin.id}) cannot be imported: write the SLI as events (error_query / total_query)` });
    return undefined;
  }
  if (events) {
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
    if (a.name !== undefined) drop(['alerting', 'name'], 'alerting.name (burnwatch names alerts by SLO id and tier)');
    if (a.labels !== undefined) drop(['alerting', 'labels'], 'alerting.labels (route with alerting.channel instead)');
    for (const [key, value] of Object.entries(a.annotations ?? {})) {
      if ((key === 'runbook' || key === 'runbook_url') && alerting.runbook === undefined) {
        alerting.runbook = value;
        from.push([['spec', 'alerting', 'runbook'], [...at, 'alerting', 'annotations', key]]);
      } else drop(['alerting', 'annotations', key], `alerting.annotations.${key}`);
    }
    for (const [alert, key] of [[page, pageKey], [ticket, ticketKey]] as const) {
      if (alert?.labels !== undefined) drop(['alerting', key, 'labels'], `alerting.${key}.labels`);
      if (alert?.annotations !== undefined) drop(['alerting', key, 'annotations'], `alerting.${key}.annotations`);
    }
    if (page?.disable && ticket?.disable) {
      notes.push({ severity: 'error', code: 'import', path: [...at, 'alerting'], key: true, message: 'both page and ticket alerts are disabled: burnwatch always alerts on at least one tier' });
      return undefined;
    }
    const keep = page?.disable ? 'ticket' : ticket?.disable ? 'page' : undefined;
    if (keep) {
      alerting.tiers = DEFAULT_TIERS_DOC.filter((t) => t.severity === keep);
      from.push([['spec', 'alerting', 'tiers'], [...at, 'alerting', keep === 'page' ? ticketKey : pageKey, 'disable']]);
    }
  }

  const labels = { ...serviceLabels, ...slo.labels };
  const value = {
    apiVersion: 'burnwatch/v1',
    kind: 'SLO',
    metadata: { name: slo.name, service, ...(Object.keys(labels).length > 0 && { labels }) },
    spec: {
      ...(slo.description !== undefined && { description: slo.description }),
      objective: slo.objective,
      window: SLOTH_WINDOW,
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

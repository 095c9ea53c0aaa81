// Sloth SLI plugins (`sli.plugin: {id, options}`) are Go code that writes a PromQL error ratio.
// The common ones whose PromQL is a plain ratio of two sums are written out here as events
// (bad / total), which gives the same ratio and keeps the event counts; any other plugin is
// refused, because burnwatch cannot run its Go code.

export interface PluginSli {
  bad: string;
  total: string;
}

/** `{a="b",c="d"}` or `a="b",c="d"` → `a="b",c="d"`; undefined when it is not a list of equality matchers. */
function filterOf(options: Record<string, unknown> | undefined, required: boolean): string | undefined | Error {
  const raw = options?.filter;
  if (raw === undefined || raw === '') return required ? new Error('needs options.filter (label matchers such as job="api")') : undefined;
  if (typeof raw !== 'string') return new Error('options.filter must be a string of label matchers');
  const filter = raw.replace(/^[{},\s]+|[{},\s]+$/g, '');
  if (!/^([^=,"]+="[^=,"]*",\s*)*[^=,"]+="[^=,"]*"$/.test(filter)) return new Error(`options.filter ${JSON.stringify(raw)} is not a list of label matchers such as job="api"`);
  return filter;
}

/** Requests with a status code of 5xx or 429 are the errors, as these plugins count them. */
function statusAvailability(metric: string, required: boolean) {
  return (options: Record<string, unknown> | undefined): PluginSli | Error => {
    const filter = filterOf(options, required);
    if (filter instanceof Error) return filter;
    const sel = (extra?: string) => `{${[filter, extra].filter(Boolean).join(',')}}`;
    return { bad: `sum(rate(${metric}${sel('code=~"(5..|429)"')}[$window]))`, total: `sum(rate(${metric}${sel()}[$window]))` };
  };
}

const PLUGINS: Record<string, (options: Record<string, unknown> | undefined) => PluginSli | Error> = {
  'sloth-common/kubernetes/apiserver/availability': statusAvailability('apiserver_request_total', false),
  'sloth-common/slok-go-http-metrics/availability': statusAvailability('http_request_duration_seconds_count', true),
  // Scrape targets: the share of `up` samples that were 0.
  'sloth-common/prometheus/targets/availability': (options) => {
    const filter = filterOf(options, false);
    if (filter instanceof Error) return filter;
    const sel = filter ? `{${filter}}` : '';
    return { bad: `sum(count_over_time((up${sel} == 0)[$window:]))`, total: `sum(count_over_time((up${sel})[$window:]))` };
  },
};

/** The plugin's SLI as events, an Error saying what is wrong with its options, or undefined for a plugin burnwatch does not know. */
export function slothPluginSli(id: string, options: Record<string, unknown> | undefined): PluginSli | Error | undefined {
  return PLUGINS[id]?.(options);
}

export const KNOWN_SLI_PLUGINS = Object.keys(PLUGINS);

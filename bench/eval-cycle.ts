// One evaluation cycle of the synthetic fleet, in a process of its own:
//   --mode burnwatch      evaluateAll over PrometheusSource (queries merged across SLOs)
//   --mode floor          the PromQL burnwatch sends (merged), POSTed by a bare fetch loop
//   --mode floor-per-slo  one query per SLO and window, as a tool without sharing would send
// The floors use the same concurrency and parse the JSON answers, nothing else. Prints one JSON line.
import { parseArgs } from 'node:util';
import { windowsOf } from '../src/evaluator/compute-evaluation.ts';
import { evaluateAll, partsBySource } from '../src/evaluator/evaluate-all.ts';
import { PrometheusSource } from '../src/sources/prometheus/prometheus-source.ts';
import { planQueries } from '../src/sources/prometheus/batch-queries.ts';
import { combinedQuery } from '../src/sources/prometheus/sli-queries.ts';
import { FLEET_END, fleetSlos } from './lib/fleet.ts';

const { values } = parseArgs({
  options: { mode: { type: 'string' }, n: { type: 'string' }, url: { type: 'string' }, concurrency: { type: 'string', default: '8' }, hetero: { type: 'boolean', default: false }, at: { type: 'string' } },
});
const n = Number(values.n);
const url = values.url!;
const concurrency = Number(values.concurrency);
const at = new Date((values.at ? Number(values.at) : FLEET_END) * 1000);
const slos = fleetSlos(n, { heterogeneous: values.hetero! });

const started = performance.now();
let summary: Record<string, number> = {};
if (values.mode === 'floor' || values.mode === 'floor-per-slo') {
  const perSlo = slos.flatMap((slo) => {
    const parts = partsBySource(slo).get('prometheus')!;
    return windowsOf(slo).map((w) => combinedQuery(slo, parts, w));
  });
  const queries = values.mode === 'floor' ? planQueries(perSlo).queries : perSlo;
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < queries.length) {
      const query = queries[next++]!;
      const body = new URLSearchParams({ query, time: String(at.getTime() / 1000) });
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
      if (!res.ok) failures++;
      await res.json();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  summary = { queries: queries.length, failures };
} else {
  const source = new PrometheusSource({ name: 'prometheus', url, timeoutSeconds: 120, maxConcurrency: concurrency });
  const results = await evaluateAll(slos, new Map([['prometheus', source]]), at, { concurrency });
  const count = (s: string) => results.filter((r) => r.status === s).length;
  summary = { ok: count('ok'), page: count('page'), ticket: count('ticket'), unknown: count('unknown'), error: count('error') };
}
const wallMs = performance.now() - started;
console.log(JSON.stringify({ wallMs, maxRssMb: process.resourceUsage().maxRSS / 1024, ...summary }));

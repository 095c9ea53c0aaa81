// One recorded-mode cycle of the synthetic fleet, in a process of its own:
//   --mode burnwatch  evaluateAll over RecordedPrometheusSource (one query per window for all SLOs)
//   --mode floor      the same queries, POSTed by a bare fetch loop that parses the JSON answers
//   --mode download   the same queries, the bare loop only downloading the answers (no parse):
//                     the honest lower bound, Prometheus's time plus the transfer
// Prints one JSON line (wall, peak RSS, queries, statuses).
import { parseArgs } from 'node:util';
import { windowsOf } from '../src/evaluator/compute-evaluation.ts';
import { evaluateAll } from '../src/evaluator/evaluate-all.ts';
import { RecordedPrometheusSource, needsEvents } from '../src/sources/prometheus/recorded-source.ts';
import { recordedWindowQuery } from '../src/sources/prometheus/recorded-queries.ts';
import { FLEET_END, fleetSlos } from './lib/fleet.ts';

const { values } = parseArgs({ options: { mode: { type: 'string' }, n: { type: 'string' }, url: { type: 'string' }, concurrency: { type: 'string', default: '2' } } });
const n = Number(values.n);
const url = values.url!;
const concurrency = Number(values.concurrency);
const at = new Date((FLEET_END + 30) * 1000);
const slos = fleetSlos(n);

const started = performance.now();
let queries = 0;
let summary: Record<string, number> = {};
if (values.mode === 'floor' || values.mode === 'download') {
  const parse = values.mode === 'floor';
  const windows = [...new Set(slos.flatMap((s) => windowsOf(s)))];
  const texts = windows.map((w) => recordedWindowQuery(w, slos.some((s) => needsEvents(s, w)), 120));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < texts.length) {
        const body = new URLSearchParams({ query: texts[next++]!, time: String(at.getTime() / 1000) });
        queries++;
        const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
        if (parse) await res.json();
        else for await (const _ of res.body!);
      }
    }),
  );
} else {
  const counting: typeof fetch = (input, init) => {
    queries++;
    return fetch(input, init);
  };
  const source = new RecordedPrometheusSource({ name: 'prometheus', url, timeoutSeconds: 300, maxConcurrency: concurrency, fetch: counting });
  const results = await evaluateAll(slos, new Map([['prometheus', source]]), at, { concurrency: 8 });
  const count = (s: string) => results.filter((r) => r.status === s).length;
  summary = { ok: count('ok'), page: count('page'), ticket: count('ticket'), unknown: count('unknown'), error: count('error') };
}
const wallMs = performance.now() - started;
console.log(JSON.stringify({ wallMs, maxRssMb: process.resourceUsage().maxRSS / 1024, queries, ...summary }));

// One recorded-mode cycle of the synthetic fleet, in a process of its own:
//   --mode burnwatch  evaluateAll over RecordedPrometheusSource (one query per window for all SLOs)
//   --mode floor      the same queries, POSTed by a bare fetch loop that parses the JSON answers
//   --mode download   the same queries, the bare loop only downloading the answers (no parse):
//                     the honest lower bound, Prometheus's time plus the transfer
//   --mode serve      what `burnwatch serve` does each minute: runEvaluationCycle (evaluate, alert
//                     state machine, one transaction of evaluations, state and outbox) on the
//                     embedded SQLite store; two cycles, the first from an empty store
// Prints one JSON line (wall, peak RSS, queries, statuses).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SloEvaluation } from '../src/domain/evaluation.ts';
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
} else if (values.mode === 'serve') {
  // Imported here: the other modes measure the evaluation alone, without the service's modules.
  const { runEvaluationCycle } = await import('../src/service/evaluation-cycle.ts');
  const { createLogger } = await import('../src/service/logger.ts');
  const { openStore } = await import('../src/store/open-store.ts');
  const source = new RecordedPrometheusSource({ name: 'prometheus', url, timeoutSeconds: 300, maxConcurrency: concurrency, fetch: (input, init) => (queries++, fetch(input, init)) });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnwatch-recorded-serve-'));
  const store = await openStore({ dataDir: dir });
  try {
    const deps = { db: store.db, sources: () => new Map([['prometheus', source]]), routes: () => [() => ['log']], isLeader: () => true, logger: createLogger('silent') };
    const cycles: number[] = [];
    let last: SloEvaluation[] = [];
    for (const k of [0, 1]) {
      const t0 = performance.now();
      last = (await runEvaluationCycle(deps, slos, new Date(at.getTime() + k * 60_000), new AbortController().signal)).evaluations;
      cycles.push(performance.now() - t0);
    }
    const count = (s: string) => last.filter((r) => r.status === s).length;
    summary = { firstCycleMs: cycles[0]!, secondCycleMs: cycles[1]!, ok: count('ok'), page: count('page'), ticket: count('ticket'), unknown: count('unknown'), error: count('error') };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
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

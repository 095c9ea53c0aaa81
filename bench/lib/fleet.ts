// A synthetic fleet of N SLOs (ratio, latency, freshness in turn), each on its own series, and
// a streaming OpenMetrics writer for their data. The test fixture builds strings in memory; at
// 10 000 SLOs the data is gigabytes, so the benchmark streams it to disk.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDuration } from '../../src/domain/duration.ts';
import type { Slo } from '../../src/domain/slo.ts';
import { makeSlo } from '../../test/fixtures/slo.ts';

export const FLEET_END = Date.parse('2026-11-20T00:00:00Z') / 1000;
const WINDOW = '28d';

/** Sample times: 1 h steps over the window, 5 min over the last 3 days, 1 min over the last 2 h. */
export function sampleTimes(end = FLEET_END): number[] {
  const start = end - parseDuration(WINDOW) - 86_400;
  const out: number[] = [];
  for (let t = start; t <= end; ) {
    out.push(t);
    const left = end - t;
    t += left > 3 * 86_400 ? 3600 : left > 7200 ? 300 : 60;
  }
  return out;
}

/** One SLO in a hundred burns: 20 % errors (or slow requests, or a stale model) for the last 40 min. */
const burning = (i: number) => i % 100 === 7;

/**
 * A heterogeneous fleet: every SLO on metrics of its own (`bench_s<i>_…`) with its own selector
 * labels, as a real fleet of services is, so no two SLOs' queries are one label apart and query
 * sharing cannot merge them: one request per SLO and window.
 */
export interface FleetOptions {
  heterogeneous?: boolean;
  /** Unix seconds of the data's last sample (default FLEET_END); the rule-evaluation bench writes data ending now. */
  end?: number;
}

/** The metric names and selector of SLO i (heterogeneous: its own). */
function namesOf(i: number, opts: FleetOptions) {
  if (!opts.heterogeneous) {
    return { requests: 'bench_requests', duration: 'bench_duration_seconds', model: 'bench_model_last_success_timestamp_seconds', sel: `slo="${i}"` };
  }
  const p = `bench_s${i}`;
  return { requests: `${p}_requests`, duration: `${p}_duration_seconds`, model: `${p}_model_last_success_timestamp_seconds`, sel: `job="svc-${i % 50}",route="/r${i}"` };
}

export function fleetSlos(n: number, opts: FleetOptions = {}): Slo[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `svc-${i % 50}/slo-${i}`;
    const common = { id, objectivePercent: 99.9, window: WINDOW, source: 'prometheus' };
    const m = namesOf(i, opts);
    if (opts.heterogeneous) {
      switch (i % 3) {
        case 0:
          return makeSlo({
            ...common,
            indicator: {
              kind: 'ratio',
              bad: { source: 'prometheus', language: 'promql', text: `sum(increase(${m.requests}_total{${m.sel},code=~"5.."}[$window]))` },
              total: { source: 'prometheus', language: 'promql', text: `sum(increase(${m.requests}_total{${m.sel}}[$window]))` },
            },
          });
        case 1:
          return makeSlo({ ...common, indicator: { kind: 'latency', source: 'prometheus', metric: m.duration, selector: m.sel, thresholdSeconds: 0.25 } });
        default:
          return makeSlo({
            ...common,
            timeslice: '5m',
            indicator: { kind: 'freshness', query: { source: 'prometheus', language: 'promql', text: `max(${m.model}{${m.sel}})` }, maxAgeSeconds: 7200 },
          });
      }
    }
    switch (i % 3) {
      case 0:
        return makeSlo({
          ...common,
          indicator: {
            kind: 'ratio',
            bad: { source: 'prometheus', language: 'promql', text: `increase(bench_requests_total{slo="${i}",code="500"}[$window])` },
            total: { source: 'prometheus', language: 'promql', text: `increase(bench_requests_total{slo="${i}"}[$window])` },
          },
        });
      case 1:
        return makeSlo({
          ...common,
          indicator: { kind: 'latency', source: 'prometheus', metric: 'bench_duration_seconds', selector: `slo="${i}"`, thresholdSeconds: 0.25 },
        });
      default:
        return makeSlo({
          ...common,
          timeslice: '5m',
          indicator: {
            kind: 'freshness',
            query: { source: 'prometheus', language: 'promql', text: `bench_model_last_success_timestamp_seconds{slo="${i}"}` },
            maxAgeSeconds: 7200,
          },
        });
    }
  });
}

/** Writes the fleet's data as OpenMetrics; returns the number of samples. */
export async function writeFleetOpenMetrics(n: number, file: string, opts: FleetOptions = {}): Promise<number> {
  const out = createWriteStream(file);
  let buffer = '';
  let samples = 0;
  const emit = async (line: string) => {
    buffer += line;
    samples++;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  };
  const end = opts.end ?? FLEET_END;
  const times = sampleTimes(end);
  const burnFrom = end - 40 * 60;
  const rate = 50; // requests per second per SLO
  const errorShare = (i: number, t: number) => (burning(i) && t >= burnFrom ? 0.2 : 0.0002);
  // Closed form: the count at t of a constant rate with a step at burnFrom.
  const integral = (i: number, t: number, share: (i: number, t: number) => number) => {
    const start = times[0]!;
    const before = Math.min(t, burnFrom) - start;
    const after = Math.max(0, t - burnFrom);
    return rate * (before * share(i, start) + after * share(i, burnFrom));
  };

  // Heterogeneous: a family per SLO (its own metric names), so the families are written per SLO.
  const family = (name: string, type: string, first: boolean) => {
    if (opts.heterogeneous || first) buffer += `# TYPE ${name} ${type}\n`;
  };
  for (let i = 0; i < n; i += 3) {
    const m = namesOf(i, opts);
    family(m.requests, 'counter', i === 0);
    for (const code of ['200', '500']) {
      for (const t of times) {
        const bad = integral(i, t, errorShare);
        const v = code === '500' ? bad : rate * (t - times[0]!) - bad;
        await emit(`${m.requests}_total{${m.sel},code="${code}"} ${v.toFixed(3)} ${t}\n`);
      }
    }
  }
  for (let i = 1; i < n; i += 3) {
    const m = namesOf(i, opts);
    family(m.duration, 'histogram', i === 1);
    for (const le of ['0.25', '+Inf']) {
      for (const t of times) {
        const count = rate * (t - times[0]!);
        const v = le === '+Inf' ? count : count - integral(i, t, errorShare);
        await emit(`${m.duration}_bucket{${m.sel},le="${le}"} ${v.toFixed(3)} ${t}\n`);
      }
    }
    for (const t of times) await emit(`${m.duration}_count{${m.sel}} ${(rate * (t - times[0]!)).toFixed(3)} ${t}\n`);
  }
  for (let i = 2; i < n; i += 3) {
    const m = namesOf(i, opts);
    family(m.model, 'gauge', i === 2);
    for (const t of times) {
      // Deployed every hour; a burning model stopped updating 3 h ago.
      const last = burning(i) ? Math.min(t, end - 3 * 3600) : t - (t % 3600);
      await emit(`${m.model}{${m.sel}} ${last} ${t}\n`);
    }
  }
  buffer += '# EOF\n';
  out.end(buffer);
  await once(out, 'finish');
  return samples;
}

/**
 * The same fleet as SLO files, for `burnwatch check` (the loader, then the same evaluation): one
 * DataSource naming `url`, and the SLOs spread over 50 files, one per service.
 */
export async function writeFleetYaml(n: number, dir: string, url: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'datasources.yaml'), `apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: prometheus }\nspec:\n  prometheus:\n    url: "${url}"\n    timeout: 120s\n`);
  const files = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const head = `apiVersion: burnwatch/v1\nkind: SLO\nmetadata:\n  name: slo-${i}\n  service: svc-${i % 50}\nspec:\n  objective: 99.9\n  window: ${WINDOW}\n  indicator:\n`;
    let doc: string;
    if (i % 3 === 0) {
      doc = `${head}    ratio:\n      bad: increase(bench_requests_total{slo="${i}",code="500"}[$window])\n      total: increase(bench_requests_total{slo="${i}"}[$window])\n`;
    } else if (i % 3 === 1) {
      doc = `${head}    latency:\n      metric: bench_duration_seconds\n      selector: 'slo="${i}"'\n      threshold: 250ms\n`;
    } else {
      doc = `${head}    freshness:\n      query: bench_model_last_success_timestamp_seconds{slo="${i}"}\n      maxAge: 2h\n  timeslice: 5m\n`;
    }
    const docs = files.get(i % 50);
    if (docs) docs.push(doc);
    else files.set(i % 50, [doc]);
  }
  for (const [service, docs] of files) await writeFile(path.join(dir, `svc-${service}.yaml`), docs.join('---\n'));
}

// Backtest throughput: SLO-days replayed per second over a real Prometheus (the synthetic fleet),
// beside the floor: the same range queries, recorded from the run, issued again by a bare client
// with the same concurrency. The difference is the replay itself (burn rates, tiers, state machine).
import { gridOf } from '../src/backtest/history.ts';
import { OWN_TIERS } from '../src/backtest/policy.ts';
import { prometheusRangeClient, type RangeClient } from '../src/backtest/prometheus-range.ts';
import { runBacktest } from '../src/backtest/run-backtest.ts';
import { startPrometheusOn } from '../test/fixtures/prometheus/index.ts';
import { FLEET_END, fleetSlos } from './lib/fleet.ts';
import { cpuSeconds } from './lib/proc.ts';
import { buildFleetBlocks } from './eval-scale.ts';

export interface BacktestFigures {
  slos: number;
  days: number;
  stepSeconds: number;
  seconds: number;
  floorSeconds: number;
  /** The floor run before burnwatch too (cold caches), since the run after profits from warm ones. */
  floorBeforeSeconds?: number;
  rangeQueries: number;
  firings: number;
  /** burnwatch's first pass (cold caches); `seconds` is the better of that and a second pass. */
  coldSeconds?: number;
  /** CPU seconds of each pass, in this process (burnwatch or the bare client) and in Prometheus. */
  cpu?: Array<{ pass: string; wall: number; node: number; prometheus: number }>;
  load?: string;
  /** The same queries, only downloaded (no parse). */
  downloadSeconds?: number;
}

export async function benchBacktest(slos = 100, days = 28, fleetSize = 10_000): Promise<BacktestFigures> {
  const prom = await startPrometheusOn(await buildFleetBlocks(fleetSize));
  try {
    const spec = { name: 'prometheus', url: prom.url, headers: {}, timeoutSeconds: 120 };
    const recorded: Array<Parameters<RangeClient['queryRange']>> = [];
    const real = prometheusRangeClient(spec);
    const recording: RangeClient = {
      name: 'prometheus',
      queryRange: (...args) => {
        recorded.push(args);
        return real.queryRange(...args);
      },
    };
    const fleet = fleetSlos(slos);
    const grid = gridOf(new Date((FLEET_END - days * 86_400) * 1000), new Date(FLEET_END * 1000), 60);
    const cpu: NonNullable<BacktestFigures['cpu']> = [];
    const measured = async <T>(pass: string, work: () => Promise<T>): Promise<T> => {
      const [n0, p0, t] = [process.cpuUsage(), await cpuSeconds(prom.pid!), performance.now()];
      const out = await work();
      const n1 = process.cpuUsage(n0);
      cpu.push({ pass, wall: (performance.now() - t) / 1000, node: (n1.user + n1.system) / 1e6, prometheus: (await cpuSeconds(prom.pid!)) - p0 });
      return out;
    };
    const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
    const t0 = performance.now();
    const result = await measured('burnwatch (cold)', () => runBacktest({
      slos: fleet,
      dataSources: [{ type: 'prometheus', ...spec }],
      grid,
      policies: [OWN_TIERS],
      rangeClients: new Map([['prometheus', recording]]),
      concurrency: 4,
    }));
    const seconds = (performance.now() - t0) / 1000;

    // Floor: the recorded range queries, 4 at a time, from a bare client (fetch, then JSON.parse,
    // or only the download: Prometheus's time and the transfer); run once more after burnwatch's
    // first pass so that both have seen the same caches.
    const bare = async (parse: boolean) => {
      const t1 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < recorded.length) {
            const [query, start, end, step] = recorded[next++]!;
            const points = Math.floor((end - start) / step) + 1;
            // As the client: chunks of at most 10 000 points.
            for (let first = 0; first < points; first += 10_000) {
              const last = Math.min(points, first + 10_000) - 1;
              const body = new URLSearchParams({ query, start: String(start + first * step), end: String(start + last * step), step: String(step) });
              const res = await fetch(`${prom.url}/api/v1/query_range`, { method: 'POST', body });
              if (parse) JSON.parse(await res.text());
              else for await (const _ of res.body!);
            }
          }
        }),
      );
      return (performance.now() - t1) / 1000;
    };
    const floor = () => bare(true);
    const floorBeforeSeconds = await measured('floor', floor);
    const t2 = performance.now();
    await measured('burnwatch (warm)', () => runBacktest({
      slos: fleet,
      dataSources: [{ type: 'prometheus', ...spec }],
      grid,
      policies: [OWN_TIERS],
      rangeClients: new Map([['prometheus', real]]),
      concurrency: 4,
    }));
    const warmSeconds = (performance.now() - t2) / 1000;
    const floorSeconds = await measured('floor (second)', floor);
    const downloadSeconds = await measured('download only (bare client, no parse)', () => bare(false));
    const firings = result.policies[0]!.results.reduce((n, r) => n + r.firings.length, 0);
    return { slos, days, stepSeconds: 60, seconds: Math.min(seconds, warmSeconds), coldSeconds: seconds, floorSeconds: Math.min(floorSeconds, floorBeforeSeconds), floorBeforeSeconds, rangeQueries: recorded.length, firings, cpu, load, downloadSeconds };
  } finally {
    await prom.destroy();
  }
}

export function backtestTable(f: BacktestFigures): string {
  const sloDays = f.slos * f.days;
  return [
    `| backtest: ${f.slos} SLOs × ${f.days} days at ${f.stepSeconds / 60}-minute steps (${sloDays} SLO-days) | wall | SLO-days/s |`,
    '|---|---:|---:|',
    `| burnwatch backtest (${f.rangeQueries} range queries, replay of every step, ${f.firings} firings found) | ${f.seconds.toFixed(1)} s | ${(sloDays / f.seconds).toFixed(1)} |`,
    `| floor: the same range queries, bare client (fetch + JSON.parse), same concurrency | ${f.floorSeconds.toFixed(1)} s | ${(sloDays / f.floorSeconds).toFixed(1)} |`,
    `| lower bound: the same range queries only downloaded (no parse) | ${f.downloadSeconds?.toFixed(1)} s | ${f.downloadSeconds ? (sloDays / f.downloadSeconds).toFixed(1) : ''} |`,
    `| (each the better of two passes; burnwatch ${f.coldSeconds?.toFixed(1)} s then the floor ${f.floorBeforeSeconds?.toFixed(1)} s, ${(f.seconds / f.floorSeconds).toFixed(2)}× the floor; load average ${f.load}) | | |`,
    '',
    '| pass (in order) | wall | CPU in burnwatch / the bare client | CPU in Prometheus |',
    '|---|---:|---:|---:|',
    ...(f.cpu ?? []).map((c) => `| ${c.pass} | ${c.wall.toFixed(1)} s | ${c.node.toFixed(1)} s | ${c.prometheus.toFixed(1)} s |`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [slos, days, fleet] = process.argv.slice(2).map(Number);
  console.log(backtestTable(await benchBacktest(slos || 100, days || 28, fleet || 10_000)));
}

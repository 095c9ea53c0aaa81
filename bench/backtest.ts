// Backtest throughput: SLO-days replayed per second over a real Prometheus (the synthetic fleet),
// beside the floor: the same range queries, recorded from the run, issued again by a bare client
// with the same concurrency. The difference is the replay itself (burn rates, tiers, state machine).
import { gridOf } from '../src/backtest/history.ts';
import { OWN_TIERS } from '../src/backtest/policy.ts';
import { prometheusRangeClient, type RangeClient } from '../src/backtest/prometheus-range.ts';
import { runBacktest } from '../src/backtest/run-backtest.ts';
import { startPrometheusOn } from '../test/fixtures/prometheus/index.ts';
import { FLEET_END, fleetSlos } from './lib/fleet.ts';
import { buildFleetBlocks } from './eval-scale.ts';

export interface BacktestFigures {
  slos: number;
  days: number;
  stepSeconds: number;
  seconds: number;
  floorSeconds: number;
  rangeQueries: number;
  firings: number;
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
    const t0 = performance.now();
    const result = await runBacktest({
      slos: fleet,
      dataSources: [{ type: 'prometheus', ...spec }],
      grid,
      policies: [OWN_TIERS],
      rangeClients: new Map([['prometheus', recording]]),
      concurrency: 4,
    });
    const seconds = (performance.now() - t0) / 1000;

    // Floor: the recorded range queries, 4 at a time, through the same bare range client.
    const t1 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < recorded.length) await real.queryRange(...recorded[next++]!);
      }),
    );
    const floorSeconds = (performance.now() - t1) / 1000;
    const firings = result.policies[0]!.results.reduce((n, r) => n + r.firings.length, 0);
    return { slos, days, stepSeconds: 60, seconds, floorSeconds, rangeQueries: recorded.length, firings };
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
    `| floor: the same range queries, bare client, same concurrency | ${f.floorSeconds.toFixed(1)} s | ${(sloDays / f.floorSeconds).toFixed(1)} |`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(backtestTable(await benchBacktest()));
}

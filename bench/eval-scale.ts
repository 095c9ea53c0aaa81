// Evaluation cost and scale: one cycle over 10 … 10 000 SLOs against a real Prometheus with
// backfilled data, beside the floor (the same PromQL issued by a bare client with the same
// concurrency). Prometheus CPU comes from /proc, queries from Prometheus's own query counter.
import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startPrometheusOn } from '../test/fixtures/prometheus/index.ts';
import { type FleetOptions, writeFleetOpenMetrics, writeFleetYaml } from './lib/fleet.ts';
import { cpuSeconds, median, runChild } from './lib/proc.ts';
import { shippedNodeFlags } from './lib/shipped-node-flags.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface ScaleRow {
  slos: number;
  queries: number;
  burnwatchSeconds: number;
  floorSeconds: number;
  overhead: number;
  perSloQueries: number;
  perSloSeconds: number | null;
  promCpuBurnwatch: number;
  promCpuFloor: number;
  promCpuPerSlo: number | null;
  /** Max RSS of the evaluating process, with the Node flags burnwatch ships with. */
  rssMb: number;
  /** The same with Node's default flags. */
  rssDefaultMb: number;
  /** `burnwatch check` over the fleet's SLO files (shipped flags): wall and max RSS. */
  checkSeconds: number;
  checkRssMb: number;
  statuses: string;
}

interface CycleResult {
  wallMs: number;
  maxRssMb: number;
  [k: string]: number;
}

async function queriesServed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('prometheus_engine_query_duration_seconds_count{slice="inner_eval"}'));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

export async function buildFleetBlocks(max: number, opts: FleetOptions = {}): Promise<string> {
  const dir = path.join(here, '.cache', `fleet-${opts.heterogeneous ? 'hetero-' : ''}${max}-v1`);
  const blocks = path.join(dir, 'blocks');
  if (await stat(path.join(blocks, 'complete')).then(() => true, () => false)) return blocks;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'fleet.om');
  const t0 = performance.now();
  const samples = await writeFleetOpenMetrics(max, file, opts);
  const t1 = performance.now();
  await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', '--max-block-duration=1000h', 'openmetrics', file, blocks], { maxBuffer: 64 << 20 });
  const t2 = performance.now();
  await rm(file);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path.join(blocks, 'complete'), '');
  console.error(`fleet data: ${samples.toLocaleString('en')} samples, generated in ${((t1 - t0) / 1000).toFixed(1)} s, backfilled in ${((t2 - t1) / 1000).toFixed(1)} s`);
  return blocks;
}

export async function benchEvalScale(sizes: number[], concurrency = 8, repeats = 3, perSloUpTo = 1000, fleet: FleetOptions = {}): Promise<ScaleRow[]> {
  const blocks = await buildFleetBlocks(Math.max(...sizes), fleet);
  const prom = await startPrometheusOn(blocks);
  const rows: ScaleRow[] = [];
  try {
    const cycle = path.join(here, 'eval-cycle.ts');
    const check = path.join(here, 'check-cycle.ts');
    // A heterogeneous fleet's queries cannot be merged: its floor is already one query per SLO and window.
    const common = ['--url', prom.url, '--concurrency', String(concurrency), ...(fleet.heterogeneous ? ['--hetero'] : [])];
    const shipped = shippedNodeFlags();
    for (const n of sizes) {
      const runs = n >= 10_000 ? 1 : repeats;
      const bw: CycleResult[] = [];
      const floor: CycleResult[] = [];
      const cpuBw: number[] = [];
      const cpuFloor: number[] = [];
      let queries = 0;
      // The per-SLO floor is what a tool without query sharing pays; too slow to repeat at 10 000.
      let perSlo: CycleResult | undefined;
      let perSloCpu: number | null = null;
      if (n <= perSloUpTo && !fleet.heterogeneous) {
        const cpu = await cpuSeconds(prom.pid!);
        perSlo = await runChild<CycleResult>(cycle, ['--mode', 'floor-per-slo', '--n', String(n), ...common]);
        perSloCpu = (await cpuSeconds(prom.pid!)) - cpu;
      }
      // Interleaved, so drift on a shared machine hits both alike.
      for (let r = 0; r < runs; r++) {
        let cpu = await cpuSeconds(prom.pid!);
        floor.push(await runChild<CycleResult>(cycle, ['--mode', 'floor', '--n', String(n), ...common]));
        cpuFloor.push((await cpuSeconds(prom.pid!)) - cpu);
        cpu = await cpuSeconds(prom.pid!);
        const served = await queriesServed(prom.url);
        bw.push(await runChild<CycleResult>(cycle, ['--mode', 'burnwatch', '--n', String(n), ...common], shipped));
        cpuBw.push((await cpuSeconds(prom.pid!)) - cpu);
        queries = (await queriesServed(prom.url)) - served;
      }
      // Memory only: the same cycle with Node's defaults, and the real command line from YAML.
      const defaults = await runChild<CycleResult>(cycle, ['--mode', 'burnwatch', '--n', String(n), ...common]);
      // `burnwatch check` from YAML: the uniform fleet only (its files are written for it).
      let checked: CycleResult = { wallMs: Number.NaN, maxRssMb: Number.NaN };
      if (!fleet.heterogeneous) {
        const sloDir = path.join(here, '.cache', `fleet-yaml-${n}`);
        await writeFleetYaml(n, sloDir, prom.url);
        checked = await runChild<CycleResult>(check, ['--slos', sloDir], shipped);
        if (checked.code !== 0) throw new Error(`burnwatch check over ${n} SLOs exited ${checked.code}`);
      }
      const b = median(bw.map((x) => x.wallMs)) / 1000;
      const f = median(floor.map((x) => x.wallMs)) / 1000;
      const last = bw.at(-1)!;
      const row: ScaleRow = {
        slos: n,
        queries: Math.max(queries, 0),
        burnwatchSeconds: b,
        floorSeconds: f,
        overhead: b / f,
        perSloQueries: perSlo?.queries ?? Number.NaN,
        perSloSeconds: perSlo ? perSlo.wallMs / 1000 : null,
        promCpuPerSlo: perSloCpu,
        promCpuBurnwatch: median(cpuBw),
        promCpuFloor: median(cpuFloor),
        rssMb: Math.max(...bw.map((x) => x.maxRssMb)),
        rssDefaultMb: defaults.maxRssMb,
        checkSeconds: checked.wallMs / 1000,
        checkRssMb: checked.maxRssMb,
        statuses: `ok ${last.ok}, page ${last.page}, ticket ${last.ticket}, unknown ${last.unknown}, error ${last.error}`,
      };
      rows.push(row);
      console.error(JSON.stringify(row));
    }
  } finally {
    await prom.destroy();
  }
  return rows;
}

export function scaleTable(rows: ScaleRow[]): string {
  const head =
    '| SLOs | queries/cycle | burnwatch cycle | floor: same PromQL, bare client | overhead | Prometheus CPU (burnwatch / floor) | without sharing: queries, bare-client time, Prometheus CPU | burnwatch max RSS (shipped flags / Node defaults) | `burnwatch check` from YAML: wall, max RSS | statuses |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|';
  const body = rows.map(
    (r) =>
      `| ${r.slos.toLocaleString('en')} | ${r.queries.toLocaleString('en')} | ${r.burnwatchSeconds.toFixed(2)} s | ${r.floorSeconds.toFixed(2)} s | ${r.overhead.toFixed(2)}× | ${r.promCpuBurnwatch.toFixed(1)} s / ${r.promCpuFloor.toFixed(1)} s | ${
        r.perSloSeconds === null ? 'not run' : `${r.perSloQueries.toLocaleString('en')}, ${r.perSloSeconds.toFixed(2)} s, ${r.promCpuPerSlo!.toFixed(1)} s`
      } | ${r.rssMb.toFixed(0)} MB / ${r.rssDefaultMb.toFixed(0)} MB | ${Number.isNaN(r.checkSeconds) ? 'not run' : `${r.checkSeconds.toFixed(2)} s, ${r.checkRssMb.toFixed(0)} MB`} | ${r.statuses} |`,
  );
  return [head, ...body].join('\n');
}

/**
 * The heterogeneous fleet's rows: its floor is already one query per SLO and window (nothing
 * merges), and `burnwatch check` from YAML is written for the uniform fleet only, so those columns
 * are left out; the last column says whether the cycle fits the one-minute interval.
 */
export function heteroScaleTable(rows: ScaleRow[]): string {
  const head =
    '| heterogeneous SLOs | queries/cycle | burnwatch cycle | floor: same PromQL, bare client | overhead | Prometheus CPU (burnwatch / floor) | burnwatch max RSS (shipped flags / Node defaults) | statuses | within a one-minute cycle |\n|---:|---:|---:|---:|---:|---:|---:|---|---|';
  const body = rows.map(
    (r) =>
      `| ${r.slos.toLocaleString('en')} | ${r.queries.toLocaleString('en')} | ${r.burnwatchSeconds.toFixed(2)} s | ${r.floorSeconds.toFixed(2)} s | ${r.overhead.toFixed(2)}× | ${r.promCpuBurnwatch.toFixed(1)} s / ${r.promCpuFloor.toFixed(1)} s | ${r.rssMb.toFixed(0)} MB / ${r.rssDefaultMb.toFixed(0)} MB | ${r.statuses} | ${r.burnwatchSeconds <= 60 ? 'yes' : '**no**'} |`,
  );
  return [head, ...body].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10,100,1000,10000' }, hetero: { type: 'boolean', default: false }, repeats: { type: 'string', default: '3' } } });
  const rows = await benchEvalScale(values.sizes!.split(',').map(Number), 8, Number(values.repeats), 1000, { heterogeneous: values.hetero! });
  console.log(values.hetero ? heteroScaleTable(rows) : scaleTable(rows));
}

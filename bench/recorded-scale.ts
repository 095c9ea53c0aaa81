// Recorded mode at fleet scale: one cycle of N SLOs reading the recorded series from a real
// Prometheus, beside the floor (the same queries from a bare client), each in its own process
// for its peak RSS. The load average goes beside the figures: the machine is shared.
import { execFile } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startPrometheusOn } from '../test/fixtures/prometheus/index.ts';
import { cpuSeconds, runChild } from './lib/proc.ts';
import { shippedNodeFlags } from './lib/shipped-node-flags.ts';
import { writeRecordedOpenMetrics } from './lib/recorded-fleet.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface RecordedRow {
  slos: number;
  wallMs: number;
  maxRssMb: number;
  queries: number;
  unknown: number;
  floorWallMs: number;
  floorQueries: number;
  /** The same queries, only downloaded: Prometheus's time and the transfer, no parse. */
  downloadWallMs: number;
  floorMaxRssMb: number;
  /** CPU seconds Prometheus spent answering burnwatch's cycle and the download-only floor. */
  promCpu: number;
  downloadPromCpu: number;
  load: string;
}

export async function recordedBlocksFor(n: number): Promise<string> {
  const dir = path.join(here, '.cache', `recorded-${n}-v1`);
  const blocks = path.join(dir, 'blocks');
  if (await stat(path.join(blocks, 'complete')).then(() => true, () => false)) return blocks;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'recorded.om');
  const samples = await writeRecordedOpenMetrics(n, file);
  const t0 = performance.now();
  await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, blocks], { maxBuffer: 64 << 20 });
  await rm(file);
  await writeFile(path.join(blocks, 'complete'), '');
  console.error(`recorded data: ${samples.toLocaleString('en')} samples, backfilled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return blocks;
}

export async function benchRecorded(sizes: number[]): Promise<RecordedRow[]> {
  const rows: RecordedRow[] = [];
  for (const n of sizes) {
    const prom = await startPrometheusOn(await recordedBlocksFor(n));
    try {
      // Every mode through the launcher that runs it as bin/burnwatch.mjs runs burnwatch (Node's
      // compile cache): what users run after their first start.
      const script = path.join(here, 'lib', 'as-shipped.mjs');
      const args = (mode: string) => [path.join(here, 'recorded-cycle.ts'), '--mode', mode, '--n', String(n), '--url', prom.url];
      // Warm Prometheus's page cache once, then measure; burnwatch with the Node flags it ships with.
      await runChild(script, args('download'));
      const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
      const cpu0 = await cpuSeconds(prom.pid!);
      const bw = await runChild<Record<string, number>>(script, args('burnwatch'), shippedNodeFlags());
      const cpu1 = await cpuSeconds(prom.pid!);
      const floor = await runChild<Record<string, number>>(script, args('floor'));
      const cpu2 = await cpuSeconds(prom.pid!);
      const download = await runChild<Record<string, number>>(script, args('download'));
      const cpu3 = await cpuSeconds(prom.pid!);
      rows.push({
        slos: n,
        wallMs: bw.wallMs!,
        maxRssMb: bw.maxRssMb!,
        queries: bw.queries!,
        unknown: bw.unknown!,
        floorWallMs: floor.wallMs!,
        floorQueries: floor.queries!,
        floorMaxRssMb: floor.maxRssMb!,
        downloadWallMs: download.wallMs!,
        promCpu: cpu1 - cpu0,
        downloadPromCpu: cpu3 - cpu2,
        load: `${load} → ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
      });
    } finally {
      await prom.destroy();
    }
  }
  return rows;
}

export function recordedTable(rows: RecordedRow[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    '| recorded mode: SLOs in one cycle | burnwatch wall | peak RSS | queries | unknown | floor: same queries, bare client, JSON.parse (wall, peak RSS) | lower bound: same queries, download only | Prometheus CPU: burnwatch / download | load average (1/5/15 min, before → after) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.slos.toLocaleString('en')} | ${s(r.wallMs)} | ${r.maxRssMb.toFixed(0)} MB | ${r.queries} | ${r.unknown} | ${s(r.floorWallMs)}, ${r.floorMaxRssMb.toFixed(0)} MB (${r.floorQueries} queries) | ${s(r.downloadWallMs)} | ${r.promCpu.toFixed(1)} s / ${r.downloadPromCpu.toFixed(1)} s | ${r.load} |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number);
  console.log(recordedTable(await benchRecorded(sizes.length > 0 ? sizes : [1000, 10_000, 100_000])));
}

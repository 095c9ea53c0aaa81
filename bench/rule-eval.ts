// The Prometheus side of recorded mode: what the generated rules (`burnwatch generate prometheus`)
// of a heterogeneous fleet cost the Prometheus that evaluates them, beside what the same SLOs cost
// it in raw mode (burnwatch's own cycle of PromQL). Data ends now, so that the rules, which a
// Prometheus evaluates at wall-clock time, read it; a rules-only Prometheus and a raw-mode one
// run one after the other on the same blocks.
//   node bench/rule-eval.ts 1000
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generatePrometheusRules } from '../src/generate/prometheus-rules.ts';
import { renderRules } from '../src/generate/render-rules.ts';
import { startPrometheusOn } from '../test/fixtures/prometheus/index.ts';
import { fleetSlos, writeFleetOpenMetrics } from './lib/fleet.ts';
import { cpuSeconds, runChild } from './lib/proc.ts';
import { shippedNodeFlags } from './lib/shipped-node-flags.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const INTERVAL = 15;

export interface RuleEvalRow {
  slos: number;
  groups: number;
  rules: number;
  /** Sum over the groups of their last evaluationTime: one round of every group, in seconds. */
  roundSeconds: number;
  /** The slowest group's evaluationTime. */
  slowestGroupSeconds: number;
  /** Prometheus CPU seconds per one-minute interval of rule evaluation (measured over several rounds). */
  ruleCpuPerMinute: number;
  rawCycleSeconds: number;
  rawQueries: number;
  /** The same queries from a bare client (a heterogeneous fleet's queries do not merge). */
  rawFloorSeconds: number;
  /** Prometheus CPU seconds for one raw-mode cycle of the same SLOs. */
  rawCpu: number;
  load: string;
}

interface Group {
  name: string;
  evaluationTime: number;
  lastEvaluation: string;
  rules: unknown[];
}

async function groupsOf(url: string): Promise<Group[]> {
  const body = (await (await fetch(`${url}/api/v1/rules?type=record`)).json()) as { data: { groups: Group[] } };
  return body.data.groups;
}

export async function benchRuleEval(n: number): Promise<RuleEvalRow> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'burnwatch-rules-'));
  try {
    const end = Math.floor(Date.now() / 1000 / 60) * 60;
    const slos = fleetSlos(n, { heterogeneous: true });
    const data = path.join(home, 'fleet.om');
    await writeFleetOpenMetrics(n, data, { heterogeneous: true, end });
    const blocks = path.join(home, 'blocks');
    await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', '--max-block-duration=1000h', 'openmetrics', data, blocks], { maxBuffer: 64 << 20 });
    await rm(data);
    const rulesFile = path.join(home, 'rules.yml');
    const generated = generatePrometheusRules(slos);
    await writeFile(rulesFile, renderRules(generated));
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');

    // Rules only: wait for two rounds of every group, then measure CPU over the next minute.
    const ruled = await startPrometheusOn(blocks, { config: `global:\n  evaluation_interval: ${INTERVAL}s\nrule_files:\n  - ${rulesFile}\n` });
    let groups: Group[];
    let ruleCpuPerMinute: number;
    try {
      const deadline = Date.now() + 10 * 60_000;
      const first = await groupsOf(ruled.url);
      const started = new Map(first.map((g) => [g.name, g.lastEvaluation]));
      for (;;) {
        groups = await groupsOf(ruled.url);
        if (groups.every((g) => g.lastEvaluation !== started.get(g.name) && !g.lastEvaluation.startsWith('0001'))) break;
        if (Date.now() > deadline) throw new Error('the rule groups were not all evaluated within 10 minutes');
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
      const cpu0 = await cpuSeconds(ruled.pid!);
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      const cpuPerSecond = ((await cpuSeconds(ruled.pid!)) - cpu0) / ((performance.now() - t0) / 1000);
      groups = await groupsOf(ruled.url);
      // Per one-minute rule interval (the shipped default): one round of the groups every minute
      // costs what one round costs here, where they ran every INTERVAL seconds.
      ruleCpuPerMinute = cpuPerSecond * INTERVAL;
    } finally {
      await ruled.destroy();
    }

    // Raw mode on a Prometheus without the rules: one burnwatch cycle of the same SLOs.
    const raw = await startPrometheusOn(blocks);
    try {
      const cycle = path.join(here, 'eval-cycle.ts');
      const cpu0 = await cpuSeconds(raw.pid!);
      const result = await runChild<{ wallMs: number }>(cycle, ['--mode', 'burnwatch', '--hetero', '--n', String(n), '--url', raw.url, '--at', String(end)], shippedNodeFlags());
      const rawCpu = (await cpuSeconds(raw.pid!)) - cpu0;
      const floor = await runChild<{ queries: number; wallMs: number }>(cycle, ['--mode', 'floor', '--hetero', '--n', String(n), '--url', raw.url, '--at', String(end)]);
      return {
        slos: n,
        groups: groups.length,
        rules: groups.reduce((k, g) => k + g.rules.length, 0),
        roundSeconds: groups.reduce((s, g) => s + g.evaluationTime, 0),
        slowestGroupSeconds: Math.max(...groups.map((g) => g.evaluationTime)),
        ruleCpuPerMinute,
        rawCycleSeconds: result.wallMs / 1000,
        rawQueries: floor.queries,
        rawFloorSeconds: floor.wallMs / 1000,
        rawCpu,
        load,
      };
    } finally {
      await raw.destroy();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export function ruleEvalTable(rows: RuleEvalRow[]): string {
  return [
    '| heterogeneous SLOs | rule groups (recording rules) | one round of every group: sum of `evaluationTime` (slowest group) | Prometheus CPU for the rules, per 1-minute interval | raw mode: one burnwatch cycle (queries), Prometheus CPU; floor: bare client | load average at start |',
    '|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.slos.toLocaleString('en')} | ${r.groups.toLocaleString('en')} (${r.rules.toLocaleString('en')}) | ${r.roundSeconds.toFixed(2)} s (${(r.slowestGroupSeconds * 1000).toFixed(1)} ms) | ${r.ruleCpuPerMinute.toFixed(1)} s | ${r.rawCycleSeconds.toFixed(1)} s (${r.rawQueries.toLocaleString('en')}), ${r.rawCpu.toFixed(1)} s; ${r.rawFloorSeconds.toFixed(1)} s | ${r.load} |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number);
  const rows: RuleEvalRow[] = [];
  for (const n of sizes.length > 0 ? sizes : [1000]) rows.push(await benchRuleEval(n));
  console.log(ruleEvalTable(rows));
}

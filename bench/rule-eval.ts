// The Prometheus side of recorded mode: what the generated rules (`burnwatch generate prometheus`)
// of a heterogeneous fleet cost the Prometheus that evaluates them, beside what the same SLOs cost
// it in raw mode (burnwatch's own cycle of PromQL). Data ends now, so that the rules, which a
// Prometheus evaluates at wall-clock time, read it; a rules-only Prometheus and a raw-mode one
// run one after the other on the same blocks.
//   node bench/rule-eval.ts 1000 10000 [--interval 60] [--measure 180]
//
// How a round is measured. Prometheus runs every rule group in a goroutine of its own, spread over
// the evaluation interval, so groups overlap; a group's `evaluationTime` is its wall time, which
// includes waiting for the query engine's 20 query slots (`--query.max-concurrency`: at 10 000
// groups nearly every group's query waits, seconds each) and for a CPU while other groups (and,
// on a shared machine, other processes) run.
// Summed over the groups it is a sum of overlapping wall times, not a cost: with more work per
// round than the cores can do in one interval the groups pile up and the sum grows far past any
// real figure (the first version of this bench ran at a 15 s interval and summed 26 458 s for one
// round). The figure to read is the Prometheus process's CPU per round, counted over whole
// rounds: CPU seconds over a measured span divided by the rounds Prometheus completed in it
// (`prometheus_rule_group_iterations_total` less `…_missed_total`: the first counts missed
// iterations too), with the missed iterations beside it; the summed
// `evaluationTime` is shown too, from the API and from Prometheus's own metrics, to cross-check.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { generatePrometheusRules } from '../src/generate/prometheus-rules.ts';
import { renderRules } from '../src/generate/render-rules.ts';
import { startPrometheusOn } from '../test/fixtures/prometheus/index.ts';
import { fleetSlos, writeFleetOpenMetrics } from './lib/fleet.ts';
import { cpuSeconds, median, runChild } from './lib/proc.ts';
import { shippedNodeFlags } from './lib/shipped-node-flags.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface RuleEvalOptions {
  /** The evaluation interval, seconds: 60 is Prometheus's default and what the generated rules assume. */
  intervalSeconds?: number;
  /** How long the rule CPU is measured, seconds (whole rounds are counted from Prometheus's metrics). */
  measureSeconds?: number;
}

export interface RuleEvalRow {
  slos: number;
  groups: number;
  rules: number;
  intervalSeconds: number;
  /** Generating the fleet's data and backfilling it with promtool, seconds. */
  setupSeconds: number;
  /** Seconds between the data's last sample and the start of the measured span. */
  dataAgeSeconds: number;
  /** Rounds of every group run in the measured span (evaluations run, not missed, / groups). */
  rounds: number;
  missedIterations: number;
  ruleFailures: number;
  /** Prometheus CPU seconds per round of every group (idle CPU not subtracted; see idleCpuPerSecond). */
  cpuPerRound: number;
  /** Share of one core the rules kept busy at this interval (CPU seconds per second). */
  coresBusy: number;
  /** Sum over the groups of their evaluation wall time, per round, from prometheus_rule_group_duration_seconds. */
  groupWallPerRound: number;
  /** The same from the API at the end: sum of every group's last `evaluationTime`. */
  apiSumSeconds: number;
  /** The same from /metrics: sum of prometheus_rule_group_last_duration_seconds. */
  metricsSumSeconds: number;
  medianGroupMs: number;
  slowestGroupMs: number;
  /** The raw-mode Prometheus, idle, before the cycle: CPU seconds per second. */
  idleCpuPerSecond: number;
  rawCycleSeconds: number;
  rawQueries: number;
  /** The same queries from a bare client (a heterogeneous fleet's queries do not merge). */
  rawFloorSeconds: number;
  /** Prometheus CPU seconds for one raw-mode burnwatch cycle of the same SLOs. */
  rawCpu: number;
  /** Prometheus CPU seconds for the bare client's queries. */
  rawFloorCpu: number;
  loadRules: string;
  loadRaw: string;
  when: string;
}

interface Group {
  name: string;
  evaluationTime: number;
  lastEvaluation: string;
  rules: unknown[];
}

async function groupsOf(url: string): Promise<Group[]> {
  const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as { data: { groups: Group[] } };
  return body.data.groups;
}

interface RuleMetrics {
  /** Metric name (labels dropped, summary quantiles skipped) → sum over its series. */
  sums: Map<string, number>;
  /** Per group: evaluations run so far (scheduled iterations less the missed ones). */
  iterations: number[];
  lastDurations: number[];
}

async function ruleMetrics(url: string): Promise<RuleMetrics> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sums = new Map<string, number>();
  const iterations = new Map<string, number>();
  const lastDurations: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('prometheus_rule_') && !line.startsWith('process_cpu_seconds_total')) continue;
    if (line.includes('quantile=')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const name = line.slice(0, brace >= 0 ? brace : line.indexOf(' '));
    const value = Number(line.slice(space + 1));
    sums.set(name, (sums.get(name) ?? 0) + value);
    // iterations_total counts scheduled evaluations, "whether executed or missed" (its HELP).
    const group = line.slice(brace, line.indexOf('}') + 1);
    if (name === 'prometheus_rule_group_iterations_total') iterations.set(group, (iterations.get(group) ?? 0) + value);
    if (name === 'prometheus_rule_group_iterations_missed_total') iterations.set(group, (iterations.get(group) ?? 0) - value);
    if (name === 'prometheus_rule_group_last_duration_seconds') lastDurations.push(value);
  }
  return { sums, iterations: [...iterations.values()], lastDurations };
}

const delta = (a: RuleMetrics, b: RuleMetrics, name: string) => (b.sums.get(name) ?? 0) - (a.sums.get(name) ?? 0);
const int = (x: number) => Math.round(x).toLocaleString('en');
/** Seconds as the table shows them: 0.0072 → "7.2 ms", 26.3 → "26.3 s", 1 194 968 → "1,194,968 s". */
const secs = (x: number) => (x < 1 ? `${(x * 1000).toFixed(1)} ms` : x < 1000 ? `${x.toFixed(1)} s` : `${int(x)} s`);
const loadavg = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchRuleEval(n: number, opts: RuleEvalOptions = {}): Promise<RuleEvalRow> {
  const interval = opts.intervalSeconds ?? 60;
  const measure = opts.measureSeconds ?? Math.max(3 * interval, 180);
  const when = new Date().toISOString();
  const home = await mkdtemp(path.join(os.tmpdir(), 'burnwatch-rules-'));
  try {
    const t0 = performance.now();
    const end = Math.floor(Date.now() / 1000 / 60) * 60;
    const slos = fleetSlos(n, { heterogeneous: true });
    const data = path.join(home, 'fleet.om');
    await writeFleetOpenMetrics(n, data, { heterogeneous: true, end });
    const blocks = path.join(home, 'blocks');
    await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', '--max-block-duration=1000h', 'openmetrics', data, blocks], { maxBuffer: 64 << 20 });
    await rm(data);
    const setupSeconds = (performance.now() - t0) / 1000;
    console.error(`${n} SLOs: data generated and backfilled in ${setupSeconds.toFixed(0)} s`);
    const rulesFile = path.join(home, 'rules.yml');
    const generated = generatePrometheusRules(slos);
    await writeFile(rulesFile, renderRules(generated));

    // Rules only: wait until every group has run twice, then count CPU and rounds over whole minutes.
    // Prometheus starts without the rules and loads them on SIGHUP: parsing 10 000 groups takes
    // longer than the fixture waits for readiness.
    const global = `global:\n  evaluation_interval: ${interval}s\n`;
    const ruled = await startPrometheusOn(blocks, { config: global });
    let rules: Omit<RuleEvalRow, 'idleCpuPerSecond' | 'rawCycleSeconds' | 'rawQueries' | 'rawFloorSeconds' | 'rawCpu' | 'rawFloorCpu' | 'loadRaw'>;
    try {
      const cmdline = (await readFile(`/proc/${ruled.pid}/cmdline`, 'utf8')).split('\0');
      const configFile = cmdline.find((a) => a.startsWith('--config.file='))!.slice('--config.file='.length);
      await writeFile(configFile, `${global}rule_files:\n  - ${rulesFile}\n`);
      process.kill(ruled.pid!, 'SIGHUP');
      const deadline = Date.now() + 30 * 60_000;
      for (;;) {
        const m = await ruleMetrics(ruled.url);
        if (m.iterations.length === generated.groups.length && Math.min(...m.iterations) >= 2) break;
        if (Date.now() > deadline) throw new Error('the rule groups were not all evaluated twice within 30 minutes');
        await sleep(5000);
      }
      const loadRules = loadavg();
      const m0 = await ruleMetrics(ruled.url);
      const cpu0 = await cpuSeconds(ruled.pid!);
      const s0 = performance.now();
      const dataAgeSeconds = Date.now() / 1000 - end;
      await sleep(measure * 1000);
      const m1 = await ruleMetrics(ruled.url);
      const cpu = (await cpuSeconds(ruled.pid!)) - cpu0;
      const span = (performance.now() - s0) / 1000;
      const groups = await groupsOf(ruled.url);
      const missedIterations = delta(m0, m1, 'prometheus_rule_group_iterations_missed_total');
      const rounds = (delta(m0, m1, 'prometheus_rule_group_iterations_total') - missedIterations) / groups.length;
      const times = groups.map((g) => g.evaluationTime);
      rules = {
        slos: n,
        groups: groups.length,
        rules: groups.reduce((k, g) => k + g.rules.length, 0),
        intervalSeconds: interval,
        setupSeconds,
        dataAgeSeconds,
        rounds,
        missedIterations,
        ruleFailures: delta(m0, m1, 'prometheus_rule_evaluation_failures_total'),
        cpuPerRound: cpu / rounds,
        coresBusy: cpu / span,
        groupWallPerRound: delta(m0, m1, 'prometheus_rule_group_duration_seconds_sum') / rounds,
        apiSumSeconds: times.reduce((s, x) => s + x, 0),
        metricsSumSeconds: m1.lastDurations.reduce((s, x) => s + x, 0),
        medianGroupMs: median(times) * 1000,
        slowestGroupMs: Math.max(...times) * 1000,
        loadRules,
        when,
      };
      console.error(JSON.stringify(rules));
    } finally {
      await ruled.destroy();
    }

    // Raw mode on a Prometheus without the rules: one burnwatch cycle of the same SLOs, then the
    // bare client's same queries.
    const raw = await startPrometheusOn(blocks);
    try {
      const loadRaw = loadavg();
      let cpu0 = await cpuSeconds(raw.pid!);
      await sleep(20_000);
      const idleCpuPerSecond = ((await cpuSeconds(raw.pid!)) - cpu0) / 20;
      const cycle = path.join(here, 'eval-cycle.ts');
      cpu0 = await cpuSeconds(raw.pid!);
      const result = await runChild<{ wallMs: number; unknown: number; error: number }>(cycle, ['--mode', 'burnwatch', '--hetero', '--n', String(n), '--url', raw.url, '--at', String(end)], shippedNodeFlags());
      const rawCpu = (await cpuSeconds(raw.pid!)) - cpu0;
      cpu0 = await cpuSeconds(raw.pid!);
      const floor = await runChild<{ queries: number; wallMs: number; failures: number }>(cycle, ['--mode', 'floor', '--hetero', '--n', String(n), '--url', raw.url, '--at', String(end)]);
      const rawFloorCpu = (await cpuSeconds(raw.pid!)) - cpu0;
      if (floor.failures > 0 || result.error > 0) throw new Error(`raw mode failed: ${JSON.stringify({ result, floor })}`);
      const row: RuleEvalRow = {
        ...rules,
        idleCpuPerSecond,
        rawCycleSeconds: result.wallMs / 1000,
        rawQueries: floor.queries,
        rawFloorSeconds: floor.wallMs / 1000,
        rawCpu,
        rawFloorCpu,
        loadRaw,
      };
      console.error(JSON.stringify(row));
      return row;
    } finally {
      await raw.destroy();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

export interface PeriodRuleRow {
  slos: number;
  samplesPerSeries: number;
  /** Prometheus CPU seconds per SLO for one evaluation of the period rule in steady state. */
  cpuPerSlo: number;
  wallSeconds: number;
  load: string;
}

/**
 * The one rule the table above cannot show in steady state: the period rule reads 28 days of the
 * recorded 5-minute sums (one sample a minute, two series per SLO), while in the bench they exist
 * only since its Prometheus started. Backfills those two series at one sample a minute for `k`
 * SLOs and evaluates the generated period rule's expression for each, counting Prometheus CPU.
 */
export async function benchPeriodRule(k = 200): Promise<PeriodRuleRow> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'burnwatch-period-'));
  try {
    const end = Math.floor(Date.now() / 1000 / 60) * 60 - 3600;
    const start = end - 28 * 86_400;
    const slos = fleetSlos(k, { heterogeneous: true });
    const exprs = generatePrometheusRules(slos).groups.map((g) => {
      const rule = g.rules.find((r) => 'record' in r && r.record === 'slo:sli_error:ratio_rate28d');
      if (!rule) throw new Error(`no period rule in group ${g.name}`);
      return rule.expr;
    });
    // The series each period rule reads (two sums for ratio and latency, the 5-minute ratio for
    // a timeslice SLO), one sample a minute.
    const series = new Map<string, string[]>();
    for (const expr of exprs) {
      for (const [, name, id] of expr.matchAll(/(slo:[a-z0-9_:]+)\{slo_id="([^"]+)"\}/g)) {
        const ids = series.get(name!) ?? [];
        if (!ids.includes(id!)) ids.push(id!);
        series.set(name!, ids);
      }
    }
    const file = path.join(home, 'period.om');
    const out = createWriteStream(file);
    let samples = 0;
    let count = 0;
    for (const [name, ids] of series) {
      out.write(`# TYPE ${name} gauge\n`);
      for (const id of ids) {
        count++;
        const labels = `${name}{slo_id="${id}",slo_window="5m"}`;
        let chunk = '';
        for (let t = start; t <= end; t += 60) {
          const v = name.includes('bad') ? (t % 7) * 0.3 : name.includes('ratio') ? (t % 13) * 1e-5 : 15_000 + (t % 11);
          chunk += `${labels} ${v} ${t}\n`;
          samples++;
        }
        if (!out.write(chunk)) await once(out, 'drain');
      }
    }
    out.end('# EOF\n');
    await once(out, 'finish');
    const blocks = path.join(home, 'blocks');
    await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', '--max-block-duration=1000h', 'openmetrics', file, blocks], { maxBuffer: 64 << 20 });
    await rm(file);
    const prom = await startPrometheusOn(blocks);
    try {
      const load = loadavg();
      const query = async (expr: string) => {
        const res = await fetch(`${prom.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr, time: String(end) }) });
        const body = (await res.json()) as { data?: { result: unknown[] } };
        if (!res.ok || body.data?.result.length !== 1) throw new Error(`period rule answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
      };
      await query(exprs[0]!); // warm the index
      const cpu0 = await cpuSeconds(prom.pid!);
      const t0 = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < exprs.length) await query(exprs[next++]!);
      };
      await Promise.all([worker(), worker()]);
      const cpu = (await cpuSeconds(prom.pid!)) - cpu0;
      return { slos: k, samplesPerSeries: samples / count, cpuPerSlo: cpu / k, wallSeconds: (performance.now() - t0) / 1000, load };
    } finally {
      await prom.destroy();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** The steady-state period rule, as a line under the table, with what it adds per round at each size. */
export function periodRuleLine(p: PeriodRuleRow, sizes: number[]): string {
  const adds = sizes.map((n) => `${(p.cpuPerSlo * n).toFixed(1)} s at ${int(n)} SLOs`).join(', ');
  return `The period rule in steady state (\`benchPeriodRule\`: the generated expressions of ${int(p.slos)} SLOs over 28 days of recorded sums at one sample a minute, ${int(p.samplesPerSeries)} samples per series, load ${p.load}): **${(p.cpuPerSlo * 1000).toFixed(1)} ms of Prometheus CPU per SLO per evaluation**, so a round costs about ${adds} more than the table's bold figure.`;
}

/** How to read the table (bench/run.ts prints it under the table). */
export const RULE_EVAL_NOTES = `\`node bench/rule-eval.ts 1000 10000\`: the rules \`burnwatch generate prometheus\` writes for a
heterogeneous fleet (one group per SLO), loaded into a real Prometheus over the fleet's backfilled
data at the default 1-minute evaluation interval; after every group has run twice, Prometheus's CPU
(/proc) is counted over whole rounds (\`prometheus_rule_group_iterations_total\`). The bold column is
the cost; a round of rules replaces one raw-mode cycle (the raw columns, on a Prometheus without the
rules, same blocks). The summed \`evaluationTime\` is each group's wall time, groups overlapping and
waiting for the query engine's 20 slots and for a CPU, so it grows with the fleet and the load and
is no cost (it was the figure this bench first printed). The period rule (\`sum_over_time\` of the recorded 5-minute sums over 28 days) reads
only the minutes recorded since this Prometheus started; in steady state it reads 28 days of them
(40 320 samples per series), which the table cannot show: the line above measures it apart
(\`node bench/rule-eval.ts --period 100\`).`;


export function ruleEvalTable(rows: RuleEvalRow[]): string {
  return [
    '| heterogeneous SLOs | rule groups (rules) | interval; rounds measured (missed iterations) | **Prometheus CPU per round of every group** (cores busy) | sum of groups\' `evaluationTime` per round: metric / API / `last_duration` (median, slowest group) | raw mode: one burnwatch cycle (queries), Prometheus CPU | floor: bare client, Prometheus CPU | data age at measurement; setup | load average (rules / raw) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${int(r.slos)} | ${int(r.groups)} (${int(r.rules)}) | ${r.intervalSeconds} s; ${r.rounds.toFixed(1)} (${int(r.missedIterations)}) | **${r.cpuPerRound.toFixed(1)} s** (${r.coresBusy.toFixed(2)}) | ${secs(r.groupWallPerRound)} / ${secs(r.apiSumSeconds)} / ${secs(r.metricsSumSeconds)} (${secs(r.medianGroupMs / 1000)}, ${secs(r.slowestGroupMs / 1000)}) | ${r.rawCycleSeconds.toFixed(1)} s (${int(r.rawQueries)}), ${r.rawCpu.toFixed(1)} s | ${r.rawFloorSeconds.toFixed(1)} s, ${r.rawFloorCpu.toFixed(1)} s | ${(r.dataAgeSeconds / 60).toFixed(1)} min; ${r.setupSeconds.toFixed(0)} s | ${r.loadRules} / ${r.loadRaw} |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { interval: { type: 'string' }, measure: { type: 'string' }, period: { type: 'string' } } });
  const opts: RuleEvalOptions = {
    ...(values.interval ? { intervalSeconds: Number(values.interval) } : {}),
    ...(values.measure ? { measureSeconds: Number(values.measure) } : {}),
  };
  const sizes = positionals.map(Number);
  if (values.period) {
    // Only the steady-state period rule: `node bench/rule-eval.ts --period 200 1000 10000`.
    console.log(periodRuleLine(await benchPeriodRule(Number(values.period)), sizes.length > 0 ? sizes : [1000, 10_000]));
  } else {
    const rows: RuleEvalRow[] = [];
    for (const n of sizes.length > 0 ? sizes : [1000]) rows.push(await benchRuleEval(n, opts));
    console.log(ruleEvalTable(rows));
  }
}

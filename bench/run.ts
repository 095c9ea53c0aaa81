// `npm run bench`: every benchmark, each figure beside a baseline from the same run, written to
// BENCHMARKS.md with the machine it ran on. `--only scale,recorded,rules,detection,…` runs a subset.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backtestTable, benchBacktest } from './backtest.ts';
import { benchConsole, consoleTable } from './console.ts';
import { benchDetection, detectionTable } from './detection.ts';
import { benchEvalScale, heteroScaleTable, type ScaleRow, scaleTable } from './eval-scale.ts';
import { benchLeaderPartition, leaderPartitionTable } from './leader-partition.ts';
import { benchRecorded, recordedTable } from './recorded-scale.ts';
import { benchPeriodRule, benchRuleEval, periodRuleLine, RULE_EVAL_NOTES, type RuleEvalRow, ruleEvalTable } from './rule-eval.ts';
import { benchFiringToPost, benchSlackAck, slackTable } from './slack.ts';
import { benchStartup, startupTable } from './startup.ts';
import { benchStore, storeTable } from './store.ts';
import { benchDemo, demoTable } from './demo.ts';

const { values } = parseArgs({ options: { only: { type: 'string' }, sizes: { type: 'string', default: '10,100,1000,10000' }, 'hetero-sizes': { type: 'string', default: '1000,10000' }, 'rule-sizes': { type: 'string', default: '1000,10000' }, out: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : undefined;
const want = (name: string) => !only || only.has(name);

function machine(): string {
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
    } catch {
      return 'not installed';
    }
  };
  return [
    `- when: ${new Date().toISOString()}`,
    `- CPU: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores; memory ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`,
    `- Node ${process.version}; ${version('prometheus', ['--version'])}`,
  ].join('\n');
}

const NOTES = `## How to read these figures

- **Scale data** (bench/lib/fleet.ts): N SLOs over a 28-day window, a third each ratio, latency
  (classic histogram) and freshness (5-minute slices), each SLO on its own series; samples every hour
  over the window, every 5 minutes over the last 3 days and every minute over the last 2 hours (the
  10 000-SLO set is 31.7 million samples backfilled with promtool). One SLO in a hundred burns.
- **Floors.** "Same PromQL, bare client" replays exactly the queries burnwatch sent (merged across SLOs)
  with a bare \`fetch\` loop at the same concurrency: what is left above it is burnwatch's own work.
  "Without sharing" is one query per SLO and window, as a tool without query sharing sends them.
- **RSS** is the peak of the process. "Shipped flags" are the Node flags of the image's ENTRYPOINT
  and \`npm start\` (\`--optimize-for-size\`: V8 keeps its heap close to what is live instead of
  growing it for speed); "Node defaults" is the same cycle without them. Most of the difference is
  V8's headroom, not data: at 10 000 SLOs a cycle holds about 60 MB live, but with the defaults V8
  grows its young generation to 128 MB and the old one to about twice what survives. The cost is
  CPU in the burnwatch process, about 2 s more per 10 000-SLO cycle, which the cycle column
  includes. \`burnwatch check\` is the real command line: only the check command loaded, the YAML
  loader (10 000 SLOs in 50 files), the same evaluation and the JSON output.
- **Start-up RSS**: the embedded store is SQLite (node:sqlite, built into Node: no WebAssembly, no
  native build), a few MB; until 0.1 it was PGlite (PostgreSQL in WebAssembly), which grew to about
  1 GB while it opened its data directory. With \`DATABASE_URL\` (PostgreSQL) the service holds a
  connection pool instead; several replicas need PostgreSQL.
- **Store** (bench/store.ts): evaluation cycles of N SLOs whose readings come from an in-memory
  source, so the figure is the evaluation plus the cycle's one transaction (evaluations, alert
  state, notifications, audit), on the embedded SQLite file and on the machine's PostgreSQL over
  loopback, in the same run.
- **Backtest**: a month (28 days) at one-minute steps for 100 SLOs of the scale data. The floor is
  the same range queries without the replay; what is above it is the replay (burn rates, tiers and
  the alerting state machine at every step). Before the last 3 days the data has hourly samples, so
  Prometheus answers those range queries faster than it would on minute data; the replay's cost per
  step does not depend on it.
- Figures are from one run on a shared 2-core machine; the load average at the start is given above.`;

const sections: string[] = [];
const log = (title: string, body: string) => {
  console.log(`\n## ${title}\n\n${body}`);
  sections.push(`## ${title}\n\n${body}`);
};

if (want('scale')) {
  const rows: ScaleRow[] = await benchEvalScale(values.sizes!.split(',').map(Number));
  const hetero: ScaleRow[] = await benchEvalScale(values['hetero-sizes']!.split(',').map(Number), 8, 3, 1000, { heterogeneous: true });
  const big = rows.at(-1)!;
  log(
    'Evaluation cost and scale',
    `${scaleTable(rows)}

Targets at ${big.slos.toLocaleString('en')} SLOs: cycle within one minute — ${big.burnwatchSeconds <= 60 ? 'met' : 'NOT met'} (${big.burnwatchSeconds.toFixed(1)} s); overhead over the floor ≤ 1.25× — ${big.overhead <= 1.25 ? 'met' : 'NOT met'} (${big.overhead.toFixed(2)}×); RSS ≤ 300 MB — ${Math.max(big.rssMb, big.checkRssMb) <= 300 ? 'met' : 'NOT met'} (${big.rssMb.toFixed(0)} MB for the cycle, ${big.checkRssMb.toFixed(0)} MB for \`burnwatch check\` with the shipped flags; ${big.rssDefaultMb.toFixed(0)} MB for the cycle with Node's defaults).

A heterogeneous fleet (bench/lib/fleet.ts \`heterogeneous\`: every SLO on metrics and selectors of its own, so query sharing merges nothing; one query per SLO and window):

${heteroScaleTable(hetero)}`,
  );
}
if (want('recorded')) log('Recorded mode', recordedTable(await benchRecorded([1000, 10_000, 100_000])));
if (want('rules')) {
  const sizes = values['rule-sizes']!.split(',').map(Number);
  const rows: RuleEvalRow[] = [];
  for (const n of sizes) rows.push(await benchRuleEval(n));
  const period = periodRuleLine(await benchPeriodRule(), sizes);
  log('Prometheus side: rule evaluation', `${ruleEvalTable(rows)}\n\n${period}\n\n${RULE_EVAL_NOTES}`);
}
if (want('detection')) log('Detection latency', detectionTable(await benchDetection()));
if (want('slack')) log('Slack', slackTable(await benchSlackAck(), await benchFiringToPost()));
if (want('backtest')) log('Backtest', backtestTable(await benchBacktest()));
if (want('startup')) log('Start-up', startupTable(await benchStartup()));
if (want('leader')) log('Leader election under faults', leaderPartitionTable(await benchLeaderPartition()));
if (want('console')) log('Web console', consoleTable(await benchConsole()));
if (want('store')) log('Store: SQLite (embedded) and PostgreSQL', storeTable(await benchStore()));
if (want('demo')) log('Demo', demoTable(await benchDemo()));
if (want('warehouse')) {
  // Both ratio forms read only new data after the first read; bucketed in one query per cycle, one-row in several.
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'warehouse.ts');
  log('Warehouse cost per cycle (BigQuery, 28-day ratio SLO)', `\`\`\`\n${execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim()}\n\`\`\``);
}

const out = values.out ?? path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'BENCHMARKS.md');
if (!only) {
  await writeFile(out, `# burnwatch benchmarks\n\nProduced by \`npm run bench\` (bench/run.ts). Every figure stands beside a baseline measured in the same run.\n\n${machine()}\n\n${sections.join('\n\n')}\n\n${NOTES}\n`);
  console.log(`\nwrote ${out}`);
}

// `burnwatch backtest`: how an alert policy would have behaved over past data.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { comparePolicies } from '../../backtest/compare.ts';
import { type Grid, gridOf } from '../../backtest/history.ts';
import { type Incident, loadIncidents, scoreIncidents } from '../../backtest/incidents.ts';
import { loadPolicy, OWN_TIERS, type Policy } from '../../backtest/policy.ts';
import { progressBar } from '../../backtest/progress.ts';
import { renderBacktestHtml } from '../../backtest/render-html.ts';
import { type BacktestReport, renderBacktestText, unansweredSlos } from '../../backtest/render-text.ts';
import { runBacktest } from '../../backtest/run-backtest.ts';
import { isDuration, parseDuration } from '../../domain/duration.ts';
import { GroupExpander } from '../../evaluator/expand-groups.ts';
import { closeSources, buildSources } from '../../sources/registry.ts';
import { loadSpecs } from '../../spec/load.ts';
import { loadAlertWindows } from '../../spec/load-windows.ts';
import { formatProblem } from '../../spec/problem.ts';

export interface BacktestOptions {
  slos: string;
  from: string;
  to: string;
  step: string;
  tiers?: string;
  compare?: string;
  incidents?: string;
  format: string;
  out?: string;
  slo?: string[];
  progress?: boolean;
  /** Sloth AlertWindows files: tier tables per SLO period. */
  windows?: string;
}

/** ISO-8601, `now`, or `now-30d`. */
export function parseInstant(text: string, now: Date): Date {
  const relative = /^now(?:-(.+))?$/.exec(text.trim());
  if (relative) {
    if (!relative[1]) return now;
    if (!isDuration(relative[1])) throw new Error(`"${text}": expected now-<duration>, e.g. now-30d`);
    return new Date(now.getTime() - parseDuration(relative[1]) * 1000);
  }
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new Error(`"${text}" is not a time: use ISO-8601 (2026-10-01T00:00:00Z), now or now-30d`);
  return at;
}

export async function runBacktestCommand(
  options: BacktestOptions,
  io: { cwd: string; env: NodeJS.ProcessEnv; now: Date; progress?: (done: number, total: number, id: string) => void } = {
    cwd: process.cwd(),
    env: process.env,
    now: new Date(),
  },
): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!['text', 'json', 'html'].includes(options.format)) return { code: 1, stdout: '', stderr: `--format must be text, json or html, got ${options.format}\n` };
  if (!isDuration(options.step)) return { code: 1, stdout: '', stderr: `--step: "${options.step}" is not a duration (e.g. 1m)\n` };
  let from: Date;
  let to: Date;
  try {
    from = parseInstant(options.from, io.now);
    to = parseInstant(options.to, io.now);
  } catch (error) {
    return { code: 1, stdout: '', stderr: `${(error as Error).message}\n` };
  }
  const windows = options.windows ? await loadAlertWindows([options.windows], io.cwd) : undefined;
  if (windows?.problems.some((p) => p.severity === 'error'))
    return { code: 1, stdout: '', stderr: `${windows.problems.map(formatProblem).join('\n')}\n` };
  const loaded = await loadSpecs([options.slos], { cwd: io.cwd, env: io.env, ...(windows && { windows: windows.tables }) });
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  let stderr = errors.length > 0 ? `${errors.map(formatProblem).join('\n')}\n(backtesting the SLOs that loaded)\n` : '';
  let slos = options.slo?.length ? loaded.slos.filter((s) => options.slo!.includes(s.id)) : loaded.slos;
  if (slos.some((s) => s.groupBy)) {
    // Grouped SLOs are backtested per value: the values their source lists at the end of the range.
    const listing = buildSources(loaded.sources.filter((s) => s.type === 'prometheus'));
    try {
      const expanded = await new GroupExpander().expand(slos, listing, to);
      for (const w of expanded.warnings) stderr += `warning: ${w.slo}: ${w.message}\n`;
      slos = expanded.slos;
    } finally {
      await closeSources(listing);
    }
  }
  if (slos.length === 0) return { code: 1, stdout: '', stderr: `${stderr}no SLO to backtest\n` };

  let policies: Policy[];
  let incidents: Incident[] | undefined;
  try {
    policies = [options.tiers ? await loadPolicy(options.tiers) : OWN_TIERS];
    if (options.compare) policies.push(await loadPolicy(options.compare));
    incidents = options.incidents ? await loadIncidents(options.incidents) : undefined;
  } catch (error) {
    return { code: 1, stdout: '', stderr: `${stderr}${(error as Error).message}\n` };
  }

  let grid: Grid;
  try {
    grid = gridOf(from, to, parseDuration(options.step));
  } catch (error) {
    return { code: 1, stdout: '', stderr: `${stderr}${(error as Error).message}\n` };
  }
  const started = performance.now();
  // Prometheus SLOs are read with range queries; the others (SQL) through their source, a read per step.
  const sources = buildSources(loaded.sources.filter((s) => s.type !== 'prometheus'));
  let result: Awaited<ReturnType<typeof runBacktest>>;
  try {
    result = await runBacktest({
      slos,
      dataSources: loaded.sources,
      grid,
      policies,
      sources,
      ...(io.progress ? { onProgress: io.progress } : {}),
    });
  } finally {
    await closeSources(sources);
  }
  const seconds = (performance.now() - started) / 1000;
  const report: BacktestReport = { result };
  if (options.compare) report.compare = comparePolicies(result.policies[0]!.results, result.policies[1]!.results);
  if (incidents) report.incidents = result.policies.map((p) => scoreIncidents(p.results, incidents));
  const text =
    options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : options.format === 'html' ? renderBacktestHtml(report) : renderBacktestText(report);
  for (const s of result.skipped) stderr += `warning: skipped ${s.id}: ${s.reason}\n`;
  stderr += `backtested ${result.policies[0]!.results.length} SLOs × ${grid.points} steps in ${seconds.toFixed(1)}s\n`;
  // A source that did not answer is not a quiet SLO: the report says so, and so does the exit code.
  const unanswered = unansweredSlos(result);
  for (const r of unanswered) {
    stderr += `error: ${r.id}: ${r.problems[0] ?? 'no data at any step (the queries returned nothing)'}; unknown for ${Math.round(r.unknownSeconds / 60)} min\n`;
  }
  const code = unanswered.length > 0 || result.skipped.length > 0 ? 1 : 0;
  if (options.out) {
    await writeFile(options.out, text);
    return { code, stdout: '', stderr: `${stderr}wrote ${options.out}\n` };
  }
  return { code, stdout: text, stderr };
}

export function register(program: Command): void {
  program
    .command('backtest')
    .description('replay the SLOs over past data: every firing, pages and tickets per week, budget over time')
    .option('--slos <dir>', 'SLO files or directory', 'slos')
    .requiredOption('--from <time>', 'start: ISO-8601, or now-30d')
    .option('--to <time>', 'end: ISO-8601 or now', 'now')
    .option('--step <duration>', 'evaluation step', '1m')
    .option('--tiers <file>', 'alert tiers to try instead of each SLO\'s own (YAML list of {severity, budgetPercent, long, short})')
    .option('--windows <path>', 'Sloth AlertWindows files: the tiers of SLOs with that period')
    .option('--compare <file>', 'a second tiers file: which pages one policy sends and the other does not')
    .option('--incidents <file>', 'known incidents (YAML list of {slo, start, end}) for precision and recall')
    .option('--format <format>', 'text, json or html', 'text')
    .option('--out <file>', 'write the report here instead of stdout')
    .option('--slo <id...>', 'only these SLO ids')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (options: BacktestOptions) => {
      const { code, stdout, stderr } = await runBacktestCommand(options, {
        cwd: process.cwd(),
        env: process.env,
        now: new Date(),
        ...(options.progress === false ? {} : { progress: progressBar('backtest') }),
      });
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      process.exitCode = code;
    });
}

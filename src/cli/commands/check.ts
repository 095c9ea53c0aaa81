// `burnwatch check`: evaluate every SLO once, print a table (people) or JSON (machines), and with
// --fail-on exit 2 when a tier of that severity or higher fires (a deploy gate in CI/CD).
import type { Command } from 'commander';
import { systemClock } from '../../domain/clock.ts';
import type { SloEvaluation } from '../../domain/evaluation.ts';
import type { DataSourceSpec, Severity, Slo } from '../../domain/slo.ts';
import { SEVERITY_RANK } from '../../domain/tiers.ts';
import { evaluateAll } from '../../evaluator/evaluate-all.ts';
import { checkJson } from '../../evaluator/check-json.ts';
import { GroupExpander } from '../../evaluator/expand-groups.ts';
import { closeSources, SOURCE_FACTORIES, type SourceFactory } from '../../sources/registry.ts';
import type { SliSource } from '../../sources/sli-source.ts';
import { loadSpecs } from '../../spec/load.ts';
import { formatProblem } from '../../spec/problem.ts';
import { renderCheckTable } from './check-table.ts';

export interface CheckOptions {
  slos: string;
  at?: string;
  slo?: string;
  format: 'table' | 'json';
  failOn?: Severity;
}

export interface CheckIo {
  cwd: string;
  env: Record<string, string | undefined>;
  now: () => Date;
}

export interface CheckResult {
  /** 0 fine; 1 spec errors or nothing to check; 2 a tier at or above --fail-on fires. */
  code: number;
  stdout: string;
  stderr: string;
  evaluations: SloEvaluation[];
}

export async function runCheck(options: CheckOptions, io: CheckIo): Promise<CheckResult> {
  const stderr: string[] = [];
  const loaded = await loadSpecs([options.slos], { cwd: io.cwd, env: io.env });
  for (const problem of loaded.problems) stderr.push(formatProblem(problem));
  const specErrors = loaded.problems.some((p) => p.severity === 'error');

  let slos = loaded.slos;
  if (options.slo !== undefined) {
    slos = slos.filter((s) => s.id === options.slo);
    if (slos.length === 0) {
      const known = loaded.slos.map((s) => s.id).join(', ') || 'none';
      stderr.push(`check: no SLO with id "${options.slo}" (loaded: ${known})`);
      return { code: 1, stdout: '', stderr: lines(stderr), evaluations: [] };
    }
  }
  if (slos.length === 0) {
    stderr.push(`check: no valid SLOs under ${options.slos}`);
    return { code: 1, stdout: '', stderr: lines(stderr), evaluations: [] };
  }

  let at: Date;
  if (options.at !== undefined) {
    at = new Date(options.at);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(options.at) || Number.isNaN(at.getTime())) {
      stderr.push(`check: --at must be an ISO-8601 instant such as 2026-11-20T10:00:00Z, got "${options.at}"`);
      return { code: 1, stdout: '', stderr: lines(stderr), evaluations: [] };
    }
  } else at = io.now();

  const sources = buildUsedSources(slos, loaded.sources);
  let evaluations: SloEvaluation[];
  let evaluated: readonly Slo[] = slos;
  try {
    // Grouped SLOs: one per label value, listed from their source.
    const expanded = await new GroupExpander().expand(slos, sources, at);
    for (const w of expanded.warnings) stderr.push(`warning: ${w.slo}: ${w.message}`);
    evaluated = expanded.slos;
    evaluations = await evaluateAll(evaluated, sources, at);
  } finally {
    await closeSources(sources);
  }

  const stdout = options.format === 'json' ? `${JSON.stringify(checkJson(at, evaluations, evaluated), null, 2)}\n` : renderCheckTable(at, evaluations);
  let code = specErrors ? 1 : 0;
  if (options.failOn !== undefined) {
    const floor = SEVERITY_RANK[options.failOn];
    const gate = evaluations.some((e) => e.tiers.some((t) => t.firing && SEVERITY_RANK[t.severity] >= floor));
    if (gate) code = 2;
  }
  return { code, stdout, stderr: lines(stderr), evaluations };
}

/** Only the sources the selected SLOs read; one that cannot be built makes its SLOs `error`. */
function buildUsedSources(slos: readonly Slo[], specs: readonly DataSourceSpec[]): Map<string, SliSource> {
  const used = new Set(slos.flatMap(sourceNamesOf));
  const out = new Map<string, SliSource>();
  for (const spec of specs) {
    if (!used.has(spec.name)) continue;
    const factory = SOURCE_FACTORIES[spec.type] as SourceFactory | undefined;
    try {
      if (!factory) throw new Error(`data source "${spec.name}": type ${spec.type} is not supported by this build`);
      out.set(spec.name, factory(spec));
    } catch (error) {
      out.set(spec.name, unavailable(spec, error instanceof Error ? error.message : String(error)));
    }
  }
  return out;
}

function sourceNamesOf(slo: Slo): string[] {
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio':
      return [ind.good?.source, ind.bad?.source, ind.total.source].filter((s): s is string => s !== undefined);
    case 'latency':
      return [ind.source];
    default:
      return [ind.query.source];
  }
}

function unavailable(spec: DataSourceSpec, message: string): SliSource {
  return {
    name: spec.name,
    type: spec.type,
    read: () => Promise.reject(new Error(message)),
    ping: () => Promise.reject(new Error(message)),
    close: async () => {},
  };
}

function lines(items: readonly string[]): string {
  return items.length > 0 ? `${items.join('\n')}\n` : '';
}

export function register(program: Command): void {
  program
    .command('check')
    .description('evaluate the SLOs once and print status, SLI, budget, burn rates and firing tiers')
    .option('--slos <dir>', 'SLO and DataSource files or directory', 'slos')
    .option('--at <iso-8601>', 'evaluate at this instant instead of now')
    .option('--slo <id>', 'only this SLO (service/name)')
    .option('--format <format>', 'table or json', 'table')
    .option('--fail-on <severity>', 'exit 2 when a tier of this severity or higher fires: page or ticket')
    .action(async (opts: { slos: string; at?: string; slo?: string; format: string; failOn?: string }) => {
      if (opts.format !== 'table' && opts.format !== 'json') program.error(`--format must be table or json, got ${opts.format}`);
      if (opts.failOn !== undefined && opts.failOn !== 'page' && opts.failOn !== 'ticket') {
        program.error(`--fail-on must be page or ticket, got ${opts.failOn}`);
      }
      const result = await runCheck(
        {
          slos: opts.slos,
          format: opts.format as 'table' | 'json',
          ...(opts.at !== undefined && { at: opts.at }),
          ...(opts.slo !== undefined && { slo: opts.slo }),
          ...(opts.failOn !== undefined && { failOn: opts.failOn as Severity }),
        },
        { cwd: process.cwd(), env: process.env, now: () => systemClock.now() },
      );
      process.stderr.write(result.stderr);
      process.stdout.write(result.stdout);
      process.exitCode = result.code;
    });
}

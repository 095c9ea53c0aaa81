// `burnwatch validate [paths…]`: load the specs, print every problem, exit 1 on errors.
// More checks (e.g. --check-sources) are an option in `register` plus a `ValidateCheck` passed to
// runValidate: each gets what was loaded and returns more problems in the same format.
import type { Command } from 'commander';
import { runbookLinkProblems } from '../../spec/runbook-check.ts';
import { type CheckSourcesOptions, checkSources, formatSourceCheck, sourceCheckProblems } from '../../sources/check-sources.ts';
import { type LoadResult, loadSpecs } from '../../spec/load.ts';
import { byPosition, formatProblem, type Problem } from '../../spec/problem.ts';

export interface ValidateOptions {
  format: 'text' | 'json';
}

export interface ValidateReport extends LoadResult {
  valid: boolean;
}

/** An extra check after loading (e.g. querying each source once); its problems join the report. */
export type ValidateCheck = (loaded: LoadResult) => Promise<Problem[]>;

/** The JSON `validate --format json` prints. */
export function validateJson(report: ValidateReport): unknown {
  const count = (severity: Problem['severity']) => report.problems.filter((p) => p.severity === severity).length;
  return {
    valid: report.valid,
    errors: count('error'),
    warnings: count('warning'),
    problems: report.problems.map((p) => ({ ...p, text: formatProblem(p) })),
    slos: report.slos.map((s) => ({ id: s.id, kind: s.indicator.kind, objective: s.objectivePercent, window: s.window, file: s.origin.file, line: s.origin.line })),
    sources: report.sources.map((s) => ({ name: s.name, type: s.type })),
  };
}

export function validateText(report: ValidateReport): string {
  const lines = report.problems.map(formatProblem);
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `${report.valid ? 'valid' : 'invalid'}: ${plural(report.slos.length, 'SLO')} and ${plural(report.sources.length, 'DataSource')} loaded; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`,
  );
  return `${lines.join('\n')}\n`;
}

export async function runValidate(
  paths: string[],
  options: ValidateOptions,
  io = { cwd: process.cwd(), env: process.env },
  checks: readonly ValidateCheck[] = [],
): Promise<{ code: number; output: string }> {
  const loaded = await loadSpecs(paths.length > 0 ? paths : ['slos'], { cwd: io.cwd, env: io.env });
  const problems = [...loaded.problems, ...runbookLinkProblems(loaded.slos, io.env, io.cwd)];
  for (const check of checks) problems.push(...(await check(loaded)));
  const report: ValidateReport = { ...loaded, problems: problems.sort(byPosition), valid: !problems.some((p) => p.severity === 'error') };
  const output = options.format === 'json' ? `${JSON.stringify(validateJson(report), null, 2)}\n` : validateText(report);
  return { code: report.valid ? 0 : 1, output };
}

/** --check-sources: each warehouse query dry-run (BigQuery) or planned (PostgreSQL); `print` gets the estimates. */
export function sourcesCheck(now: Date, print: (line: string) => void, options: CheckSourcesOptions = {}): ValidateCheck {
  return async (loaded) => {
    if (loaded.problems.some((p) => p.severity === 'error')) return [];
    const checks = await checkSources(loaded.slos, loaded.sources, now, options);
    for (const c of checks) if (c.severity === 'ok') print(formatSourceCheck(c));
    return sourceCheckProblems(checks);
  };
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check SLO and DataSource files (default: slos/); exit 1 when any has errors')
    .argument('[paths...]', 'files or directories (recursively *.yaml, *.yml)')
    .option('--format <format>', 'text or json', 'text')
    .option('--check-sources', 'dry-run each BigQuery query (prints the bytes it would scan) and EXPLAIN each PostgreSQL one')
    .action(async (paths: string[], options: { format: string; checkSources?: boolean }) => {
      if (options.format !== 'text' && options.format !== 'json') program.error(`--format must be text or json, got ${options.format}`);
      // Estimates go to stdout before the report (stderr with --format json, which must stay JSON).
      const print = (line: string) => (options.format === 'json' ? process.stderr : process.stdout).write(`${line}\n`);
      const checks = options.checkSources ? [sourcesCheck(new Date(), print)] : [];
      const { code, output } = await runValidate(paths, { format: options.format as 'text' | 'json' }, undefined, checks);
      process.stdout.write(output);
      process.exitCode = code;
    });
}

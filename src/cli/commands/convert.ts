// `burnwatch convert <file…>`: print Sloth, OpenSLO or Pyrra files as burnwatch/v1 YAML; what cannot
// be expressed goes to stderr (and into comments in the output). Exit 1 when a document cannot be
// converted, and with --check also when anything was dropped or approximated (for CI).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { convertSpecTexts, isLossy } from '../../spec/convert.ts';
import type { SpecText } from '../../spec/load.ts';
import { formatProblem } from '../../spec/problem.ts';

export async function runConvert(
  files: string | readonly string[],
  cwd = process.cwd(),
  options: { check?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const inputs: SpecText[] = [];
  for (const file of typeof files === 'string' ? [files] : files) {
    try {
      inputs.push({ file, text: await readFile(path.resolve(cwd, file), 'utf8') });
    } catch (error) {
      return { code: 1, stdout: '', stderr: `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}\n` };
    }
  }
  const { yaml, problems } = convertSpecTexts(inputs);
  const stderr = problems.map((p) => `${formatProblem(p)}\n`).join('');
  const failed = problems.some((p) => p.severity === 'error') || (options.check === true && problems.some(isLossy));
  const verdict = options.check && failed && !problems.some((p) => p.severity === 'error') ? 'convert --check: the files above do not convert exactly (dropped or approximated)\n' : '';
  return { code: failed ? 1 : 0, stdout: yaml, stderr: stderr + verdict };
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('print Sloth (prometheus/v1, PrometheusServiceLevel), OpenSLO (v1alpha, v1, v2alpha) or Pyrra files as burnwatch/v1 YAML')
    .argument('<files...>', 'the files to convert (OpenSLO references between them are resolved)')
    .option('--check', 'exit 1 when anything was dropped or approximated, not only when a document cannot be converted')
    .action(async (files: string[], options: { check?: boolean }) => {
      const { code, stdout, stderr } = await runConvert(files, process.cwd(), options);
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      process.exitCode = code;
    });
}

// `burnwatch convert <file>`: print a Sloth or OpenSLO file as burnwatch/v1 YAML; what cannot be
// expressed goes to stderr (and into comments in the output). Exit 1 when a document cannot be converted.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { convertSpecText } from '../../spec/convert.ts';
import { formatProblem } from '../../spec/problem.ts';

export async function runConvert(file: string, cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    return { code: 1, stdout: '', stderr: `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}\n` };
  }
  const { yaml, problems } = convertSpecText({ file, text });
  const stderr = problems.map((p) => `${formatProblem(p)}\n`).join('');
  return { code: problems.some((p) => p.severity === 'error') ? 1 : 0, stdout: yaml, stderr };
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('print a Sloth (prometheus/v1, PrometheusServiceLevel) or OpenSLO (openslo/v1) file as burnwatch/v1 YAML')
    .argument('<file>', 'the file to convert')
    .action(async (file: string) => {
      const { code, stdout, stderr } = await runConvert(file);
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      process.exitCode = code;
    });
}

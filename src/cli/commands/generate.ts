// `burnwatch generate prometheus`: the SLOs as Prometheus recording and alerting rules.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { renderMimirNamespace } from '../../generate/mimir.ts';
import { registerGrafana } from './generate-grafana.ts';
import { generatePrometheusRules } from '../../generate/prometheus-rules.ts';
import { renderRules } from '../../generate/render-rules.ts';
import { loadSpecs } from '../../spec/load.ts';
import { loadAlertWindows } from '../../spec/load-windows.ts';
import { formatProblem } from '../../spec/problem.ts';

export interface GenerateOptions {
  slos: string;
  out?: string;
  operator?: boolean;
  name: string;
  namespace?: string;
  /** Sloth AlertWindows files: tier tables per SLO period. */
  windows?: string;
  /** burnwatch (slo_*) or sloth (sloth_*) label names. */
  labels?: string;
  /** Write the Mimir/Cortex ruler namespace layout (mimirtool rules load). */
  mimir?: boolean;
  mimirNamespace?: string;
}

export async function runGeneratePrometheus(
  options: GenerateOptions,
  io = { cwd: process.cwd(), env: process.env },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const windows = options.windows ? await loadAlertWindows([options.windows], io.cwd) : undefined;
  const loaded = await loadSpecs([options.slos], { cwd: io.cwd, env: io.env, ...(windows && { windows: windows.tables }) });
  const errors = [...(windows?.problems ?? []), ...loaded.problems].filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    // Half a rule set would silently drop alerts: refuse until every SLO file is valid.
    return { code: 1, stdout: '', stderr: `${errors.map(formatProblem).join('\n')}\nno rules generated: fix the errors above (burnwatch validate)\n` };
  }
  const labels = options.labels ?? 'burnwatch';
  if (labels !== 'burnwatch' && labels !== 'sloth') return { code: 2, stdout: '', stderr: `--labels must be burnwatch or sloth, got ${labels}\n` };
  if (options.mimir && options.operator) return { code: 2, stdout: '', stderr: '--mimir and --operator are different layouts: choose one\n' };
  const generated = generatePrometheusRules(loaded.slos, { sources: loaded.sources, labels });
  const text = options.mimir ? renderMimirNamespace(generated, options.mimirNamespace ?? 'burnwatch') : renderRules(
    generated,
    options.operator ? { operator: { name: options.name, ...(options.namespace ? { namespace: options.namespace } : {}) } } : {},
  );
  const warnings = generated.skipped.map((s) => `warning: skipped ${s.id}: ${s.reason}`);
  const rules = generated.groups.reduce((n, g) => n + g.rules.length, 0);
  const summary = `${generated.groups.length} SLOs → ${rules} rules${options.out ? ` in ${options.out}` : ''}`;
  if (options.out) {
    await writeFile(options.out, text);
    return { code: 0, stdout: '', stderr: [...warnings, summary].join('\n') + '\n' };
  }
  return { code: 0, stdout: text, stderr: warnings.length > 0 ? `${warnings.join('\n')}\n` : '' };
}

export function register(program: Command): void {
  const generate = program.command('generate').description('generate configuration for other systems from the SLOs');
  generate
    .command('prometheus')
    .description('recording and alerting rules that evaluate the SLOs inside Prometheus (Sloth-compatible names)')
    .option('--slos <dir>', 'SLO files or directory', 'slos')
    .option('--out <file>', 'write the rules here instead of stdout')
    .option('--operator', 'wrap the rules in a prometheus-operator PrometheusRule')
    .option('--name <name>', 'metadata.name of the PrometheusRule', 'burnwatch-slos')
    .option('--namespace <ns>', 'metadata.namespace of the PrometheusRule')
    .option('--windows <path>', 'Sloth AlertWindows files: the tiers of SLOs with that period (as Sloth\'s --slo-period-windows-path)')
    .option('--labels <set>', 'label names: burnwatch (slo_id, slo_service, slo_name, slo_window) or sloth (sloth_id, sloth_service, sloth_slo, sloth_window)', 'burnwatch')
    .option('--mimir', 'write a Mimir/Cortex ruler namespace file (mimirtool rules load)')
    .option('--mimir-namespace <ns>', 'the ruler namespace of --mimir', 'burnwatch')
    .action(async (options: GenerateOptions) => {
      const { code, stdout, stderr } = await runGeneratePrometheus(options);
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      process.exitCode = code;
    });
  registerGrafana(generate);
}

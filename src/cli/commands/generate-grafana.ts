// `burnwatch generate grafana`: dashboards over the recorded series, and the provisioning file
// that has Grafana load them from disk.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { generateGrafanaDashboards, provisioningYaml } from '../../generate/grafana/dashboards.ts';
import { generatePrometheusRules } from '../../generate/prometheus-rules.ts';
import { loadSpecs } from '../../spec/load.ts';
import { formatProblem } from '../../spec/problem.ts';

export interface GenerateGrafanaOptions {
  slos: string;
  out: string;
  labels?: string;
  /** Where Grafana will find the dashboard files (the provisioning file's options.path). */
  dashboardsPath?: string;
  folder?: string;
}

export async function runGenerateGrafana(
  options: GenerateGrafanaOptions,
  io = { cwd: process.cwd(), env: process.env },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const labels = options.labels ?? 'burnwatch';
  if (labels !== 'burnwatch' && labels !== 'sloth') return { code: 2, stdout: '', stderr: `--labels must be burnwatch or sloth, got ${labels}\n` };
  const loaded = await loadSpecs([options.slos], { cwd: io.cwd, env: io.env });
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) return { code: 1, stdout: '', stderr: `${errors.map(formatProblem).join('\n')}\nno dashboards generated: fix the errors above\n` };
  // The dashboards read recorded series: only the SLOs that get rules.
  const { skipped } = generatePrometheusRules(loaded.slos, { sources: loaded.sources, labels });
  const skippedIds = new Set(skipped.map((s) => s.id));
  const dashboards = generateGrafanaDashboards(
    loaded.slos.filter((s) => !skippedIds.has(s.id)),
    { labels },
  );
  const out = path.resolve(io.cwd, options.out);
  await mkdir(path.join(out, 'dashboards'), { recursive: true });
  await mkdir(path.join(out, 'provisioning', 'dashboards'), { recursive: true });
  for (const d of dashboards) await writeFile(path.join(out, 'dashboards', d.file), `${JSON.stringify(d.dashboard, null, 2)}\n`);
  const dashboardsPath = options.dashboardsPath ?? '/var/lib/grafana/dashboards/burnwatch';
  await writeFile(path.join(out, 'provisioning', 'dashboards', 'burnwatch.yaml'), provisioningYaml(dashboardsPath, options.folder));
  const warnings = skipped.map((s) => `warning: no dashboard for ${s.id}: ${s.reason}`);
  return {
    code: 0,
    stdout: '',
    stderr: `${[...warnings, `${dashboards.length - 1} SLO dashboards and an overview in ${path.join(options.out, 'dashboards')}; provisioning in ${path.join(options.out, 'provisioning', 'dashboards', 'burnwatch.yaml')} (copy the dashboards to ${dashboardsPath})`].join('\n')}\n`,
  };
}

export function registerGrafana(generate: Command): void {
  generate
    .command('grafana')
    .description('Grafana dashboards over the recorded series (overview + one per SLO), provisioned by file')
    .option('--slos <dir>', 'SLO files or directory', 'slos')
    .requiredOption('--out <dir>', 'writes <dir>/dashboards/*.json and <dir>/provisioning/dashboards/burnwatch.yaml')
    .option('--labels <set>', 'the label set the rules were generated with: burnwatch or sloth', 'burnwatch')
    .option('--dashboards-path <path>', "where Grafana reads the dashboard files (the provider's options.path)", '/var/lib/grafana/dashboards/burnwatch')
    .option('--folder <name>', 'Grafana folder of the dashboards', 'SLOs')
    .action(async (options: GenerateGrafanaOptions) => {
      const { code, stdout, stderr } = await runGenerateGrafana(options);
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      process.exitCode = code;
    });
}

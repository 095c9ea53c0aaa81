// `burnwatch report`: the weekly reliability report for any past week (or interval),
// as Markdown, self-contained HTML or Slack messages; optionally posted to Slack.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { customPeriod, lastCompleteWeek, PeriodError, previousPeriod, weekPeriod } from '../../reports/iso-week.ts';
import { produceReport } from '../../reports/produce-report.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { renderMarkdown } from '../../reports/render-markdown.ts';
import type { ReportPeriod } from '../../reports/report-data.ts';
import { renderAllCharts } from '../../reports/team-charts.ts';
import { REPORT_FORMATS, type ReportFormat, writeReport } from '../../reports/write-report.ts';
import { renderSlackMessage } from '../../slack/report/render-slack.ts';
import { reportWebClient } from '../../slack/report/slack-report-channel.ts';
import { postSlackReport, slackReportPayload } from '../../slack/report/slack-report.ts';
import { ConfigError, loadConfig } from '../../service/config.ts';
import { loadSpecs } from '../../spec/load.ts';
import { formatProblem } from '../../spec/problem.ts';
import { LEGACY_PGDATA, openStore, SQLITE_FILE, type Store } from '../../store/open-store.ts';
import { StoreError } from '../../store/store-error.ts';
import { withDefaultSources } from '../../app/build-sources.ts';
import type { SourceMap } from '../../evaluator/evaluate-all.ts';
import { closeSources, SOURCE_FACTORIES, type SourceFactory } from '../../sources/registry.ts';
import type { SliSource } from '../../sources/sli-source.ts';

export interface ReportCommandOptions {
  week?: string;
  from?: string;
  to?: string;
  service?: string[];
  format: string;
  out?: string;
  slos?: string;
  store: boolean;
  post?: boolean;
}

export interface ReportIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  now: Date;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

class UsageError extends Error {}

/** Sources this build can read; SLOs on others are reported unknown with the reason. */
function buildSupportedSources(specs: Parameters<typeof withDefaultSources>[0], prometheusUrl: string | undefined): SourceMap {
  const out = new Map<string, SliSource>();
  for (const spec of withDefaultSources(specs, prometheusUrl)) {
    const factory = SOURCE_FACTORIES[spec.type] as SourceFactory | undefined;
    if (factory) out.set(spec.name, factory(spec));
  }
  return out;
}

function periodOf(o: ReportCommandOptions, now: Date): ReportPeriod {
  if (o.week && (o.from || o.to)) throw new UsageError('use either --week or --from/--to, not both');
  if (o.week) return weekPeriod(o.week);
  if (o.from || o.to) {
    if (!o.from || !o.to) throw new UsageError('--from and --to go together');
    return customPeriod(o.from, o.to);
  }
  return lastCompleteWeek(now);
}

/** Opens the state store when there is one; a CLI run never creates an empty one. */
async function storeFor(databaseUrl: string | undefined, dataDir: string): Promise<Store | undefined> {
  // An earlier burnwatch's PGlite state is opened too: the store then says how to import it.
  if (!databaseUrl && !fs.existsSync(path.join(dataDir, SQLITE_FILE)) && !fs.existsSync(path.join(dataDir, LEGACY_PGDATA))) return undefined;
  return openStore({ databaseUrl, dataDir });
}

export async function runReport(o: ReportCommandOptions, io: ReportIo): Promise<number> {
  let store: Store | undefined;
  let sources: SourceMap | undefined;
  try {
    if (!(REPORT_FORMATS as readonly string[]).includes(o.format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got ${o.format}`);
    const format = o.format as ReportFormat;
    if (o.post && format !== 'slack') throw new UsageError('--post needs --format slack');
    const period = periodOf(o, io.now);
    if (Date.parse(period.start) >= io.now.getTime()) throw new UsageError(`${period.label} has not started yet`);
    const config = loadConfig(io.env, o.slos ? { slos: o.slos } : {});
    if (o.post && !config.slack) throw new UsageError('--post needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');

    const loaded = await loadSpecs([config.slosDir], { cwd: io.cwd, env: io.env });
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      io.stderr(`${errors.map(formatProblem).join('\n')}\ncannot report: the SLO files have errors (see burnwatch validate)\n`);
      return 1;
    }
    const known = new Set(loaded.slos.map((s) => s.service));
    const unknown = (o.service ?? []).filter((s) => !known.has(s));
    if (unknown.length > 0) throw new UsageError(`no SLOs for service ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);

    sources = buildSupportedSources(loaded.sources, config.prometheusUrl);
    store = o.store ? await storeFor(config.databaseUrl, path.resolve(io.cwd, config.dataDir)) : undefined;
    const report = await produceReport({
      slos: loaded.slos,
      sources,
      db: store?.db,
      period,
      previous: previousPeriod(period),
      now: io.now,
      ...(o.service ? { services: o.service } : {}),
    });

    if (o.out) {
      const files = await writeReport(report, path.resolve(io.cwd, o.out), [format], { slack: renderSlackMessage });
      io.stdout(`${files.map((f) => path.relative(io.cwd, f)).join('\n')}\n`);
    } else if (format === 'md') {
      io.stdout(renderMarkdown(report));
    } else if (format === 'html') {
      io.stdout(renderHtml(report, await renderAllCharts(report)));
    } else {
      io.stdout(`${JSON.stringify(report.teams.map((t) => ({ channel: t.channel, ...renderSlackMessage(report, t) })), null, 2)}\n`);
    }

    if (o.post && config.slack) {
      const client = await reportWebClient(config.slack, 'now');
      const charts = await renderAllCharts(report);
      for (const team of report.teams) {
        const channel = team.channel ?? config.slack.defaultChannel;
        if (!channel) {
          io.stderr(`${team.team}: no channel (set alerting.channel on its SLOs or SLACK_DEFAULT_CHANNEL); not posted\n`);
          continue;
        }
        const posted = await postSlackReport(client, slackReportPayload(report, team, charts.get(team.team)!, channel));
        io.stderr(`${team.team}: posted to ${channel} (ts ${posted.ts})\n`);
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof PeriodError || error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    if (error instanceof StoreError) {
      io.stderr(`${error.message}\n(run with --no-store to report from the sources only)\n`);
      return 1;
    }
    throw error;
  } finally {
    await store?.close();
    if (sources) await closeSources(sources);
  }
}

export function register(program: Command): void {
  program
    .command('report')
    .description('weekly reliability report per team and service (default: the last complete ISO week)')
    .option('--week <week>', 'ISO week, e.g. 2026-W47')
    .option('--from <date>', 'start of a custom interval (2026-11-16 or an ISO timestamp, UTC)')
    .option('--to <date>', 'end of a custom interval (exclusive)')
    .option('--service <service...>', 'only these services')
    .option('--format <format>', `output: ${REPORT_FORMATS.join(', ')}`, 'md')
    .option('--out <dir>', 'write the report (and chart PNGs) into this directory instead of stdout')
    .option('--slos <dir>', 'SLO files (default: BURNWATCH_SLOS_DIR or slos/)')
    .option('--no-store', 'do not read the state store; compute every figure from the sources')
    .option('--post', 'also post each team’s message to Slack (with --format slack)')
    .action(async (options: ReportCommandOptions) => {
      process.exitCode = await runReport(options, {
        cwd: process.cwd(),
        env: process.env,
        now: new Date(),
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
    });
}

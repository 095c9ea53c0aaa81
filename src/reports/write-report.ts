// Writes a report to a directory: Markdown (charts as PNG files beside it),
// self-contained HTML, and each team's chat message (the `slack` format, rendered by the
// Slack adapter and passed in) as JSON with its PNGs.
import fs from 'node:fs/promises';
import path from 'node:path';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import type { ReportData, TeamReport } from './report-data.ts';
import { renderAllCharts, slug, type TeamCharts } from './team-charts.ts';

export const REPORT_FORMATS = ['md', 'html', 'slack'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A chat adapter's rendering of one team's message, for the `slack` format (src/slack/report/render-slack.ts). */
export type TeamMessageRenderer = (report: ReportData, team: TeamReport) => object;

export function fileStem(report: ReportData): string {
  return `report-${report.period.label.replace(/[^A-Za-z0-9-]+/g, '_')}`;
}

function chartFile(team: string, chart: 'burn-down' | 'attainment'): string {
  return `charts/${slug(team)}-${chart}.png`;
}

async function writeCharts(outDir: string, charts: ReadonlyMap<string, TeamCharts>, written: string[]): Promise<void> {
  await fs.mkdir(path.join(outDir, 'charts'), { recursive: true });
  for (const [team, c] of charts) {
    for (const [name, chart] of [['burn-down', c.burnDown], ['attainment', c.attainment]] as const) {
      const file = path.join(outDir, chartFile(team, name));
      await fs.writeFile(file, chart.png);
      written.push(file);
    }
  }
}

/** Writes the given formats; returns the files written. The `slack` format needs its renderer. */
export async function writeReport(
  report: ReportData,
  outDir: string,
  formats: readonly ReportFormat[],
  renderers: { slack?: TeamMessageRenderer } = {},
): Promise<string[]> {
  const renderSlackMessage = renderers.slack;
  if (formats.includes('slack') && !renderSlackMessage) throw new Error('writeReport: the slack format needs the Slack renderer');
  await fs.mkdir(outDir, { recursive: true });
  const charts = await renderAllCharts(report);
  const written: string[] = [];
  const stem = fileStem(report);
  if (formats.includes('md') || formats.includes('slack')) await writeCharts(outDir, charts, written);
  if (formats.includes('md')) {
    const file = path.join(outDir, `${stem}.md`);
    await fs.writeFile(file, renderMarkdown(report, { chartPath: chartFile }));
    written.push(file);
  }
  if (formats.includes('html')) {
    const file = path.join(outDir, `${stem}.html`);
    await fs.writeFile(file, renderHtml(report, charts));
    written.push(file);
  }
  if (formats.includes('slack')) {
    for (const team of report.teams) {
      const file = path.join(outDir, `${stem}-slack-${slug(team.team)}.json`);
      const message = renderSlackMessage!(report, team);
      await fs.writeFile(file, `${JSON.stringify({ channel: team.channel, ...message, charts: [chartFile(team.team, 'burn-down'), chartFile(team.team, 'attainment')] }, null, 2)}\n`);
      written.push(file);
    }
  }
  return written;
}

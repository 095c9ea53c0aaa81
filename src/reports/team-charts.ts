// The two charts of a team's report, rendered once and shared by every format.
import { renderChart, type RenderedChart } from './chart-render.ts';
import { attainmentSpec, burnDownSpec } from './chart-specs.ts';
import type { ReportData, TeamReport } from './report-data.ts';

export interface TeamCharts {
  burnDown: RenderedChart;
  attainment: RenderedChart;
}

export async function renderTeamCharts(team: TeamReport, scale = 2): Promise<TeamCharts> {
  const slos = team.services.flatMap((s) => s.slos);
  return {
    burnDown: await renderChart(burnDownSpec(slos, `${team.team}: error budget remaining`), scale),
    attainment: await renderChart(attainmentSpec(slos, `${team.team}: attainment this period vs objective`), scale),
  };
}

export async function renderAllCharts(report: ReportData, scale = 2): Promise<Map<string, TeamCharts>> {
  const charts = new Map<string, TeamCharts>();
  for (const team of report.teams) charts.set(team.team, await renderTeamCharts(team, scale));
  return charts;
}

/** A file-name-safe form of a team name. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'team';
}

// The port the weekly report is posted through: "queue this team's report for channel X". A chat
// adapter implements it (src/slack/report/slack-report-channel.ts renders Block Kit and posts it)
// and src/app wires it in, so the reports name no channel and import no chat SDK.
import type { Notifier } from '../notify/notifier.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { ReportData, TeamReport } from './report-data.ts';
import type { TeamCharts } from './team-charts.ts';

export interface ReportChannel {
  /** Channel for teams whose SLOs name none. */
  defaultChannel?: string | undefined;
  /**
   * Queues one team's report for `channel` on the durable outbox, in the caller's transaction (the one
   * that claims the week); false when this week's report of the team was queued already.
   */
  queue(q: Queryable, report: ReportData, team: TeamReport, charts: TeamCharts, channel: string, at: Date): Promise<boolean>;
  /** The outbox notifier that delivers what `queue` wrote. */
  notifier: Notifier;
}

/** Queues every team that has a channel; returns the teams queued now (already queued ones are skipped). */
export async function queueTeamReports(
  q: Queryable,
  to: ReportChannel,
  report: ReportData,
  charts: ReadonlyMap<string, TeamCharts>,
  at: Date,
): Promise<string[]> {
  const queued: string[] = [];
  for (const team of report.teams) {
    const channel = team.channel ?? to.defaultChannel;
    const teamCharts = charts.get(team.team);
    if (!channel || !teamCharts) continue;
    if (await to.queue(q, report, team, teamCharts, channel, at)) queued.push(team.team);
  }
  return queued;
}

// A team's report as one Slack Block Kit message: headline figures, one section per
// service, the SLOs closest to exhaustion, and the charts as image blocks pointing
// at files uploaded beforehand (files.uploadV2 → slack_file.id).
import { formatBudget, formatSpan } from '../../lifecycle/incident-figures.ts';
import type { KnownBlock } from '@slack/types';
import * as f from '../../reports/format.ts';
import type { Recorded, ReportData, ServiceReport, TeamReport } from '../../reports/report-data.ts';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface UploadedCharts {
  burnDownFileId?: string;
  attainmentFileId?: string;
}

// Slack rejects section text over 3000 characters and messages over 50 blocks.
const MAX_TEXT = 2900;
const MAX_BLOCKS = 50;

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text });

function sloLine(s: ServiceReport['slos'][number]): string {
  const icon = s.rolling.met === null ? ':grey_question:' : s.rolling.met ? ':white_check_mark:' : ':red_circle:';
  return (
    `${icon} \`${s.id}\` ${f.attainment(s.week.attainment)} this period (${f.points(s.change.attainment, 3)}) vs ${f.percent(s.objective, 3)}; ` +
    `budget left ${f.percent(s.rolling.budgetRemaining, 1)} (${f.points(s.change.budgetRemaining, 1)}), used ${f.percent(s.week.budgetConsumed, 1)}`
  );
}

function serviceText(s: ServiceReport, rec: Recorded): string {
  const a = s.alerts;
  const i = s.incidents;
  const r = s.remediations;
  return [
    `*${s.service}*`,
    ...s.slos.map(sloLine),
    rec.alerts
      ? `Alerts: ${f.plural(a.pages, 'page')}, ${f.plural(a.tickets, 'ticket')}, ${a.followedByIncident} followed by an incident` +
        (a.noiseRatio === null ? '' : ` (noise ${f.percent(a.noiseRatio, 0)})`)
      : `Alerts: ${f.NOT_RECORDED}`,
    rec.incidents
      ? `Incidents: ${i.count}; median from the first page: ack ${f.duration(i.medianTimeToAckSeconds)}, mitigate ${f.duration(i.medianTimeToMitigateSeconds)}, resolve ${f.duration(i.medianTimeToResolveSeconds)}`
      : `Incidents: ${f.NOT_RECORDED}`,
    // Each incident with the figures the post-mortem shows (src/lifecycle/incident-figures.ts).
    ...(rec.incidents
      ? i.incidents.map(
          (x) =>
            `• ${x.id} ${x.title}: ack ${formatSpan(x.timeToAckSeconds) ?? f.NA}, mitigate ${formatSpan(x.timeToMitigateSeconds) ?? f.NA}, ` +
            `resolve ${formatSpan(x.timeToResolveSeconds) ?? f.NA}, budget used ${formatBudget(x.budgetConsumed) ?? f.NA}${x.sloId ? ` of \`${x.sloId}\`` : ''}`,
        )
      : []),
    rec.remediations
      ? `Remediations: ${f.plural(r.rollbacks, 'rollback')}, ${f.plural(r.reruns, 're-run')} (${r.succeeded} ok, ${r.failed} failed); page → done ${f.duration(r.medianPageToRemediationSeconds)}`
      : `Remediations: ${f.NOT_RECORDED}`,
  ].join('\n');
}

export function renderSlackMessage(report: ReportData, team: TeamReport, charts: UploadedCharts = {}): SlackMessage {
  const t = team.totals;
  const p = t.previous;
  const rec = report.recorded;
  const headline = [
    `${t.meetingObjective}/${t.slos} SLOs meet their objective`,
    rec.alerts ? `${f.plural(t.pages, 'page')} (${f.signedCount(t.pages, p.pages)}) · ${f.plural(t.tickets, 'ticket')} (${f.signedCount(t.tickets, p.tickets)})` : `alerts ${f.NOT_RECORDED}`,
    rec.incidents ? `${f.plural(t.incidents, 'incident')} (${f.signedCount(t.incidents, p.incidents)})` : `incidents ${f.NOT_RECORDED}`,
  ].join(' · ');
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${team.team}: reliability ${report.period.label}`.slice(0, 150) } },
    { type: 'context', elements: [mrkdwn(`${f.periodRange(report.period.start, report.period.end)} · compared with ${report.previous.label}`)] },
    { type: 'section', text: mrkdwn(headline) },
  ];
  if (team.closestToExhaustion.length > 0) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        [
          '*Closest to exhausting the budget*',
          ...team.closestToExhaustion.map(
            (r) => `• \`${r.id}\` ${f.percent(r.budgetRemaining, 1)} left, ${f.percent(r.budgetConsumed, 1)} used this period, ${f.weeks(r.weeksToExhaustion)} at this pace`,
          ),
        ].join('\n'),
      ),
    });
  }
  if (charts.burnDownFileId) {
    blocks.push({ type: 'image', slack_file: { id: charts.burnDownFileId }, alt_text: `${team.team}: error budget remaining over ${report.period.label}` });
  }
  for (const service of team.services) {
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn(serviceText(service, rec)) });
  }
  if (charts.attainmentFileId) {
    blocks.push({ type: 'image', slack_file: { id: charts.attainmentFileId }, alt_text: `${team.team}: attainment vs objective` });
  }
  if (report.notes.length > 0) blocks.push({ type: 'context', elements: [mrkdwn(report.notes.join('\n'))] });
  if (blocks.length > MAX_BLOCKS) {
    blocks.splice(MAX_BLOCKS - 1, blocks.length, { type: 'context', elements: [mrkdwn('More services than one message holds: see the HTML report.')] });
  }
  return { text: `${team.team}: reliability ${report.period.label}: ${headline}`, blocks };
}

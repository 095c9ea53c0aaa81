// Posting a team's report to Slack: the charts go up first with files.uploadV2
// (private to the bot), then one Block Kit message whose image blocks point at the
// uploaded files (slack_file.id). Queued through the service's durable outbox under
// the channel "slack-report:<channel>", so a refused post is retried and a week is
// queued once per team (idempotency key report:<week>:<team>).
import type { KnownBlock } from '@slack/types';
import type { WebAPIPlatformError, WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import { ErrorCode } from '../slack/slack-error-codes.ts';
import { NotifyError } from '../notify/notify-error.ts';
import type { Notification, Notifier } from '../notify/notifier.ts';
import { enqueue } from '../store/repositories/outbox.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import type { ReportData, TeamReport } from './report-data.ts';
import { renderSlackMessage, type SlackMessage } from './render-slack.ts';
import { slug, type TeamCharts } from './team-charts.ts';

export const REPORT_NOTIFIER = 'slack-report';
export const REPORT_KIND = 'report.weekly';
const PLACEHOLDER = { burnDown: 'burnwatch-chart:burn-down', attainment: 'burnwatch-chart:attainment' } as const;

export interface ChartUpload {
  placeholder: string;
  filename: string;
  title: string;
  pngBase64: string;
}

export interface SlackReportPayload {
  [key: string]: unknown;
  period: string;
  team: string;
  channel: string;
  message: SlackMessage;
  charts: ChartUpload[];
}

export function reportIdempotencyKey(periodLabel: string, team: string): string {
  return `report:${periodLabel}:${team}`;
}

/** The outbox payload of one team's message: the message with placeholder image ids, and the PNGs. */
export function slackReportPayload(report: ReportData, team: TeamReport, charts: TeamCharts, channel: string): SlackReportPayload {
  const name = `${slug(team.team)}-${report.period.label}`;
  return {
    period: report.period.label,
    team: team.team,
    channel,
    message: renderSlackMessage(report, team, { burnDownFileId: PLACEHOLDER.burnDown, attainmentFileId: PLACEHOLDER.attainment }),
    charts: [
      { placeholder: PLACEHOLDER.burnDown, filename: `${name}-burn-down.png`, title: `${team.team}: error budget remaining`, pngBase64: Buffer.from(charts.burnDown.png).toString('base64') },
      { placeholder: PLACEHOLDER.attainment, filename: `${name}-attainment.png`, title: `${team.team}: attainment vs objective`, pngBase64: Buffer.from(charts.attainment.png).toString('base64') },
    ],
  };
}

/** Queues every team that has a channel; returns the teams queued now (already queued ones are skipped). */
export async function enqueueSlackReports(
  q: Queryable,
  report: ReportData,
  charts: ReadonlyMap<string, TeamCharts>,
  at: Date,
  defaultChannel?: string,
): Promise<string[]> {
  const queued: string[] = [];
  for (const team of report.teams) {
    const channel = team.channel ?? defaultChannel;
    const teamCharts = charts.get(team.team);
    if (!channel || !teamCharts) continue;
    const added = await enqueue(q, {
      idempotencyKey: reportIdempotencyKey(report.period.label, team.team),
      channel: `${REPORT_NOTIFIER}:${channel}`,
      kind: REPORT_KIND,
      payload: slackReportPayload(report, team, teamCharts, channel),
      at,
    });
    if (added) queued.push(team.team);
  }
  return queued;
}

function withFileIds(blocks: readonly KnownBlock[], ids: ReadonlyMap<string, string>): KnownBlock[] {
  return blocks.flatMap((block) => {
    if (block.type !== 'image' || !('slack_file' in block) || !block.slack_file || !('id' in block.slack_file)) return [block];
    const id = ids.get(block.slack_file.id);
    // A chart that did not upload is left out rather than sent as a broken image.
    return id ? [{ ...block, slack_file: { id } }] : [];
  });
}

/** Uploads the charts and posts the message; returns the message's ts and the file ids. */
export async function postSlackReport(client: WebClient, payload: SlackReportPayload): Promise<{ ts: string; channel: string; fileIds: string[] }> {
  const ids = new Map<string, string>();
  if (payload.charts.length > 0) {
    const uploaded = await client.filesUploadV2({
      file_uploads: payload.charts.map((c) => ({ file: Buffer.from(c.pngBase64, 'base64'), filename: c.filename, title: c.title })),
    });
    const files = (uploaded.files as Array<{ files?: Array<{ id?: string; name?: string; title?: string }> }>).flatMap((r) => r.files ?? []);
    for (const chart of payload.charts) {
      const file = files.find((f) => f.name === chart.filename || f.title === chart.title);
      if (file?.id) ids.set(chart.placeholder, file.id);
    }
  }
  const posted = await client.chat.postMessage({
    channel: payload.channel,
    text: payload.message.text,
    blocks: withFileIds(payload.message.blocks, ids),
    unfurl_links: false,
  });
  return { ts: String(posted.ts), channel: String(posted.channel), fileIds: [...ids.values()] };
}

// Slack errors a retry cannot fix: the channel or the token is wrong.
const PERMANENT = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'token_revoked', 'missing_scope', 'invalid_blocks', 'msg_too_long']);

export function toNotifyError(error: unknown): NotifyError {
  const code = (error as { code?: string }).code;
  if (code === ErrorCode.RateLimitedError) {
    return new NotifyError(REPORT_NOTIFIER, 'Slack rate limited the report', { retryable: true, retryAfterSeconds: (error as WebAPIRateLimitedError).retryAfter, cause: error });
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = String((error as WebAPIPlatformError).data?.error ?? 'unknown');
    return new NotifyError(REPORT_NOTIFIER, `Slack refused the report: ${slackError}`, { retryable: !PERMANENT.has(slackError), cause: error });
  }
  return new NotifyError(REPORT_NOTIFIER, `could not reach Slack: ${(error as Error).message}`, { retryable: true, cause: error });
}

/** The outbox notifier for queued reports (channel prefix "slack-report"). */
export function slackReportNotifier(client: WebClient): Notifier {
  return {
    name: REPORT_NOTIFIER,
    async send(notification: Notification) {
      if (notification.kind !== REPORT_KIND) {
        throw new NotifyError(REPORT_NOTIFIER, `cannot deliver "${notification.kind}"`, { retryable: false });
      }
      try {
        return await postSlackReport(client, notification.payload as SlackReportPayload);
      } catch (error) {
        throw toNotifyError(error);
      }
    },
  };
}

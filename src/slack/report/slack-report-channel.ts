// The weekly report's channel port (src/reports/report-channel.ts) for Slack: a team's report is
// queued as one Block Kit message with its charts and posted by the outbox. The Web API client
// (and with it the SDK) is loaded at the first post, not when the service starts.
import type { WebClient } from '@slack/web-api';
import type { ReportChannel } from '../../reports/report-channel.ts';
import { enqueueSlackReport, slackReportNotifier } from './slack-report.ts';

export interface SlackReportTarget {
  botToken: string;
  /** The Web API's base URL (tests: the fake's). */
  apiUrl?: string | undefined;
  /** Channel for teams whose SLOs name none. */
  defaultChannel?: string | undefined;
}

/**
 * A Web API client for posting reports, loaded on demand. `outbox`: no retries of its own (the
 * outbox retries, honouring Retry-After); `now`: the client retries, for `burnwatch report --post`.
 */
export async function reportWebClient(slack: SlackReportTarget, retries: 'outbox' | 'now'): Promise<WebClient> {
  const { WebClient, retryPolicies } = await import('@slack/web-api');
  return new WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    ...(retries === 'outbox' ? { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true } : { retryConfig: retryPolicies.fiveRetriesInFiveMinutes }),
  });
}

export function slackReportChannel(slack: SlackReportTarget): ReportChannel {
  let client: Promise<WebClient> | undefined;
  const lazyClient = () => {
    client ??= reportWebClient(slack, 'outbox').catch((error: unknown) => {
      client = undefined; // the next post tries again
      throw error;
    });
    return client;
  };
  return {
    defaultChannel: slack.defaultChannel,
    queue: enqueueSlackReport,
    notifier: slackReportNotifier(lazyClient),
  };
}

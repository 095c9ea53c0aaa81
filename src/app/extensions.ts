// Parts that plug into the running service (the Slack bot mounts its receiver and
// adds its notifier here). One line each.
import { remediation } from './remediation-wiring.ts';
import { consoleExtension } from '../console/console-extension.ts';
import { setupWeeklyReports } from '../reports/reports-extension.ts';
import { slackReportChannel } from '../slack/report/slack-report-channel.ts';
import { slackServiceExtension } from '../slack/slack-extension.ts';
import { gateExtension } from './gate-extension.ts';
import type { ServiceExtension } from '../service/service-context.ts';

const actions = remediation();

export const EXTENSIONS: ServiceExtension[] = [
  actions.service,
  slackServiceExtension({ extensions: [actions.slack], suspects: actions.suspects }),
  // the weekly report, posted to Slack when the bot is configured
  (ctx) => setupWeeklyReports(ctx, ctx.config.report, ctx.config.slack && slackReportChannel(ctx.config.slack)),
  gateExtension,
  // last: its pages answer what no other part claimed
  consoleExtension,
];

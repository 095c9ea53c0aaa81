// Parts that plug into the running service (the Slack bot mounts its receiver and
// adds its notifier here). One line each.

import { consoleExtension } from '../console/console-extension.ts';
import type { FreezeOverrideDeps } from '../gate/freeze-override.ts';
import { setupWeeklyReports } from '../reports/reports-extension.ts';
import type { ServiceExtension } from '../service/service-context.ts';
import { freezeOverrideSlack } from '../slack/freeze-override.ts';
import { slackReportChannel } from '../slack/report/slack-report-channel.ts';
import { slackServiceExtension } from '../slack/slack-extension.ts';
import { gateExtensionWith } from './gate-extension.ts';
import { remediation } from './remediation-wiring.ts';

const actions = remediation();
// The Slack "Override freeze…" button records overrides as the gate's API does (wired by the gate).
let freezeOverrides: FreezeOverrideDeps | undefined;
const freezeOverride = freezeOverrideSlack(() => freezeOverrides);

export const EXTENSIONS: ServiceExtension[] = [
  actions.service,
  slackServiceExtension({ extensions: [actions.slack, freezeOverride], suspects: actions.suspects }),
  // the weekly report, posted to Slack when the bot is configured
  (ctx) => setupWeeklyReports(ctx, ctx.config.report, ctx.config.slack && slackReportChannel(ctx.config.slack)),
  gateExtensionWith((deps) => {
    freezeOverrides = deps;
  }),
  // last: its pages answer what no other part claimed
  consoleExtension,
];

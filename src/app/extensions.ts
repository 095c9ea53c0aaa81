// Parts that plug into the running service (the Slack bot mounts its receiver and
// adds its notifier here). One line each.
import { remediation } from './remediation-wiring.ts';
import { consoleExtension } from '../console/console-extension.ts';
import { reportsExtension } from '../reports/reports-extension.ts';
import { slackServiceExtension } from '../slack/slack-extension.ts';
import { gateExtension } from './gate-extension.ts';
import type { ServiceExtension } from '../service/service-context.ts';

const actions = remediation();

export const EXTENSIONS: ServiceExtension[] = [
  actions.service,
  slackServiceExtension({ extensions: [actions.slack], suspects: actions.suspects }),
  reportsExtension,
  gateExtension,
  // last: its pages answer what no other part claimed
  consoleExtension,
];

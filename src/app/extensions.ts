// Parts that plug into the running service (the Slack bot mounts its receiver and
// adds its notifier here). One line each.
import { remediation } from '../actions/remediation-service.ts';
import { consoleExtension } from '../console/console-extension.ts';
import { reportsExtension } from '../reports/reports-extension.ts';
import { slackServiceExtension } from '../slack/slack-extension.ts';
import { freezeOverrideSlack } from '../slack/freeze-override.ts';
import type { FreezeOverrideDeps } from '../gate/freeze-override.ts';
import { gateExtensionWith } from './gate-extension.ts';
import type { ServiceExtension } from './start-service.ts';

const actions = remediation();
// The Slack "Override freeze…" button records overrides as the gate's API does (wired by the gate).
let freezeOverrides: FreezeOverrideDeps | undefined;
const freezeOverride = freezeOverrideSlack(() => freezeOverrides);

export const EXTENSIONS: ServiceExtension[] = [
  actions.service,
  slackServiceExtension({ extensions: [actions.slack, freezeOverride], suspects: actions.suspects }),
  reportsExtension,
  gateExtensionWith((deps) => {
    freezeOverrides = deps;
  }),
  // last: its pages answer what no other part claimed
  consoleExtension,
];

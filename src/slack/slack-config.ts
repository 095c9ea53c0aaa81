// What the Slack bot needs beyond the service's config: where each owner's alerts go,
// which user group is on call, the incident channel name template and whether a page
// opens an incident by itself. Read from the environment like the rest of the config.
import { z } from 'zod';
import { DEFAULT_CHANNEL_TEMPLATE } from '../incidents/channel-name.ts';

export interface OwnerRouting {
  /** Channel id or #name for the owner's alerts when an SLO names none. */
  channel?: string;
  /** The owner's on-call user group (S…), invited into incident channels. */
  oncallUsergroup?: string;
}

export interface SlackBotConfig {
  defaultChannel: string | undefined;
  owners: Record<string, OwnerRouting>;
  channelTemplate: string;
  /**
   * Open an incident by itself when a page tier fires. The service's desks read it (with
   * BURNWATCH_INCIDENT_AUTO_OPEN) through src/incidents/incident-settings.ts, Slack or not.
   */
  autoOpenIncidentOnPage: boolean;
  /** Incident channels private (conversations.create is_private). */
  privateIncidentChannels: boolean;
  /** Prefix for runbook paths that are not URLs (e.g. a git web URL of playbooks/). */
  runbookBaseUrl: string | undefined;
  /** Socket Mode instead of HTTP when set (xapp-…). */
  appToken: string | undefined;
}

const pairs = (text: string | undefined): Array<[string, string]> =>
  (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new Error(`expected owner=value, got "${p}"`);
      return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
    });

const env = z.object({
  SLACK_DEFAULT_CHANNEL: z.string().optional(),
  SLACK_OWNER_CHANNELS: z.string().optional(),
  SLACK_ONCALL_GROUPS: z.string().optional(),
  SLACK_INCIDENT_CHANNEL_TEMPLATE: z
    .string()
    .regex(/\{slug\}|\{id\}/, 'must contain {slug} or {id} so that names differ')
    .default(DEFAULT_CHANNEL_TEMPLATE),
  SLACK_INCIDENT_AUTO_OPEN: z.enum(['true', 'false']).default('false'),
  SLACK_INCIDENT_PRIVATE: z.enum(['true', 'false']).default('false'),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'expected an app-level token (xapp-…)').optional(),
  BURNWATCH_RUNBOOK_BASE_URL: z.url().optional(),
});

/** Throws a message naming the variable when one is malformed. */
export function loadSlackBotConfig(source: NodeJS.ProcessEnv): SlackBotConfig {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = env.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`invalid Slack configuration: ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const owners: Record<string, OwnerRouting> = {};
  for (const [owner, channel] of pairs(e.SLACK_OWNER_CHANNELS)) owners[owner] = { ...owners[owner], channel };
  for (const [owner, group] of pairs(e.SLACK_ONCALL_GROUPS)) owners[owner] = { ...owners[owner], oncallUsergroup: group };
  return {
    defaultChannel: e.SLACK_DEFAULT_CHANNEL,
    owners,
    channelTemplate: e.SLACK_INCIDENT_CHANNEL_TEMPLATE,
    autoOpenIncidentOnPage: e.SLACK_INCIDENT_AUTO_OPEN === 'true',
    privateIncidentChannels: e.SLACK_INCIDENT_PRIVATE === 'true',
    runbookBaseUrl: e.BURNWATCH_RUNBOOK_BASE_URL,
    appToken: e.SLACK_APP_TOKEN,
  };
}

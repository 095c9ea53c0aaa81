// The authorization policy for incident and alert commands: the `authorization:` section of
// the file BURNWATCH_ACTIONS_CONFIG names (beside `actions:`, which says who may roll back
// and re-run). zod is the single source of the format; README's reference mirrors it.
import { z } from 'zod';
import { isDuration, parseDuration } from '../domain/duration.ts';

/** Every command and button of the bot, by what it does (Slack or any other channel). */
export const COMMAND_ACTIONS = [
  'incident.open',
  'incident.update',
  'incident.resolve',
  'incident.take-command',
  'incident.mitigate',
  'incident.postmortem',
  'incident.list',
  'alert.ack',
  'alert.silence',
  'alert.open-incident',
  'slo.status',
  /** Lift an error-budget deploy freeze from Slack (the BudgetPolicy's approvers apply too). */
  'budget.override',
] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

const actionPattern = z.union([z.enum(COMMAND_ACTIONS), z.enum(['*', 'incident.*', 'alert.*', 'slo.*', 'budget.*'])]);

const duration = z
  .string()
  .refine((v) => isDuration(v) && parseDuration(v) > 0, { message: 'must be a duration such as 1h or 4h' });

export const ruleSchema = z.strictObject({
  /** What the rule allows: actions, or incident.* / alert.* / *. */
  actions: z.array(actionPattern).min(1),
  /** Slack user ids (U…). */
  users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, { message: 'must be a Slack user id (U…)' })).default([]),
  /** Slack user group ids (S…). */
  groups: z.array(z.string().regex(/^S[A-Z0-9]+$/, { message: 'must be a Slack user group id (S…)' })).default([]),
  /** Members of the on-call group of the SLO's owner (SLACK_ONCALL_GROUPS) of the alert or incident. */
  sloOwners: z.boolean().default(false),
  /** Everyone in the workspace (for read-only commands such as slo.status, incident.list). */
  everyone: z.boolean().default(false),
});

export const policySchema = z.strictObject({
  rules: z.array(ruleSchema).default([]),
  silence: z
    .strictObject({
      /** The longest silence anyone may set. */
      maxDuration: duration.optional(),
      /** Whether "until the alert resolves" (no end) may be chosen. */
      untilResolved: z.boolean().default(true),
    })
    .default({ untilResolved: true }),
});

export type AuthorizationPolicy = z.infer<typeof policySchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;

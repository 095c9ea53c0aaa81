// Who may run which incident or alert command: one pure decision over the policy, the
// person (with the user groups they are in) and what the command touches. No Slack here:
// the channel adapters ask, tell the person the reason and audit the refusal.
import { parseDuration } from '../domain/duration.ts';
import type { AuthorizationPolicy, CommandAction, PolicyRule } from './policy-schema.ts';

export interface CommandActor {
  /** Slack user id. */
  id: string;
  /** User groups (S…) the person is in, of those the policy or the owners name. */
  groups: readonly string[];
}

export interface CommandContext {
  /** On-call groups of the owners of the SLOs the alert or incident is about. */
  ownerGroups?: readonly string[];
  /** alert.silence: its length in seconds, null for "until the alert resolves". */
  silenceSeconds?: number | null;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

function matches(rule: PolicyRule, action: CommandAction): boolean {
  return rule.actions.some((a) => a === '*' || a === action || (a.endsWith('.*') && action.startsWith(a.slice(0, -1))));
}

function covers(rule: PolicyRule, actor: CommandActor, context: CommandContext): boolean {
  if (rule.everyone) return true;
  if (rule.users.includes(actor.id)) return true;
  if (rule.groups.some((g) => actor.groups.includes(g))) return true;
  return rule.sloOwners && (context.ownerGroups ?? []).some((g) => actor.groups.includes(g));
}

const VERB: Record<CommandAction, string> = {
  'incident.open': 'open incidents',
  'incident.update': 'post incident updates',
  'incident.resolve': 'resolve incidents',
  'incident.take-command': 'take command of incidents',
  'incident.mitigate': 'mark incidents mitigated',
  'incident.postmortem': 'render post-mortems',
  'incident.list': 'list incidents',
  'alert.ack': 'acknowledge alerts',
  'alert.silence': 'silence alerts',
  'alert.open-incident': 'open incidents from alerts',
  'slo.status': 'read SLO status',
  'budget.override': 'override deploy freezes',
};

/** No policy configured: every command is allowed (as before there was one). */
export function authorize(policy: AuthorizationPolicy | undefined, actor: CommandActor, action: CommandAction, context: CommandContext = {}): Decision {
  if (!policy) return { allowed: true };
  if (!policy.rules.some((r) => matches(r, action) && covers(r, actor, context)))
    return { allowed: false, reason: `you are not allowed to ${VERB[action]} here; ask an owner to add you to the authorization rules of burnwatch` };
  if (action === 'alert.silence' && context.silenceSeconds !== undefined) {
    const { maxDuration, untilResolved } = policy.silence;
    if (context.silenceSeconds === null && (!untilResolved || maxDuration))
      return { allowed: false, reason: `silences need an end here${maxDuration ? ` (at most ${maxDuration})` : ''}; choose a shorter one` };
    if (context.silenceSeconds !== null && maxDuration && context.silenceSeconds > parseDuration(maxDuration))
      return { allowed: false, reason: `silences may last at most ${maxDuration} here` };
  }
  return { allowed: true };
}

/** The user groups whose membership matters for a decision (to ask Slack only about those). */
export function groupsToCheck(policy: AuthorizationPolicy | undefined, ownerGroups: readonly string[] = []): string[] {
  if (!policy) return [];
  const named = policy.rules.flatMap((r) => r.groups);
  const owners = policy.rules.some((r) => r.sloOwners) ? ownerGroups : [];
  return [...new Set([...named, ...owners])];
}

// Asks the authorization policy (src/authz) before a command or button acts: who the person
// is, which user groups they are in (asked from Slack, for the groups the decision needs),
// and the owners of the SLOs the alert or incident is about. A refusal is a private message
// to the person and an audit row; nothing else happens.
import type { Logger } from 'pino';
import { authorize, groupsToCheck } from '../authz/policy.ts';
import type { AuthorizationPolicy, CommandAction } from '../authz/policy-schema.ts';
import type { Clock } from '../domain/clock.ts';
import { getIncident } from '../incidents/incident-store.ts';
import type { Db } from '../store/db.ts';
import { recordAudit } from '../store/repositories/audit-log.ts';
import { getAlert } from '../incidents/alert-store.ts';

export interface CommandAsk {
  user: string;
  action: CommandAction;
  alertId?: number;
  incidentId?: number;
  /** SLOs the command is about directly (a freeze), for `sloOwners` rules. */
  sloIds?: readonly string[];
  /** alert.silence: seconds, null for "until resolved". */
  silenceSeconds?: number | null;
}

export type CommandGate = (ask: CommandAsk, reply: (text: string) => Promise<unknown>) => Promise<boolean>;

export interface CommandGateDeps {
  policy: AuthorizationPolicy | undefined;
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The on-call user group of an SLO's owner (SLACK_ONCALL_GROUPS). */
  ownerGroupOf: (sloId: string) => string | undefined;
  /** Members of a Slack user group (usergroups.users.list). */
  membersOf: (usergroup: string) => Promise<string[]>;
}

const MEMBERS_TTL_MS = 60_000;

export function commandGate(deps: CommandGateDeps): CommandGate {
  const cache = new Map<string, { at: number; members: string[] }>();
  const members = async (group: string): Promise<string[]> => {
    const now = deps.clock.now().getTime();
    const hit = cache.get(group);
    if (hit && now - hit.at < MEMBERS_TTL_MS) return hit.members;
    try {
      const list = await deps.membersOf(group);
      cache.set(group, { at: now, members: list });
      return list;
    } catch (error) {
      deps.logger.warn({ usergroup: group, err: (error as Error).message }, 'cannot read a user group (usergroups:read scope?); treating the person as not in it');
      return [];
    }
  };
  return async (ask, reply) => {
    const { policy } = deps;
    if (!policy) return true;
    const sloIds: string[] = [...(ask.sloIds ?? [])];
    if (ask.alertId !== undefined && Number.isFinite(ask.alertId)) {
      const alert = await getAlert(deps.db, ask.alertId);
      if (alert) sloIds.push(alert.sloId);
    }
    if (ask.incidentId !== undefined && Number.isFinite(ask.incidentId)) {
      const incident = await getIncident(deps.db, ask.incidentId);
      if (incident) sloIds.push(...incident.sloIds);
    }
    const ownerGroups = [...new Set(sloIds.map(deps.ownerGroupOf).filter((g): g is string => Boolean(g)))];
    const groups: string[] = [];
    for (const group of groupsToCheck(policy, ownerGroups)) if ((await members(group)).includes(ask.user)) groups.push(group);
    const decision = authorize(policy, { id: ask.user, groups }, ask.action, {
      ownerGroups,
      ...(ask.silenceSeconds !== undefined && { silenceSeconds: ask.silenceSeconds }),
    });
    if (decision.allowed) return true;
    const target = ask.incidentId !== undefined ? `incident:${ask.incidentId}` : ask.alertId !== undefined ? `alert:${ask.alertId}` : (ask.sloIds?.[0] ?? null);
    await recordAudit(deps.db, {
      at: deps.clock.now(),
      actor: `slack:${ask.user}`,
      action: ask.action,
      target,
      result: 'refused',
      details: { reason: decision.reason, sloIds },
    });
    deps.logger.info({ user: ask.user, action: ask.action, target }, 'refused a command (authorization policy)');
    await reply(`:no_entry: ${decision.reason}`);
    return false;
  };
}

// Who is on call for a team right now: PagerDuty's on-calls for the team's escalation policy
// (REST API v2, `GET /oncalls`, paged with offset/more), or a static rota for teams without a
// pager (people take turns of `every`, counted from `start`). The Slack bot maps the e-mails to
// Slack users (`/oncall`, and the invite when an incident channel opens).
import { parseDuration } from '../../domain/duration.ts';
import type { PagingConfig } from './paging-config.ts';

export interface OnCallPerson {
  name: string;
  email: string;
  /** 1 for the first responder of an escalation policy; rota people are level 1. */
  level: number;
  until?: string;
}

export class OnCallError extends Error {
  readonly code = 'oncall_unavailable';
}

/** The rota's person at `now`: turn = floor((now − start) / every) mod people. */
export function rotaOnCall(rota: { start: string; every: string; people: readonly string[] }, now: Date): OnCallPerson {
  const every = parseDuration(rota.every) * 1000;
  const start = Date.parse(rota.start);
  const turn = Math.floor((now.getTime() - start) / every);
  const index = ((turn % rota.people.length) + rota.people.length) % rota.people.length;
  const email = rota.people[index] as string;
  return { name: email.split('@')[0] as string, email, level: 1, until: new Date(start + (turn + 1) * every).toISOString() };
}

interface PdOnCall {
  escalation_level?: number;
  end?: string | null;
  user?: { summary?: string; name?: string; email?: string };
}

async function pagerDutyOnCalls(apiUrl: string, token: string, policy: string, signal: AbortSignal): Promise<OnCallPerson[]> {
  const people: OnCallPerson[] = [];
  for (let offset = 0, page = 0; page < 20; page++) {
    const url = new URL(`${apiUrl}/oncalls`);
    url.searchParams.append('escalation_policy_ids[]', policy);
    url.searchParams.append('include[]', 'users');
    url.searchParams.set('limit', '100');
    url.searchParams.set('offset', String(offset));
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Token token=${token}`, accept: 'application/vnd.pagerduty+json;version=2' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
      });
    } catch (error) {
      throw new OnCallError(`PagerDuty on-calls: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new OnCallError(`PagerDuty on-calls answered HTTP ${response.status}${response.status === 429 ? ' (rate limited; try again shortly)' : ''}`);
    }
    const body = (await response.json()) as { oncalls?: PdOnCall[]; more?: boolean; limit?: number };
    for (const o of body.oncalls ?? []) {
      const email = o.user?.email;
      if (!email) continue;
      people.push({ name: o.user?.summary ?? o.user?.name ?? email, email, level: o.escalation_level ?? 1, ...(o.end ? { until: o.end } : {}) });
    }
    if (!body.more) break;
    offset += body.limit ?? 100;
  }
  // One line per person, lowest level first (a person is on several schedules of one policy).
  const best = new Map<string, OnCallPerson>();
  for (const p of people) if (!best.has(p.email) || (best.get(p.email) as OnCallPerson).level > p.level) best.set(p.email, p);
  return [...best.values()].sort((a, b) => a.level - b.level || a.name.localeCompare(b.name));
}

export async function whoIsOnCall(config: PagingConfig, team: string, now: Date, signal: AbortSignal = new AbortController().signal): Promise<OnCallPerson[] | undefined> {
  const entry = config.oncall[team];
  if (!entry) return undefined;
  if ('rota' in entry) return [rotaOnCall(entry.rota, now)];
  const token = config.pagerduty?.apiToken?.read();
  if (!config.pagerduty || !token) throw new OnCallError(`no PagerDuty API token for team ${team}'s on-calls`);
  return pagerDutyOnCalls(config.pagerduty.apiUrl, token, entry.pagerduty.escalationPolicy, signal);
}

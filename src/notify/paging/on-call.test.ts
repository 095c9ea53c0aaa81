import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../../../test/fakes/pagerduty-api.ts';
import { OnCallError, rotaOnCall, whoIsOnCall } from './on-call.ts';
import type { PagingConfig } from './paging-config.ts';

let pd: FakePagerDuty;
beforeAll(async () => {
  pd = await startFakePagerDuty();
  // 130 on-call entries of one policy (more than a page of 100), one person on two schedules.
  for (let i = 0; i < 130; i++) pd.oncalls.push({ policy: 'PRECS', level: 2 + (i % 3), user: { id: `U${i}`, summary: `Person ${i}`, email: `p${i}@recs.example` }, end: null });
  pd.oncalls.push({ policy: 'PRECS', level: 1, user: { id: 'U7', summary: 'Person 7', email: 'p7@recs.example' }, end: '2026-11-30T09:00:00Z' });
  pd.oncalls.push({ policy: 'POTHER', level: 1, user: { id: 'X', summary: 'Elsewhere', email: 'x@other.example' }, end: null });
});
afterAll(async () => {
  await pd?.close();
});

const config = (token: string | undefined): PagingConfig => ({
  file: 'paging.yaml',
  pagerduty: { eventsUrl: pd.url, apiUrl: pd.url, services: new Map(), webhookSecrets: [], apiToken: { describe: 'env PD_TOKEN', read: () => token } },
  opsgenie: undefined,
  routes: { owners: {}, severities: {} },
  oncall: {
    'recs-serving': { pagerduty: { escalationPolicy: 'PRECS' } },
    'ml-training': { rota: { start: '2026-11-02T09:00:00+01:00', every: '1w', people: ['ana@ml.example', 'bo@ml.example', 'cy@ml.example'] } },
  },
});

describe('who is on call', () => {
  it("reads every page of PagerDuty's on-calls for the team's policy, first responders first, each person once", async () => {
    const people = await whoIsOnCall(config(pd.restToken), 'recs-serving', new Date());
    expect(people).toHaveLength(130);
    expect(people?.[0]).toEqual({ name: 'Person 7', email: 'p7@recs.example', level: 1, until: '2026-11-30T09:00:00Z' });
    expect(people?.some((p) => p.email === 'x@other.example')).toBe(false);
  });

  it('says why when PagerDuty refuses, and when the team has no on-call set up', async () => {
    await expect(whoIsOnCall(config('wrong'), 'recs-serving', new Date())).rejects.toThrow(/HTTP 401/);
    pd.faults.failNext(1, { status: 429, retryAfter: '2' });
    await expect(whoIsOnCall(config(pd.restToken), 'recs-serving', new Date())).rejects.toThrow(OnCallError);
    await expect(whoIsOnCall(config(undefined), 'recs-serving', new Date())).rejects.toThrow(/no PagerDuty API token/);
    expect(await whoIsOnCall(config(pd.restToken), 'nobody', new Date())).toBeUndefined();
  });

  it('turns a static rota every week from its start', async () => {
    const rota = { start: '2026-11-02T09:00:00+01:00', every: '1w', people: ['ana@ml.example', 'bo@ml.example', 'cy@ml.example'] };
    expect(rotaOnCall(rota, new Date('2026-11-02T08:30:00Z')).email).toBe('ana@ml.example');
    expect(rotaOnCall(rota, new Date('2026-11-09T07:59:59Z'))).toMatchObject({ email: 'ana@ml.example', until: '2026-11-09T08:00:00.000Z' });
    expect(rotaOnCall(rota, new Date('2026-11-09T08:00:00Z')).email).toBe('bo@ml.example');
    expect(rotaOnCall(rota, new Date('2026-11-20T03:00:00Z')).email).toBe('cy@ml.example');
    expect(rotaOnCall(rota, new Date('2026-11-27T03:00:00Z')).email).toBe('ana@ml.example'); // round again
    expect(rotaOnCall(rota, new Date('2026-10-30T00:00:00Z')).email).toBe('cy@ml.example'); // before the start, turning back
    expect(await whoIsOnCall(config(undefined), 'ml-training', new Date('2026-11-27T03:00:00Z'))).toEqual([expect.objectContaining({ email: 'ana@ml.example', level: 1 })]);
  });
});

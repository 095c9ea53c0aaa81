import { describe, expect, it } from 'vitest';
import { authorize } from './policy.ts';
import { policySchema } from './policy-schema.ts';

const policy = policySchema.parse({
  rules: [
    { actions: ['slo.status'], everyone: true },
    { actions: ['incident.*'], groups: ['SSRE'] },
    { actions: ['alert.*'], sloOwners: true },
    { actions: ['*'], users: ['UADMIN1'] },
  ],
  silence: { maxDuration: '4h', untilResolved: false },
});
const anyone = { id: 'UANY0001', groups: [] };

describe('authorize', () => {
  it('allows everything without a policy (the behaviour before one existed)', () => {
    expect(authorize(undefined, anyone, 'incident.resolve')).toEqual({ allowed: true });
  });

  it('matches actions, wildcards, users, groups and the SLO owner group', () => {
    expect(authorize(policy, anyone, 'slo.status').allowed).toBe(true);
    expect(authorize(policy, anyone, 'incident.resolve')).toEqual({ allowed: false, reason: expect.stringContaining('not allowed to resolve incidents') });
    expect(authorize(policy, { id: 'U1', groups: ['SSRE'] }, 'incident.resolve').allowed).toBe(true);
    expect(authorize(policy, { id: 'U1', groups: ['SSRE'] }, 'alert.ack').allowed).toBe(false);
    expect(authorize(policy, { id: 'U1', groups: ['SOWNER'] }, 'alert.ack', { ownerGroups: ['SOWNER'] }).allowed).toBe(true);
    expect(authorize(policy, { id: 'U1', groups: ['SOWNER'] }, 'alert.ack', { ownerGroups: ['SOTHER'] }).allowed).toBe(false);
    expect(authorize(policy, { id: 'UADMIN1', groups: [] }, 'incident.take-command').allowed).toBe(true);
  });

  it('bounds silences', () => {
    const admin = { id: 'UADMIN1', groups: [] };
    expect(authorize(policy, admin, 'alert.silence', { silenceSeconds: 3600 }).allowed).toBe(true);
    expect(authorize(policy, admin, 'alert.silence', { silenceSeconds: 4 * 3600 + 1 })).toEqual({ allowed: false, reason: 'silences may last at most 4h here' });
    expect(authorize(policy, admin, 'alert.silence', { silenceSeconds: null }).allowed).toBe(false);
  });

  it('refuses malformed rules with the field', () => {
    expect(policySchema.safeParse({ rules: [{ actions: ['incident.delete'] }] }).success).toBe(false);
    expect(policySchema.safeParse({ rules: [{ actions: ['*'], users: ['alice'] }] }).error?.issues[0]?.path).toEqual(['rules', 0, 'users', 0]);
  });
});

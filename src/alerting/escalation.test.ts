import { describe, expect, it } from 'vitest';
import { dueEscalations, type OpenPage } from './escalation.ts';

const policy = { escalateAfterSeconds: 900, steps: ['slack:@ml-oncall-leads', 'pagerduty:leads'] };
const page = (over: Partial<OpenPage> = {}): OpenPage => ({ key: 'burnwatch/r/a/page', sloId: 'r/a', firedAt: new Date('2026-11-27T03:00:00Z'), acknowledgedAt: null, stepsDone: 0, ...over });
const at = (t: string) => new Date(`2026-11-27T${t}Z`);

describe('escalation of unacknowledged pages', () => {
  it('takes one step per escalateAfter without an acknowledgement, each once', () => {
    expect(dueEscalations([page()], () => policy, at('03:14:59'))).toEqual([]);
    expect(dueEscalations([page()], () => policy, at('03:15:00')).map((s) => [s.step, s.channel])).toEqual([[1, 'slack:@ml-oncall-leads']]);
    expect(dueEscalations([page({ stepsDone: 1 })], () => policy, at('03:20:00'))).toEqual([]);
    expect(dueEscalations([page({ stepsDone: 1 })], () => policy, at('03:30:00')).map((s) => s.channel)).toEqual(['pagerduty:leads']);
    expect(dueEscalations([page({ stepsDone: 2 })], () => policy, at('05:00:00'))).toEqual([]);
  });

  it('catches up after a restart, in order, and stops at an acknowledgement', () => {
    expect(dueEscalations([page()], () => policy, at('04:00:00')).map((s) => s.step)).toEqual([1, 2]);
    expect(dueEscalations([page({ acknowledgedAt: at('03:10:00') })], () => policy, at('04:00:00'))).toEqual([]);
    expect(dueEscalations([page({ acknowledgedAt: at('03:20:00') })], () => policy, at('04:00:00')).map((s) => s.step)).toEqual([1]);
  });

  it('does nothing for SLOs without a policy', () => {
    expect(dueEscalations([page()], () => undefined, at('09:00:00'))).toEqual([]);
    expect(dueEscalations([page()], () => ({ escalateAfterSeconds: 900, steps: [] }), at('09:00:00'))).toEqual([]);
  });
});

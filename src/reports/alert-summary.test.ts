import { describe, expect, it } from 'vitest';
import { followedByIncident } from './alert-summary.ts';
import type { IncidentRecord } from './report-inputs.ts';

const incident = (openedAt: string, resolvedAt: string | null, sloId: string | null = 'ranker/latency', service = 'ranker'): IncidentRecord => ({
  id: 'INC-1',
  title: 't',
  sloId,
  service,
  openedAt,
  acknowledgedAt: null,
  mitigatedAt: null,
  resolvedAt,
});
const serviceOf = () => 'ranker';
const END = '2026-11-23T00:00:00Z';
const alert = (firedAt: string, resolvedAt: string | null) => ({ sloId: 'ranker/latency', severity: 'ticket' as const, firedAt, resolvedAt });

describe('followedByIncident', () => {
  it('counts an incident opened after the alert, and one already open when it fired', () => {
    expect(followedByIncident(alert('2026-11-17T03:00:00Z', '2026-11-17T04:00:00Z'), [incident('2026-11-17T03:20:00Z', '2026-11-17T05:00:00Z')], serviceOf, END)).toBe(true);
    expect(followedByIncident(alert('2026-11-17T03:35:00Z', '2026-11-17T09:00:00Z'), [incident('2026-11-17T03:15:00Z', '2026-11-17T04:20:00Z')], serviceOf, END)).toBe(true);
  });

  it('does not count incidents on another SLO, long before, or more than an hour after', () => {
    const a = alert('2026-11-17T03:00:00Z', '2026-11-17T04:00:00Z');
    expect(followedByIncident(a, [incident('2026-11-17T03:10:00Z', null, 'ranker/availability')], serviceOf, END)).toBe(false);
    expect(followedByIncident(a, [incident('2026-11-17T01:00:00Z', '2026-11-17T02:50:00Z')], serviceOf, END)).toBe(false);
    expect(followedByIncident(a, [incident('2026-11-17T05:01:00Z', null)], serviceOf, END)).toBe(false);
    // an incident without an SLO matches on the service
    expect(followedByIncident(a, [incident('2026-11-17T03:10:00Z', null, null, 'ranker')], serviceOf, END)).toBe(true);
  });
});

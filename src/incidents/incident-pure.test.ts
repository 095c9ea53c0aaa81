import { describe, expect, it } from 'vitest';
import { incidentChannelName } from './channel-name.ts';
import { IncidentError } from './incident-error.ts';
import { estimateOnset, markMitigated, resolve, takeCommand } from './lifecycle.ts';
import { loadPostmortemTemplate, postmortemFigures, renderPostmortem } from './postmortem.ts';
import type { Incident, TimelineEntry } from './types.ts';

const alice = { id: 'UALICE', name: 'alice' };
const bob = { id: 'UBOB', name: 'bob' };

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 7, key: 'k', title: 'ranker/latency burning', severity: 'page', status: 'investigating', source: 'alert',
    sloIds: ['ranker/latency'], alertId: 1, openedAt: new Date('2026-11-22T03:10:00Z'), openedBy: alice, commander: alice,
    startedAt: new Date('2026-11-22T03:00:00Z'), detectedAt: new Date('2026-11-22T03:05:00Z'), acknowledgedAt: null,
    mitigatedAt: null, resolvedAt: null, resolutionSummary: null, usergroup: null, channelId: null, channelName: null,
    budgetAtStart: 0.9, budgetAtEnd: null, ...over,
  };
}

describe('incident channel names', () => {
  it('follows the template and Slack naming rules, suffixing a taken name', () => {
    const at = new Date('2026-11-22T03:00:00Z');
    expect(incidentChannelName('inc-{date}-{slug}', { at, subject: 'Ranker Latency', id: 3 })).toBe('inc-20261122-ranker-latency');
    expect(incidentChannelName('inc-{date}-{slug}', { at, subject: 'ranker/latency', id: 3 }, 2)).toBe('inc-20261122-ranker-latency-2');
    const long = incidentChannelName('inc-{date}-{slug}', { at, subject: 'x'.repeat(200), id: 3 }, 12);
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long.endsWith('-12')).toBe(true);
    expect(incidentChannelName('inc-{date}-{slug}', { at, subject: '!!!', id: 3 })).toBe('inc-20261122-incident-3');
  });
});

describe('incident lifecycle', () => {
  it('goes investigating → mitigated → resolved with a timeline entry per step', () => {
    const at = new Date('2026-11-22T03:30:00Z');
    const m = markMitigated(incident(), null, at, 'the page tier reset');
    expect(m?.changes).toEqual({ status: 'mitigated', mitigatedAt: at });
    expect(m?.entry.text).toBe('burnwatch marked the incident mitigated: the page tier reset');
    expect(markMitigated(incident({ status: 'mitigated' }), null, at)).toBeNull();
    const r = resolve(incident({ status: 'mitigated', mitigatedAt: at }), bob, at, ' rolled back ranker v42 ');
    expect(r.changes).toMatchObject({ status: 'resolved', resolutionSummary: 'rolled back ranker v42', mitigatedAt: at });
    expect(r.entry.actor).toEqual(bob);
  });

  it('refuses to resolve twice or without a summary, and a commander taking over from themselves', () => {
    const at = new Date();
    expect(() => resolve(incident({ status: 'resolved' }), bob, at, 'x')).toThrow(IncidentError);
    expect(() => resolve(incident(), bob, at, '  ')).toThrow(/one-line summary/);
    expect(() => takeCommand(incident(), alice, at)).toThrow(/already the commander/);
    expect(takeCommand(incident(), bob, at).entry.text).toBe('bob took over as incident commander (was alice)');
  });

  it('estimates the onset of a step from the burn rates of the firing tier', () => {
    const firedAt = new Date('2026-11-22T03:10:00Z');
    // 10 minutes into a step: the 1h window has seen 10/60 of the short window's ratio.
    const onset = estimateOnset(firedAt, { longSeconds: 3600, longBurnRate: 100 / 6, shortBurnRate: 100 });
    expect(onset.toISOString()).toBe('2026-11-22T03:00:00.000Z');
    expect(estimateOnset(firedAt, { longSeconds: 3600, longBurnRate: null, shortBurnRate: 3 })).toEqual(firedAt);
  });
});

describe('post-mortem', () => {
  it('renders the playbook template with figures, actions and the full timeline', async () => {
    const inc = incident({
      status: 'resolved', acknowledgedAt: new Date('2026-11-22T03:07:00Z'), mitigatedAt: new Date('2026-11-22T03:40:00Z'),
      resolvedAt: new Date('2026-11-22T04:00:00Z'), resolutionSummary: 'bad model | rolled back', channelName: 'inc-20261122-ranker-latency',
    });
    const timeline: TimelineEntry[] = [
      { at: new Date('2026-11-22T03:05:00Z'), kind: 'alert', actor: null, text: 'page fired (1h/5m)' },
      { at: new Date('2026-11-22T03:20:00Z'), kind: 'action', actor: bob, text: 'rollback of deployment ranker to revision 41' },
    ];
    const input = { incident: inc, timeline, slos: [{ id: 'ranker/latency', name: 'Ranker latency', objectivePercent: 99.9, window: '30d', budgetAtStart: 0.9, budgetAtEnd: 0.8525 }], generatedAt: new Date('2026-11-22T04:00:00Z') };
    // burn 03:00 → page 03:05 → ack 03:07 → mitigated 03:40 → resolved 04:00
    const figures = postmortemFigures(input);
    expect(figures.toDetectSeconds).toBe(5 * 60); // from the burn start
    expect(figures.toAcknowledgeSeconds).toBe(2 * 60); // the rest from the first page
    expect(figures.toMitigateSeconds).toBe(35 * 60);
    expect(figures.toResolveSeconds).toBe(55 * 60);
    expect(figures.impactSeconds).toBe(40 * 60); // burn start → mitigated
    expect(figures.slos[0]!.consumed).toBeCloseTo(0.0475, 10);
    const md = renderPostmortem(await loadPostmortemTemplate(), { ...input, firedTier: 'page 1h/5m (14.4x)', timeline: [...timeline, { at: new Date('2026-11-22T03:21:00Z'), kind: 'action', actor: bob, text: 'rollback', details: { action: 'rollback', target: 'deployment/ranker', outcome: 'revision 41 serving' } }] });
    expect(md).toContain('# Post-mortem: ranker/latency burning');
    expect(md).toContain('| Incident | #7 (page) in #inc-20261122-ranker-latency |');
    expect(md).toContain('| Incident commander | alice |');
    expect(md).toContain('bad model | rolled back');
    expect(md).toContain('- Error budget spent: 4.75% of the 30d budget');
    expect(md).toContain('- Budget remaining at resolution: 85.25%');
    expect(md).toContain('- First alert: 2026-11-22T03:05:00.000Z (page 1h/5m (14.4x))');
    expect(md).toContain('| Resolved | 2026-11-22T04:00:00.000Z (55m after the first page) |');
    expect(md).toContain('Impact start (burn start, estimated from the burn rates): 2026-11-22 03:00:00 UTC · detection (first page): 2026-11-22 03:05:00 UTC');
    expect(md).toContain('| Time to detect | burn start → first page | 5m |');
    expect(md).toContain('| Time to acknowledge | first page → acknowledged | 2m |');
    expect(md).toContain('| Time to mitigate | first page → mitigated (burn stopped) | 35m |');
    expect(md).toContain('| Time to resolve | first page → resolved | 55m |');
    expect(md).toContain('| Impact duration | burn start → mitigated | 40m |');
    expect(md).toContain('_mitigated = the first of: a verified remediation succeeded, or the shortest-window burn rate of every affected SLO fell below 1×._');
    expect(md).toContain('- 2026-11-22 03:21:00 UTC bob: rollback deployment/ranker → revision 41 serving');
    expect(md).toContain('- 2026-11-22 03:20:00 UTC · bob — rollback of deployment ranker to revision 41');
    expect(md).toContain('- 2026-11-22 03:05:00 UTC · burnwatch — page fired (1h/5m)');
  });

  it('says what is not known yet, and counts an incident opened by hand from its opening', async () => {
    const template = await loadPostmortemTemplate();
    const open = renderPostmortem(template, { incident: incident(), timeline: [], slos: [], generatedAt: new Date('2026-11-22T03:30:00Z') });
    expect(open).toContain('| Time to acknowledge | first page → acknowledged | not acknowledged |');
    expect(open).toContain('| Time to resolve | first page → resolved | not resolved |');
    expect(open).toContain('| Impact duration | burn start → mitigated | still burning |');
    // `/incident open`: no page, so detection is the opening (and the impact start is not known before it)
    const opened = new Date('2026-11-22T03:10:00Z');
    const byHand = incident({ source: 'command', alertId: null, startedAt: opened, detectedAt: opened, acknowledgedAt: opened, status: 'resolved', mitigatedAt: new Date('2026-11-22T03:25:00Z'), resolvedAt: new Date('2026-11-22T03:40:00Z') });
    const md = renderPostmortem(template, { incident: byHand, timeline: [], slos: [], generatedAt: new Date('2026-11-22T03:40:00Z') });
    expect(md).toContain('| Resolved | 2026-11-22T03:40:00.000Z (30m after the incident opened) |');
    expect(md).toContain('| Time to detect | burn start → incident opened | 0s |');
    expect(md).toContain('| Time to mitigate | incident opened → mitigated (burn stopped) | 15m |');
  });
});

import { describe, expect, it } from 'vitest';
import { sampleInputs } from './__fixtures__/sample.ts';
import { buildReport } from './build-report.ts';
import type { ServiceReport, SloReport } from './report-data.ts';

const report = buildReport(sampleInputs());
const team = (name: string) => report.teams.find((t) => t.team === name)!;
const service = (t: string, s: string): ServiceReport => team(t).services.find((x) => x.service === s)!;
const slo = (id: string): SloReport => report.teams.flatMap((t) => t.services.flatMap((s) => s.slos)).find((s) => s.id === id)!;

describe('buildReport', () => {
  it('groups SLOs by owner and service, and takes the channel from the team’s SLOs', () => {
    expect(report.teams.map((t) => t.team)).toEqual(['ranking', 'training']);
    expect(team('ranking').services.map((s) => s.service)).toEqual(['embeddings', 'ranker']);
    expect(team('ranking').channel).toBe('#ranking-alerts');
  });

  it('computes attainment, budget remaining and budget consumed from the counts', () => {
    const a = slo('ranker/availability');
    expect(a.week.attainment).toBeCloseTo(1 - 30 / 100_000, 12);
    expect(a.week.met).toBe(true);
    expect(a.week.budgetConsumed).toBeCloseTo(30 / (0.001 * 400_000), 12);
    expect(a.rolling.budgetRemaining).toBeCloseTo(1 - 200 / 400_000 / 0.001, 12);
    expect(a.change.budgetRemaining).toBeCloseTo(1 - 200 / 400_000 / 0.001 - (1 - 180 / 400_000 / 0.001), 12);
    expect(a.change.budgetConsumed).toBeCloseTo((30 - 10) / (0.001 * 400_000), 12);

    const l = slo('ranker/latency');
    expect(l.week.attainment).toBeCloseTo(0.98, 12);
    expect(l.week.met).toBe(false);
    expect(l.rolling.met).toBe(false);
    expect(l.rolling.budgetRemaining).toBeCloseTo(1 - 4_500 / 400_000 / 0.01, 12);
    expect(l.rolling.budgetRemaining).toBeLessThan(0);

    const fr = slo('embeddings/freshness');
    expect(fr.week.budgetConsumed).toBeCloseTo(100 / (0.05 * 40_320), 12);
    expect(fr.origin).toBe('backfill');
  });

  it('shows an SLO without data as unknown, never as met, and says so', () => {
    const t = slo('trainer/throughput');
    expect(t.origin).toBe('unknown');
    expect(t.week.attainment).toBeNull();
    expect(t.rolling.met).toBeNull();
    expect(team('training').totals).toMatchObject({ slos: 1, meetingObjective: 0, unknown: 1 });
    expect(report.notes.join(' ')).toContain('trainer/throughput');
  });

  it('counts pages and tickets, and how many an incident followed', () => {
    const ranker = service('ranking', 'ranker').alerts;
    expect([ranker.pages, ranker.tickets, ranker.followedByIncident]).toEqual([2, 1, 1]);
    expect(ranker.noiseRatio).toBeCloseTo(2 / 3, 12);
    expect(ranker.previous).toEqual({ pages: 1, tickets: 0 });
    // a service-level incident follows the freshness ticket
    const embeddings = service('ranking', 'embeddings').alerts;
    expect([embeddings.tickets, embeddings.followedByIncident, embeddings.noiseRatio]).toEqual([1, 1, 0]);
    expect(team('ranking').totals).toMatchObject({ pages: 2, tickets: 2, previous: { pages: 1, tickets: 0 } });
  });

  it('times incidents and prices them in budget', () => {
    const inc = service('ranking', 'ranker').incidents;
    expect(inc.count).toBe(1);
    expect(inc.incidents[0]).toMatchObject({ id: 'INC-1', timeToAckSeconds: 240, timeToMitigateSeconds: 1500, timeToResolveSeconds: 4200 });
    // the SLO's budget left at the impact start minus at the end (the post-mortem's figure)
    expect(inc.incidents[0]!.budgetConsumed).toBeCloseTo(0.9 - 0.6, 12);
    const open = service('ranking', 'embeddings').incidents.incidents[0]!;
    expect(open).toMatchObject({ id: 'INC-2', timeToAckSeconds: 600, timeToMitigateSeconds: null, timeToResolveSeconds: null, budgetConsumed: null });
  });

  it('summarises remediations with the time from page to done', () => {
    const r = service('ranking', 'ranker').remediations;
    expect([r.rollbacks, r.reruns, r.succeeded, r.failed]).toEqual([1, 0, 1, 0]);
    expect(r.medianPageToRemediationSeconds).toBe(24 * 60);
    const e = service('ranking', 'embeddings').remediations;
    expect([e.reruns, e.failed, e.medianPageToRemediationSeconds]).toEqual([1, 1, null]);
  });

  it('lists the SLOs closest to exhausting their budget, lowest first', () => {
    const risk = team('ranking').closestToExhaustion;
    expect(risk.map((r) => r.id)).toEqual(['ranker/latency', 'ranker/availability', 'embeddings/freshness']);
    expect(risk[0]!.weeksToExhaustion).toBe(0);
    expect(risk[1]!.weeksToExhaustion).toBeCloseTo(0.5 / 0.075, 9);
    expect(team('ranking').totals).toMatchObject({ meetingObjective: 2, previous: { meetingObjective: 3 } });
  });
});

// A scenario week end to end: metrics in a real Prometheus (backfilled with promtool), a store
// seeded by the real evaluation cycle (evaluateAll → saveEvaluation) and the service's incident
// repository, then the report. Every figure is checked against the scenario's exact integrals.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slo } from '../../src/domain/slo.ts';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { runReport } from '../../src/cli/commands/report.ts';
import { buildSources } from '../../src/sources/registry.ts';
import type { SliSource } from '../../src/sources/sli-source.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { acknowledge, markMitigated, resolve } from '../../src/incidents/lifecycle.ts';
import { getIncident, insertIncident, updateIncident } from '../../src/incidents/incident-store.ts';
import type { Incident } from '../../src/incidents/types.ts';
import { previousPeriod, weekPeriod } from '../../src/reports/iso-week.ts';
import { produceReport } from '../../src/reports/produce-report.ts';
import type { ReportData, SloReport } from '../../src/reports/report-data.ts';
import { renderTeamCharts } from '../../src/reports/team-charts.ts';
import { CHART_WIDTH, attainmentHeight, burnDownHeight } from '../../src/reports/chart-specs.ts';
import { integrate, type PrometheusServer, profile, scenario, startPrometheus, unix } from '../fixtures/prometheus/index.ts';
import { makeSlo } from '../fixtures/slo.ts';
import { makeTempDir } from '../helpers/test-databases.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { claimForExecution, finishAction, insertAction, markApproved } from '../../src/actions/action-store.ts';
import type { Plan } from '../../src/actions/plan.ts';
import { startService } from '../../src/app/start-service.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { setupWeeklyReports } from '../../src/reports/reports-extension.ts';
import { loadReportRun } from '../../src/reports/data/report-runs.ts';
import { loadConfig } from '../../src/service/config.ts';
import { createLogger } from '../../src/service/logger.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { PrometheusSource } from '../../src/sources/prometheus/prometheus-source.ts';

const DAY = 86_400;
const W47 = weekPeriod('2026-W47'); // Mon 16 Nov – Mon 23 Nov 2026
const W46 = previousPeriod(W47);
const t = (iso: string) => unix(iso);

// 10 requests/s; 0.01 % errors, with three bursts: W46 Wed 10:00–10:30 at 2 % (a page, no
// incident), W47 Tue 03:00–04:00 at 5 % (the incident), W47 Thu 15:00–15:20 at 3 % (a page nobody
// opened an incident for).
const RATE = profile(10);
const ERRORS = profile(0.0001)
  .step('2026-11-11T10:00:00Z', 0.02)
  .step('2026-11-11T10:30:00Z', 0.0001)
  .step('2026-11-17T03:00:00Z', 0.05)
  .step('2026-11-17T04:00:00Z', 0.0001)
  .step('2026-11-19T15:00:00Z', 0.03)
  .step('2026-11-19T15:20:00Z', 0.0001);
// Latency: 99.5 % of requests within 300 ms, 97 % on W47 Thu 12:00–18:00.
const FAST = profile(0.995).step('2026-11-19T12:00:00Z', 0.97).step('2026-11-19T18:00:00Z', 0.995);

const metrics = scenario({ start: '2026-11-02T00:00:00Z', end: '2026-11-23T01:00:00Z', step: 60 })
  .counter('http_requests_total', { service: 'ranker' }, RATE)
  .counter('http_errors_total', { service: 'ranker' }, [RATE, ERRORS])
  .histogram('http_request_duration_seconds', { service: 'ranker' }, {
    rate: RATE,
    buckets: [0.1, 0.3, 1],
    below: (le) => (le >= 1 ? profile(0.999) : le >= 0.3 ? FAST : profile(0.5)),
  });

const team = (slo: Slo): Slo => ({ ...slo, owner: 'ranking', alerting: { ...slo.alerting, channel: '#ranking-reliability' } });
const availability = team({
  ...makeSlo({
    id: 'ranker/availability',
    objectivePercent: 99.9,
    window: '14d',
    indicator: {
      kind: 'ratio',
      bad: { source: 'prom', language: 'promql', text: 'sum(increase(http_errors_total{service="ranker"}[$window]))' },
      total: { source: 'prom', language: 'promql', text: 'sum(increase(http_requests_total{service="ranker"}[$window]))' },
    },
  }),
  remediation: { rollback: { kind: 'Deployment', namespace: 'ml', name: 'ranker' } },
});
// Added to the config after the store's history: its figures must be backfilled from Prometheus.
const latency = team(
  makeSlo({
    id: 'ranker/latency',
    objectivePercent: 99,
    window: '14d',
    indicator: { kind: 'latency', source: 'prom', metric: 'http_request_duration_seconds', selector: '{service="ranker"}', thresholdSeconds: 0.3 },
  }),
);

// Independent figures: exact integrals of the scenario.
const requests = (from: number, to: number) => integrate([RATE], from, to);
const errors = (from: number, to: number) => integrate([RATE, ERRORS], from, to);
const slow = (from: number, to: number) => requests(from, to) - integrate([RATE, FAST], from, to);
const budgetLeft = (bad: (a: number, b: number) => number, objective: number, at: number) =>
  1 - bad(at - 14 * DAY, at) / requests(at - 14 * DAY, at) / (1 - objective);

const INCIDENT = {
  started: '2026-11-17T03:00:00Z',
  opened: '2026-11-17T03:15:00Z',
  acknowledged: '2026-11-17T03:18:00Z',
  mitigated: '2026-11-17T03:30:00Z',
  resolved: '2026-11-17T04:20:00Z',
};
const ROLLBACK = { requested: '2026-11-17T03:25:00Z', finished: '2026-11-17T03:28:00Z' };

/** The first cycle at which the 1h/5m page tier fires: both windows above 14d-factor 6.72 (computed here, not by burnwatch). */
function firstPage(): number {
  const ratio = (w: number, at: number) => errors(at - w, at) / requests(at - w, at);
  const factor = ((2 / 100) * 14 * DAY) / 3600;
  return cycles().map((d) => d.getTime() / 1000).find((at) => at >= t('2026-11-17T00:00:00Z') && ratio(3600, at) > factor * 0.001 && ratio(300, at) > factor * 0.001)!;
}

let prom: PrometheusServer;
let sources: Map<string, SliSource>;
let dir: string;
let store: Store;
let report: ReportData;
const slo = (id: string): SloReport => report.teams.flatMap((x) => x.services.flatMap((s) => s.slos)).find((s) => s.id === id)!;

/** Cycle instants: every 6 h from 6 Nov, every 5 min around the bursts. */
function cycles(): Date[] {
  const out = new Set<number>();
  for (let s = t('2026-11-06T00:00:00Z'); s <= t(W47.end); s += 6 * 3600) out.add(s);
  for (const [from, to] of [
    ['2026-11-11T09:00:00Z', '2026-11-11T13:00:00Z'],
    ['2026-11-17T02:00:00Z', '2026-11-17T10:00:00Z'],
    ['2026-11-19T14:00:00Z', '2026-11-19T18:00:00Z'],
  ] as const) {
    for (let s = t(from); s <= t(to); s += 300) out.add(s);
  }
  return [...out].sort((a, b) => a - b).map((s) => new Date(s * 1000));
}

beforeAll(async () => {
  prom = await startPrometheus(metrics);
  sources = buildSources([{ type: 'prometheus', name: 'prom', url: prom.url, timeoutSeconds: 20, headers: {} }]);
  dir = await makeTempDir('bw-report-e2e-');
  store = await openStore({ dataDir: dir });
  // The service's evaluation cycle, for the availability SLO only.
  for (const at of cycles()) for (const e of await evaluateAll([availability], sources, at)) await saveEvaluation(store.db, e);
  // The incident through the incident bot's own store and lifecycle: opened from the page,
  // acknowledged, mitigated, resolved.
  const oncall = { id: 'U123', name: 'Ada' };
  const { incident } = await insertIncident(store.db, {
    key: 'ranker/availability:page',
    title: 'Ranker returns 5xx',
    severity: 'page',
    source: 'alert',
    sloIds: [availability.id],
    alertId: null,
    openedAt: new Date(INCIDENT.opened),
    openedBy: oncall,
    startedAt: new Date(INCIDENT.started),
    detectedAt: new Date(firstPage() * 1000),
    acknowledgedAt: null,
    usergroup: null,
    budgetAtStart: null,
  });
  let current: Incident = incident;
  for (const step of [
    acknowledge(current, oncall, new Date(INCIDENT.acknowledged)),
    markMitigated(current, oncall, new Date(INCIDENT.mitigated), 'rolled back'),
  ]) {
    await updateIncident(store.db, incident.id, step!.changes);
    current = (await getIncident(store.db, incident.id))!;
  }
  await updateIncident(store.db, incident.id, resolve(current, oncall, new Date(INCIDENT.resolved), 'bad build rolled back').changes);
  // A rollback through the actions' own store: planned, approved, executed, done.
  const plan: Plan = {
    action: 'rollback',
    key: 'rollback:ml/Deployment/ranker:3->ranker-7d9f',
    target: { kind: 'Deployment', namespace: 'ml', name: 'ranker' },
    summary: 'Roll back Deployment ml/ranker from revision 3 to revision 2',
    warnings: [],
    change: {},
  };
  const { row } = await insertAction(store.db, { plan, dryRun: false, requestedBy: 'U123', at: new Date(ROLLBACK.requested) });
  await markApproved(store.db, row.id);
  await claimForExecution(store.db, row.id, 'U123', new Date(ROLLBACK.requested));
  await finishAction(store.db, row.id, { state: 'done', at: new Date(ROLLBACK.finished) });
  report = await produceReport({
    slos: [availability, latency],
    sources,
    db: store.db,
    period: W47,
    previous: W46,
    now: new Date('2026-11-23T09:00:00Z'),
  });
}, 300_000);

afterAll(async () => {
  await store?.close();
  await prom?.destroy();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('weekly report of a scenario week', () => {
  it('has the week’s attainment, counts and budget consumption of every SLO', () => {
    const week = [t(W47.start), t(W47.end)] as const;
    const a = slo('ranker/availability');
    expect(a.week.total).toBeCloseTo(requests(...week), 3);
    expect(a.week.bad).toBeCloseTo(errors(...week), 3);
    expect(a.week.attainment).toBeCloseTo(1 - errors(...week) / requests(...week), 10);
    expect(a.week.met).toBe(1 - errors(...week) / requests(...week) >= 0.999);
    expect(a.week.budgetConsumed).toBeCloseTo(errors(...week) / (0.001 * requests(t(W47.end) - 14 * DAY, t(W47.end))), 9);

    const l = slo('ranker/latency');
    expect(l.week.bad).toBeCloseTo(slow(...week), 3);
    expect(l.week.attainment).toBeCloseTo(1 - slow(...week) / requests(...week), 10);
    expect(l.week.budgetConsumed).toBeCloseTo(slow(...week) / (0.01 * requests(t(W47.end) - 14 * DAY, t(W47.end))), 9);
  });

  it('has the rolling-window budget at the end of the week and of the week before, and the change', () => {
    const a = slo('ranker/availability');
    expect(a.origin).toBe('store');
    expect(a.rolling.budgetRemaining).toBeCloseTo(budgetLeft(errors, 0.999, t(W47.end)), 9);
    expect(a.previousRolling.budgetRemaining).toBeCloseTo(budgetLeft(errors, 0.999, t(W46.end)), 9);
    expect(a.change.budgetRemaining).toBeCloseTo(budgetLeft(errors, 0.999, t(W47.end)) - budgetLeft(errors, 0.999, t(W46.end)), 9);
    const prevWeek = [t(W46.start), t(W46.end)] as const;
    expect(a.previousWeek.attainment).toBeCloseTo(1 - errors(...prevWeek) / requests(...prevWeek), 10);

    const l = slo('ranker/latency');
    expect(l.origin).toBe('backfill');
    expect(l.rolling.budgetRemaining).toBeCloseTo(budgetLeft(slow, 0.99, t(W47.end)), 9);
    expect(l.previousRolling.budgetRemaining).toBeCloseTo(budgetLeft(slow, 0.99, t(W46.end)), 9);
    expect(report.notes.join('\n')).toContain('ranker/latency were computed from the sources');
  });

  it('draws the burn-down every 6 hours from stored evaluations, and backfills it with a range query', () => {
    for (const [id, bad, objective] of [['ranker/availability', errors, 0.999], ['ranker/latency', slow, 0.99]] as const) {
      const points = slo(id).burnDown;
      expect(points).toHaveLength(29);
      points.forEach((p, i) => {
        const at = t(W47.start) + i * 6 * 3600;
        expect(p.at).toBe(new Date(at * 1000).toISOString());
        expect(p.budgetRemaining, `${id} at ${p.at}`).toBeCloseTo(budgetLeft(bad, objective, at), 9);
      });
    }
  });

  it('counts pages and tickets replayed through the alerting state machine, and the noise', () => {
    const ranker = report.teams[0]!.services[0]!;
    // W47: the incident burst pages and (after the page stops) tickets; the Thursday blip pages,
    // and its 3-day window (still holding Tuesday's errors) tickets. W46: one page.
    expect([ranker.alerts.pages, ranker.alerts.tickets]).toEqual([2, 2]);
    expect(ranker.alerts.previous).toEqual({ pages: 1, tickets: 0 });
    // Only the two alerts around Tuesday's incident were followed by one.
    expect(ranker.alerts.followedByIncident).toBe(2);
    expect(ranker.alerts.noiseRatio).toBe(0.5);
    const tuesday = ranker.alerts.alerts.filter((a) => a.firedAt.startsWith('2026-11-17'));
    expect(tuesday.map((a) => a.severity).sort()).toEqual(['page', 'ticket']);
    expect(tuesday.every((a) => a.followedByIncident)).toBe(true);
    expect(report.teams[0]!.totals).toMatchObject({ pages: 2, tickets: 2, previous: { pages: 1, tickets: 0 } });
  });

  it('times the incident and prices it in budget', () => {
    const incidents = report.teams[0]!.services[0]!.incidents;
    expect(incidents.count).toBe(1);
    expect(incidents.previousCount).toBe(0);
    const [incident] = incidents.incidents;
    // as the post-mortem counts them: acknowledged, mitigated and resolved, each after the first page
    expect(incident!.timeToAckSeconds).toBe(t(INCIDENT.acknowledged) - firstPage());
    expect(incident!.timeToMitigateSeconds).toBe(t(INCIDENT.mitigated) - firstPage());
    expect(incident!.timeToResolveSeconds).toBe(t(INCIDENT.resolved) - firstPage());
    // the SLO's budget left at the impact start minus at the resolution (the post-mortem's figure)
    const spent = budgetLeft(errors, 0.999, t(INCIDENT.started)) - budgetLeft(errors, 0.999, t(INCIDENT.resolved));
    expect(spent).toBeGreaterThan(0.1);
    expect(incident!.budgetConsumed).toBeCloseTo(spent, 9);
  });

  it('counts the rollback and the time from the page to its completion', () => {
    const r = report.teams[0]!.services[0]!.remediations;
    expect([r.rollbacks, r.reruns, r.succeeded, r.failed, r.previousCount]).toEqual([1, 0, 1, 0, 0]);
    expect(r.remediations[0]!.sloId).toBe('ranker/availability'); // matched on the SLO's declared rollback target
    expect(r.medianPageToRemediationSeconds).toBe(t(ROLLBACK.finished) - firstPage());
  });

  it('ranks the SLOs by budget left', () => {
    const expected = [
      { id: 'ranker/availability', left: budgetLeft(errors, 0.999, t(W47.end)) },
      { id: 'ranker/latency', left: budgetLeft(slow, 0.99, t(W47.end)) },
    ].sort((x, y) => x.left - y.left);
    expect(report.teams[0]!.closestToExhaustion.map((r) => r.id)).toEqual(expected.map((e) => e.id));
  });

  it('renders the charts to PNGs of the expected size', async () => {
    const charts = await renderTeamCharts(report.teams[0]!, 2);
    const size = (png: Uint8Array) => {
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(Buffer.from(png.subarray(12, 16)).toString()).toBe('IHDR');
      const view = new DataView(png.buffer, png.byteOffset);
      return [view.getUint32(16), view.getUint32(20)];
    };
    expect(size(charts.burnDown.png)).toEqual([CHART_WIDTH * 2, (burnDownHeight() + 22) * 2]);
    expect(size(charts.attainment.png)).toEqual([CHART_WIDTH * 2, attainmentHeight(2) * 2]);
  });

  it('`burnwatch report --week` writes the same figures from the YAML specs and the store', async () => {
    await store.close(); // the CLI opens the store itself (the data directory is locked while open)
    const specs = path.join(dir, 'slos');
    await fs.mkdir(specs);
    await fs.writeFile(
      path.join(specs, 'ranker.yaml'),
      `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prom }
spec:
  prometheus: { url: "${prom.url}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: ranker, owner: ranking }
spec:
  objective: 99.9
  window: 14d
  source: prom
  indicator:
    ratio:
      bad: sum(increase(http_errors_total{service="ranker"}[$window]))
      total: sum(increase(http_requests_total{service="ranker"}[$window]))
  alerting: { channel: "#ranking-reliability" }
`,
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await runReport(
      { week: '2026-W47', format: 'md', out: 'out', store: true },
      { cwd: dir, env: { BURNWATCH_SLOS_DIR: 'slos', BURNWATCH_DATA_DIR: '.', BURNWATCH_NOTIFY_LOG: 'false' }, now: new Date('2026-11-23T09:00:00Z'), stdout: (x) => out.push(x), stderr: (x) => err.push(x) },
    );
    store = await openStore({ dataDir: dir });
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    expect(out.join('').trim().split('\n').sort()).toEqual(['out/charts/ranking-attainment.png', 'out/charts/ranking-burn-down.png', 'out/report-2026-W47.md']);
    const md = await fs.readFile(path.join(dir, 'out/report-2026-W47.md'), 'utf8');
    const a = slo('ranker/availability');
    const pct = (v: number, digits: number) => `${(Math.abs(v) * 100).toFixed(digits).replace(/\.0+$|(\.\d*?)0+$/, '$1')}%`;
    expect(md).toContain(`| \`ranker/availability\` | 99.9% |`);
    expect(md).toContain(` | ${pct(a.rolling.budgetRemaining!, 1)} | `);
    expect(md).toContain('2 pages, 2 tickets (last week 1 and 0); 2 of 4 followed by an incident (noise 50%).');
  });

  it('`burnwatch report --format slack --post` posts each team’s message with its charts', async () => {
    const slack = await new FakeSlackApi().start();
    try {
      const channel = slack.addChannel('ranking-reliability');
      const out: string[] = [];
      const err: string[] = [];
      const code = await runReport(
        { week: '2026-W47', format: 'slack', store: false, post: true },
        {
          cwd: dir,
          env: { BURNWATCH_SLOS_DIR: 'slos', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_API_URL: slack.apiUrl },
          now: new Date('2026-11-23T09:00:00Z'),
          stdout: (x) => out.push(x),
          stderr: (x) => err.push(x),
        },
      );
      expect(code).toBe(0);
      expect(err.join('')).toMatch(/^ranking: posted to #ranking-reliability \(ts \d+\.\d+\)\n$/);
      const [message] = slack.messagesIn(channel);
      const images = (message!.blocks as Array<{ type: string; slack_file?: { id: string } }>).filter((b) => b.type === 'image');
      expect(images.map((b) => slack.files.get(b.slack_file!.id)?.completed)).toEqual([true, true]);
      // without the store: the message says alerts and incidents are not known rather than zero
      expect(message!.text).toContain('alerts not recorded');
      expect(JSON.parse(out.join(''))[0].channel).toBe('#ranking-reliability');
    } finally {
      await slack.stop();
    }
  });

  it('the running service generates the last complete week on its schedule, once', async () => {
    await store.close(); // the service takes the data directory's lock
    const config = loadConfig({
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_PORT: '0',
      BURNWATCH_DATA_DIR: dir,
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      BURNWATCH_LEADER: 'none',
      BURNWATCH_NOTIFY_LOG: 'false',
      // every second instead of Monday 09:00, so the test does not wait a week
      BURNWATCH_REPORT_CRON: '* * * * * *',
    });
    const service = await startService({
      config,
      logger: createLogger('silent'),
      clock: fixedClock('2026-11-23T09:00:00Z'),
      loadSpecs: (specDir) => loadSpecs([specDir]),
      sourceFactories: { prometheus: (spec) => PrometheusSource.fromSpec(spec as Parameters<typeof PrometheusSource.fromSpec>[0]) },
      extensions: [(ctx) => setupWeeklyReports(ctx)],
    });
    let stored: ReportData | undefined;
    try {
      for (let i = 0; i < 100 && !stored; i++) {
        stored = await loadReportRun(service.store.db, '2026-W47');
        if (!stored) await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 1500)); // more scheduled runs: all find the week done
      const { rows } = await service.store.db.query('SELECT period_label FROM report_runs');
      expect(rows).toEqual([{ period_label: '2026-W47' }]);
      // without Slack, the week is still delivered: as files under the data directory
      const files = await fs.readdir(path.join(dir, 'reports', '2026-W47'));
      expect(files.sort()).toEqual(['charts', 'report-2026-W47.html', 'report-2026-W47.md']);
    } finally {
      await service.stop('test');
      store = await openStore({ dataDir: dir });
    }
    const a = stored!.teams[0]!.services[0]!.slos.find((x) => x.id === 'ranker/availability')!;
    expect(a.rolling.budgetRemaining).toBeCloseTo(budgetLeft(errors, 0.999, t(W47.end)), 9);
    expect(stored!.teams[0]!.services[0]!.alerts.pages).toBe(2);
  });
});

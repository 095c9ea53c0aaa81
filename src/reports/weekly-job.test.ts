import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/test-databases.ts';
import { fixedClock } from '../domain/clock.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { listOutbox } from '../store/repositories/outbox.ts';
import { sampleInputs } from './__fixtures__/sample.ts';
import { buildReport } from './build-report.ts';
import { loadReportRun } from './data/report-runs.ts';
import type { ReportPeriod } from './report-data.ts';
import { REPORT_KIND, type SlackReportPayload } from '../slack/report/slack-report.ts';
import { slackReportChannel } from '../slack/report/slack-report-channel.ts';
import { runWeeklyReport } from './weekly-job.ts';

describe('weekly report job', () => {
  let dir: string;
  let store: Store;
  // One store for the file (opening and migrating is the slow part); each test reports on its own week.
  beforeAll(async () => {
    dir = await makeTempDir('bw-reports-');
    store = await openStore({ dataDir: dir });
  });
  afterAll(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const produced: ReportPeriod[] = [];
  const deps = (s: Store, now = '2026-11-23T09:00:00Z') => ({
    db: s.db,
    clock: fixedClock(now),
    channel: slackReportChannel({ botToken: 'xoxb-test' }),
    produce: async (period: ReportPeriod, previous: ReportPeriod, now: Date) => {
      produced.push(period);
      return buildReport({ ...sampleInputs(), period, previous, generatedAt: now });
    },
  });

  it('queues one Slack message per team for the last complete week, with both charts', async () => {
    const result = await runWeeklyReport(deps(store));
    expect(result).toEqual({ week: '2026-W47', status: 'queued', teams: ['ranking', 'training'] });

    const outbox = (await listOutbox(store.db)).sort((a, b) => a.id - b.id);
    expect(outbox.map((m) => [m.idempotencyKey, m.channel, m.kind])).toEqual([
      ['report:2026-W47:ranking', 'slack-report:#ranking-alerts', REPORT_KIND],
      ['report:2026-W47:training', 'slack-report:#training-alerts', REPORT_KIND],
    ]);
    const payload = outbox[0]!.payload as SlackReportPayload;
    expect(payload.charts.map((c) => c.filename)).toEqual(['ranking-2026-W47-burn-down.png', 'ranking-2026-W47-attainment.png']);
    expect(Buffer.from(payload.charts[0]!.pngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect((await loadReportRun(store.db, '2026-W47'))?.teams.map((t) => t.team)).toEqual(['ranking', 'training']);
  });

  it('writes the week as Markdown with its charts and as self-contained HTML, also without Slack', async () => {
    const outDir = path.join(dir, 'reports');
    const result = await runWeeklyReport({ ...deps(store, '2026-12-07T09:00:00Z'), channel: undefined, outDir });
    expect(result).toMatchObject({ week: '2026-W49', status: 'queued', teams: [] });
    const week = path.join(outDir, '2026-W49');
    expect(result.files?.map((f) => path.relative(week, f)).sort()).toEqual([
      'charts/ranking-attainment.png',
      'charts/ranking-burn-down.png',
      'charts/training-attainment.png',
      'charts/training-burn-down.png',
      'report-2026-W49.html',
      'report-2026-W49.md',
    ]);
    const markdown = await fs.readFile(path.join(week, 'report-2026-W49.md'), 'utf8');
    expect(markdown).toContain('2026-W49');
    expect(markdown).toContain('](charts/ranking-burn-down.png)');
    const html = await fs.readFile(path.join(week, 'report-2026-W49.html'), 'utf8');
    expect(html).toContain('2026-W49');
    expect(html).not.toMatch(/<(img|script|link)[^>]+(src|href)="https?:/);
    expect((await fs.readFile(path.join(week, 'charts/ranking-burn-down.png'))).subarray(1, 4).toString()).toBe('PNG');
  });

  it('does not post a week twice: not after a restart, not from two replicas at once', async () => {
    const monday = '2026-11-30T09:00:00Z';
    const [a, b] = await Promise.all([runWeeklyReport(deps(store, monday)), runWeeklyReport(deps(store, monday))]);
    expect([a.status, b.status].sort()).toEqual(['already-done', 'queued']);
    await store.close();

    store = await openStore({ dataDir: dir }); // restart
    produced.length = 0;
    expect(await runWeeklyReport(deps(store, monday))).toEqual({ week: '2026-W48', status: 'already-done', teams: [] });
    expect(produced).toEqual([]); // not even recomputed
    const keys = (await listOutbox(store.db)).map((m) => m.idempotencyKey).sort();
    expect(keys).toEqual(['report:2026-W47:ranking', 'report:2026-W47:training', 'report:2026-W48:ranking', 'report:2026-W48:training']);
  });
});

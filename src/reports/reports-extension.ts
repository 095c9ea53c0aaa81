// Plugs the weekly report into the running service: the cron schedule (leader only, with
// an hourly catch-up when the scheduled time passed while this replica was down or not
// the leader), and, when Slack is configured, the outbox notifier that posts the reports.
import path from 'node:path';
import type { ServiceContext } from '../app/start-service.ts';
import { hasReportRun } from './data/report-runs.ts';
import { lastCompleteWeek } from './iso-week.ts';
import { produceReport } from './produce-report.ts';
import { firedBetween, type ReportSchedule, scheduleWeeklyReport } from './report-schedule.ts';
import { slackReportNotifier } from './slack-report.ts';
import { runWeeklyReport } from './weekly-job.ts';

export async function setupWeeklyReports(ctx: ServiceContext, schedule: ReportSchedule = ctx.config.report): Promise<void> {
  if (!schedule.enabled) return;
  const slack = ctx.config.slack;
  if (slack) {
    // The outbox retries (with Retry-After); the client must not retry on its own. The SDK is
    // loaded only when Slack is configured (test/e2e/no-heavy-sdks.test.ts).
    const { WebClient } = await import('@slack/web-api');
    const client = new WebClient(slack.botToken, {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    ctx.addNotifier(slackReportNotifier(client));
  }
  const log = ctx.logger.child({ component: 'weekly-report' });
  const scheduled = scheduleWeeklyReport(schedule, {
    isLeader: ctx.isLeader,
    missed: async (task) => {
      const now = ctx.clock.now();
      const week = lastCompleteWeek(now);
      return firedBetween(task, new Date(week.end), now) && !(await hasReportRun(ctx.db, week.label));
    },
    run: async () => {
      const result = await runWeeklyReport({
        db: ctx.db,
        clock: ctx.clock,
        post: slack !== undefined,
        defaultChannel: slack?.defaultChannel,
        outDir: schedule.outDir ?? path.join(ctx.config.dataDir, 'reports'),
        produce: (period, previous, now) => produceReport({ slos: ctx.slos(), sources: ctx.sources(), db: ctx.db, period, previous, now }),
      });
      log.info(
        result,
        result.status === 'queued'
          ? `weekly report ${result.week} written to ${result.files?.[0] ? path.dirname(result.files[0]) : '(no files)'} and queued for ${result.teams.length} teams on Slack`
          : `weekly report ${result.week} was already done`,
      );
      if (result.teams.length > 0) ctx.outboxWritten();
    },
    onError: (error) => log.error({ err: (error as Error).message }, 'weekly report failed; the next scheduled run retries'),
  });
  log.info({ cron: schedule.cron, timezone: schedule.timezone, next: scheduled.task.getNextRun()?.toISOString() }, 'weekly report scheduled');
  ctx.onStop(scheduled.stop);
}

/** The service extension (src/app/extensions.ts). */
export const reportsExtension = (ctx: ServiceContext): Promise<void> => setupWeeklyReports(ctx);

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../service/config.ts';
import { firedBetween, reportScheduleFrom, scheduleWeeklyReport } from './report-schedule.ts';

function localParts(at: Date, timeZone: string): { weekday: string; hour: string; minute: string } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: get('weekday'), hour: get('hour'), minute: get('minute') };
}

describe('report schedule', () => {
  it('defaults to Monday 09:00 UTC', () => {
    expect(reportScheduleFrom({})).toEqual({ cron: '0 9 * * 1', timezone: 'UTC', enabled: true });
  });

  it('fires at the configured local time in the configured zone', async () => {
    const schedule = reportScheduleFrom({ BURNWATCH_REPORT_CRON: '30 8 * * 2', BURNWATCH_REPORT_TZ: 'Europe/Berlin' });
    const { task, stop } = scheduleWeeklyReport(schedule, { isLeader: () => true, run: async () => {} });
    try {
      for (const next of task.getNextRuns(3)) {
        expect(localParts(next, 'Europe/Berlin')).toEqual({ weekday: 'Tue', hour: '08', minute: '30' });
      }
    } finally {
      await stop();
    }
  });

  it('is part of the service configuration: a bad value stops start-up naming the variable', () => {
    expect(loadConfig({}).report).toEqual({ cron: '0 9 * * 1', timezone: 'UTC', enabled: true });
    expect(loadConfig({ BURNWATCH_REPORT_ENABLED: 'false' }).report.enabled).toBe(false);
    try {
      loadConfig({ BURNWATCH_REPORT_TZ: 'Mars/Olympus' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['BURNWATCH_REPORT_TZ']);
    }
  });

  it('names the variable and the expected form on a bad value', () => {
    expect(() => reportScheduleFrom({ BURNWATCH_REPORT_CRON: 'every monday' })).toThrow(/BURNWATCH_REPORT_CRON: expected a cron expression/);
    expect(() => reportScheduleFrom({ BURNWATCH_REPORT_TZ: 'Mars/Olympus' })).toThrow(/BURNWATCH_REPORT_TZ: expected an IANA time zone/);
  });

  it('runs the job only on the leader', async () => {
    let runs = 0;
    let leader = false;
    const { task, stop } = scheduleWeeklyReport(reportScheduleFrom({}), { isLeader: () => leader, run: async () => void runs++ });
    try {
      await task.execute();
      expect(runs).toBe(0);
      leader = true;
      await task.execute();
      expect(runs).toBe(1);
    } finally {
      await stop();
    }
  });

  it('knows when a scheduled run was missed (the catch-up check), in the schedule’s time zone', async () => {
    const { task, stop } = scheduleWeeklyReport(reportScheduleFrom({ BURNWATCH_REPORT_TZ: 'Europe/Berlin' }), { isLeader: () => true, run: async () => {} });
    try {
      const weekEnd = new Date('2026-11-23T00:00:00Z');
      // Monday 09:00 in Berlin is 08:00 UTC in November
      expect(firedBetween(task, weekEnd, new Date('2026-11-23T07:59:00Z'))).toBe(false);
      expect(firedBetween(task, weekEnd, new Date('2026-11-23T08:00:00Z'))).toBe(true);
      expect(firedBetween(task, weekEnd, new Date('2026-11-25T12:00:00Z'))).toBe(true);
    } finally {
      await stop();
    }
  });
});

// When the weekly report runs: a cron expression and a time zone (default Monday
// 09:00 UTC), from BURNWATCH_REPORT_CRON / BURNWATCH_REPORT_TZ. Only the leader runs
// it; the job itself is idempotent per week, so a fire after a restart is harmless.
import cron, { type ScheduledTask } from 'node-cron';
import { z } from 'zod';

export const DEFAULT_REPORT_CRON = '0 9 * * 1';
export const DEFAULT_REPORT_TZ = 'UTC';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const reportScheduleSchema = z.object({
  BURNWATCH_REPORT_CRON: z
    .string()
    .default(DEFAULT_REPORT_CRON)
    .refine((v) => cron.validate(v), { message: 'expected a cron expression such as "0 9 * * 1" (Monday 09:00)' }),
  BURNWATCH_REPORT_TZ: z
    .string()
    .default(DEFAULT_REPORT_TZ)
    .refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin or UTC' }),
  BURNWATCH_REPORT_ENABLED: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('true')
    .transform((v) => ['true', '1', 'yes'].includes(v)),
  BURNWATCH_REPORT_DIR: z.string().min(1).optional(),
});

export interface ReportSchedule {
  cron: string;
  timezone: string;
  enabled: boolean;
  /** Where each week's Markdown and HTML go (a folder per week); default <data dir>/reports. */
  outDir?: string | undefined;
}

export class ReportScheduleError extends Error {
  readonly code = 'invalid_config';
  constructor(message: string) {
    super(message);
    this.name = 'ReportScheduleError';
  }
}

export function reportScheduleFrom(env: NodeJS.ProcessEnv): ReportSchedule {
  const parsed = reportScheduleSchema.safeParse(env);
  if (!parsed.success) {
    throw new ReportScheduleError(
      `invalid configuration:\n${parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`).join('\n')}`,
    );
  }
  return { cron: parsed.data.BURNWATCH_REPORT_CRON, timezone: parsed.data.BURNWATCH_REPORT_TZ, enabled: parsed.data.BURNWATCH_REPORT_ENABLED };
}

export interface ScheduleHooks {
  isLeader: () => boolean;
  run: () => Promise<unknown>;
  /**
   * Asked hourly: was a run missed (the service was down, or not the leader, at the scheduled
   * time) and is its week still not done? Then it runs now.
   */
  missed?: (schedule: ScheduledTask) => Promise<boolean>;
  onError?: (error: unknown) => void;
}

export interface ScheduledReport {
  task: ScheduledTask;
  stop(): Promise<void>;
}

/** Whether the schedule fired (minute resolution) in [from, until]. */
export function firedBetween(task: ScheduledTask, from: Date, until: Date): boolean {
  const start = Math.ceil(from.getTime() / 60_000) * 60_000;
  for (let t = start; t <= until.getTime(); t += 60_000) if (task.match(new Date(t))) return true;
  return false;
}

/** Starts the cron task (and the hourly catch-up check); `stop()` on shutdown. */
export function scheduleWeeklyReport(schedule: ReportSchedule, hooks: ScheduleHooks): ScheduledReport {
  const guarded = async (due: () => Promise<boolean>) => {
    if (!hooks.isLeader()) return;
    try {
      if (await due()) await hooks.run();
    } catch (error) {
      hooks.onError?.(error);
    }
  };
  const task = cron.schedule(schedule.cron, () => guarded(async () => true), {
    name: 'weekly-report',
    timezone: schedule.timezone,
    noOverlap: true,
  });
  const missed = hooks.missed;
  const catchUp = missed
    ? cron.schedule('17 * * * *', () => guarded(() => missed(task)), { name: 'weekly-report-catch-up', noOverlap: true })
    : undefined;
  return {
    task,
    stop: async () => {
      await catchUp?.destroy();
      await task.destroy();
    },
  };
}

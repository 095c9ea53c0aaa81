// Report periods: ISO 8601 weeks ("2026-W47": Monday 00:00 UTC to the next Monday) or
// any custom interval. Weeks are in UTC so that one label means the same instants
// for every team, whatever time zone the schedule fires in.
import type { ReportPeriod } from './report-data.ts';

const DAY_MS = 86_400_000;
const WEEK_LABEL = /^(\d{4})-W(\d{2})$/;

export class PeriodError extends Error {
  readonly code = 'bad_period';
  constructor(message: string) {
    super(message);
    this.name = 'PeriodError';
  }
}

/** Monday 00:00 UTC of ISO week 1 of `year` (the week holding January 4th). */
function week1Monday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - weekday * DAY_MS;
}

function weeksInYear(year: number): number {
  return Math.round((week1Monday(year + 1) - week1Monday(year)) / (7 * DAY_MS));
}

export function isoWeekOf(at: Date): { year: number; week: number } {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const thursday = day + (3 - ((new Date(day).getUTCDay() + 6) % 7)) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  return { year, week: 1 + Math.floor((thursday - week1Monday(year)) / (7 * DAY_MS)) };
}

function label(year: number, week: number): string {
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function weekPeriod(weekLabel: string): ReportPeriod {
  const match = WEEK_LABEL.exec(weekLabel);
  if (!match) throw new PeriodError(`"${weekLabel}" is not an ISO week; write it like 2026-W47`);
  const year = Number(match[1]);
  const week = Number(match[2]);
  if (week < 1 || week > weeksInYear(year)) {
    throw new PeriodError(`${year} has weeks 01 to ${weeksInYear(year)}; "${weekLabel}" is not one of them`);
  }
  const start = week1Monday(year) + (week - 1) * 7 * DAY_MS;
  return { label: weekLabel, start: new Date(start).toISOString(), end: new Date(start + 7 * DAY_MS).toISOString() };
}

export function weekContaining(at: Date): ReportPeriod {
  const { year, week } = isoWeekOf(at);
  return weekPeriod(label(year, week));
}

/** The last ISO week that has fully ended at `now` (on a Monday morning: the week before). */
export function lastCompleteWeek(now: Date): ReportPeriod {
  return weekContaining(new Date(Date.parse(weekContaining(now).start) - DAY_MS));
}

function parseInstant(text: string, what: string): number {
  // A bare date means midnight UTC, the way the week boundaries are.
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) throw new PeriodError(`--${what} "${text}" is not a date; write 2026-11-16 or 2026-11-16T09:00:00Z`);
  return ms;
}

export function customPeriod(from: string, to: string): ReportPeriod {
  const start = parseInstant(from, 'from');
  const end = parseInstant(to, 'to');
  if (end <= start) throw new PeriodError(`--to (${to}) must be after --from (${from})`);
  return { label: `${from}..${to}`, start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** The interval of equal length that ends where `period` starts. */
export function previousPeriod(period: ReportPeriod): ReportPeriod {
  const start = Date.parse(period.start);
  const length = Date.parse(period.end) - start;
  if (WEEK_LABEL.test(period.label) && length === 7 * DAY_MS) return weekContaining(new Date(start - DAY_MS));
  const prevStart = new Date(start - length).toISOString();
  return { label: `${prevStart.slice(0, 10)}..${period.start.slice(0, 10)}`, start: prevStart, end: period.start };
}

export function periodSeconds(period: ReportPeriod): number {
  return (Date.parse(period.end) - Date.parse(period.start)) / 1000;
}

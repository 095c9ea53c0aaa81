import type { ReportPeriod } from './report-data.ts';

export function inPeriod(at: string, period: ReportPeriod): boolean {
  const t = Date.parse(at);
  return t >= Date.parse(period.start) && t < Date.parse(period.end);
}

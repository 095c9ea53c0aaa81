// Numbers the way an on-call engineer reads them at 3 a.m.
import { utc as utcText } from '../../domain/utc.ts';
import { formatSpan } from '../../lifecycle/incident-figures.ts';

export function percent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return 'unknown';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function burn(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** 5400 → "1h 30m"; 90 → "1m 30s"; 200000 → "2d 7h". Two units at most. */
export function humanDuration(seconds: number | null | undefined): string {
  return formatSpan(seconds ?? null) ?? 'n/a';
}

/** Slack renders this in the reader's own time zone; the fallback is UTC. */
export function slackDate(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${utcText(at)}>`;
}

export { utc } from '../../domain/utc.ts';

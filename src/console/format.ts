import { formatSpan } from '../lifecycle/incident-figures.ts';

// Numbers and instants as the console prints them. The same rounding everywhere, so a
// figure on the overview, on the SLO page and in /api/slos (raw) can be compared.

export function pct(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** An SLI near its objective needs more digits than a budget: 99.912 %. */
export function sliPct(fraction: number | null | undefined): string {
  return pct(fraction, 3);
}

export function burnRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** 5400 → "1h 30m"; 200000 → "2d 7h": the response times' one formatter (src/lifecycle/incident-figures.ts). */
export function duration(seconds: number | null | undefined): string {
  return formatSpan(seconds ?? null) ?? '—';
}

export function utc(at: Date | null | undefined): string {
  if (!at) return '—';
  return at.toISOString().replace('T', ' ').replace(/:\d{2}\.\d{3}Z$/, ' UTC');
}

/** "3m ago", "2h ago" relative to `now`. */
export function ago(at: Date | null | undefined, now: Date): string {
  if (!at) return 'never';
  const s = (now.getTime() - at.getTime()) / 1000;
  if (s < 45) return 'just now';
  return `${duration(s < 3600 ? Math.round(s / 60) * 60 : s)} ago`;
}

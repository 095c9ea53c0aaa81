// Numbers the way an on-call engineer reads them at 3 a.m.

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
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'n/a';
  const s = Math.max(0, Math.round(seconds));
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    if (rest >= size || (parts.length === 0 && size === 1)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Slack renders this in the reader's own time zone; the fallback is UTC. */
export function slackDate(at: Date): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${utc(at)}>`;
}

export function utc(at: Date): string {
  return at.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

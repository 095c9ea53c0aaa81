// Prometheus durations ("30s", "5m", "1h30m", "28d", "1w"), the unit every window in a spec is written in.
const UNIT_SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y))+$/;

export function isDuration(text: string): boolean {
  return WHOLE.test(text);
}

/** Seconds in a Prometheus duration; throws on anything else (callers validate first). */
export function parseDuration(text: string): number {
  if (!WHOLE.test(text)) throw new Error(`not a duration: "${text}" (expected e.g. 30s, 5m, 1h, 28d)`);
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(PART)) seconds += Number(n) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  return seconds;
}

/** The shortest Prometheus duration for a whole number of seconds: 300 → "5m", 5400 → "1h30m". */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (!Number.isInteger(seconds)) return `${Math.round(seconds * 1000)}ms`;
  const units: [string, number][] = [['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  // Windows are conventionally written in days, not weeks ("28d", not "4w").
  if (seconds % 86_400 === 0) units.shift();
  let rest = seconds;
  let out = '';
  for (const [unit, size] of units) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

// How figures read in every rendering: percentages with enough digits to tell
// 99.9 from 99.95, signed changes, short durations. null is always "n/a".
export const NA = 'n/a';
/** Activity the store does not record: unknown, never shown as zero. */
export const NOT_RECORDED = 'not recorded';

export function percent(value: number | null, digits = 2): string {
  if (value === null) return NA;
  const text = `${(Math.abs(value) * 100).toFixed(digits).replace(/\.0+$|(\.\d*?)0+$/, '$1')}%`;
  return value < 0 && text !== '0%' ? `−${text}` : text;
}

/** Attainment: up to three decimals, never rounded up to a misleading 100%. */
export function attainment(value: number | null): string {
  if (value === null) return NA;
  const floored = Math.floor(value * 100_000) / 1000;
  return `${floored.toFixed(3).replace(/\.?0+$/, '')}%`;
}

/** A change in percentage points, signed: "+1.5 pp", "−0.02 pp". */
export function points(delta: number | null, digits = 2): string {
  if (delta === null) return NA;
  const rounded = Number((delta * 100).toFixed(digits));
  if (rounded === 0) return '±0 pp';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded)} pp`;
}

export function signedCount(now: number, before: number): string {
  const d = now - before;
  return d === 0 ? '±0' : d > 0 ? `+${d}` : `−${-d}`;
}

export function duration(seconds: number | null): string {
  if (seconds === null) return NA;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d ? `${d}d` : '', h ? `${h}h` : '', m && !d ? `${m}m` : ''].filter(Boolean).join(' ') || '0m';
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

export function weeks(value: number | null): string {
  if (value === null) return NA;
  if (value === 0) return 'exhausted';
  return value < 1 ? `${(value * 7).toFixed(1)} days` : `${value.toFixed(1)} weeks`;
}

/** "Mon 16 Nov 2026 – Mon 23 Nov 2026 (UTC)". */
export function periodRange(start: string, end: string): string {
  const f = (iso: string) =>
    new Date(iso).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return `${f(start)} – ${f(end)} (UTC)`;
}

export function timestamp(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

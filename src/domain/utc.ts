/** A date as every text output writes it in UTC: "2026-11-24 14:03:00 UTC". */
export function utc(at: Date): string {
  return at.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

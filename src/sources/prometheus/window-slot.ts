// A query text with its window left open. An SLO asks the same query over several windows, and a
// fleet's SLOs differ in one label value: built once per SLO with the window open, the queries are
// planned once per SLO (batch-queries.ts) instead of once per SLO and window, then filled.

/**
 * Stands where the window's duration goes. Private-use characters: PromQL allows them nowhere
 * outside string literals, so they cannot be mistaken for anything a user wrote.
 */
export const WINDOW_SLOT = '\uE000\uE001';

/** The query with every slot filled with one duration ("5m", "28d"). */
export function fillWindow(text: string, duration: string): string {
  return text.replaceAll(WINDOW_SLOT, duration);
}

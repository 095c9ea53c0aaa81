// The five states an SLO is shown in, worst first. Each has a word, a shape and a colour
// from the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies);
// the word and the shape carry the meaning, the colour only repeats it.
import type { SloStatus } from '../domain/evaluation.ts';

export type ConsoleStatus = 'page' | 'ticket' | 'unknown' | 'nodata' | 'ok';

export const STATUS_ORDER: readonly ConsoleStatus[] = ['page', 'ticket', 'unknown', 'nodata', 'ok'];

export const STATUS_LABEL: Record<ConsoleStatus, string> = {
  page: 'page',
  ticket: 'ticket',
  unknown: 'unknown',
  nodata: 'no data',
  ok: 'ok',
};

/** A stored status (or none yet) as the console shows it: an error is unknown, never ok. */
export function consoleStatus(status: SloStatus | undefined): ConsoleStatus {
  if (status === undefined) return 'nodata';
  if (status === 'error') return 'unknown';
  return status;
}

export const statusRank = (s: ConsoleStatus): number => STATUS_ORDER.indexOf(s);

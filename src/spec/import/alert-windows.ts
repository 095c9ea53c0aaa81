// Sloth's `kind: AlertWindows` (its --slo-period-windows-path catalog): the page and ticket
// windows for one SLO period, as a burnwatch tier table. Given with `--windows`, a table replaces
// the default tiers of every SLO whose window is that period, and gives Sloth SLOs (which have no
// period of their own) their period when it is the only one.
import { z } from 'zod';
import { formatDuration, isDuration, parseDuration } from '../../domain/duration.ts';
import type { Severity } from '../../domain/slo.ts';
import type { Path } from '../problem.ts';
import type { ImportNote } from './imported.ts';
import { parseForeign } from './imported.ts';

const Duration = z.string().refine((v) => isDuration(v) && parseDuration(v) > 0, { message: 'must be a duration such as 5m, 1h or 30d' });
const Window = z.strictObject({ errorBudgetPercent: z.number().gt(0).max(100), shortWindow: Duration, longWindow: Duration });
const Pair = z.strictObject({ quick: Window, slow: Window });
const Doc = z.strictObject({
  apiVersion: z.literal('sloth.slok.dev/v1'),
  kind: z.literal('AlertWindows'),
  metadata: z.record(z.string(), z.unknown()).optional(),
  spec: z.strictObject({ sloPeriod: Duration, page: Pair, ticket: Pair }),
});

/** A tier as a native document writes it. */
export interface TierRow {
  severity: Severity;
  budgetPercent: number;
  long: string;
  short: string;
}

export interface AlertWindowsTable {
  period: string;
  periodSeconds: number;
  tiers: TierRow[];
  /** Where it was written, for messages. */
  file: string;
}

export function isAlertWindows(doc: Record<string, unknown>): boolean {
  return doc.apiVersion === 'sloth.slok.dev/v1' && doc.kind === 'AlertWindows';
}

export function readAlertWindows(doc: Record<string, unknown>, file: string, notes: ImportNote[]): AlertWindowsTable | undefined {
  const parsed = parseForeign(Doc, doc, notes, 'Sloth AlertWindows');
  if (!parsed) return undefined;
  const { sloPeriod, page, ticket } = parsed.spec;
  const periodSeconds = parseDuration(sloPeriod);
  const tiers: TierRow[] = [];
  const rows: Array<[Severity, 'page' | 'ticket', 'quick' | 'slow', z.infer<typeof Window>]> = [
    ['page', 'page', 'quick', page.quick],
    ['page', 'page', 'slow', page.slow],
    ['ticket', 'ticket', 'quick', ticket.quick],
    ['ticket', 'ticket', 'slow', ticket.slow],
  ];
  let ok = true;
  for (const [severity, key, speed, w] of rows) {
    const at: Path = ['spec', key, speed];
    const long = parseDuration(w.longWindow);
    const short = parseDuration(w.shortWindow);
    if (short >= long) {
      notes.push({ severity: 'error', code: 'import', path: [...at, 'shortWindow'], message: `must be shorter than longWindow (${w.longWindow})` });
      ok = false;
    }
    if (long > periodSeconds) {
      notes.push({ severity: 'error', code: 'import', path: [...at, 'longWindow'], message: `must be at most sloPeriod (${sloPeriod})` });
      ok = false;
    }
    tiers.push({ severity, budgetPercent: w.errorBudgetPercent, long: formatDuration(long), short: formatDuration(short) });
  }
  return ok ? { period: formatDuration(periodSeconds), periodSeconds, tiers, file } : undefined;
}

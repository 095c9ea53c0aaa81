// The table `burnwatch check` prints for people: one line per SLO, errors underneath.
import { parseDuration } from '../../domain/duration.ts';
import type { SloEvaluation } from '../../domain/evaluation.ts';

const BAR = 10;

export function budgetBar(remaining: number | null): string {
  if (remaining === null) return `[${'?'.repeat(BAR)}]       ?`;
  const filled = Math.round(Math.min(Math.max(remaining, 0), 1) * BAR);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${`${(remaining * 100).toFixed(1)}%`.padStart(7)}`;
}

function percent(sli: number | null): string {
  return sli === null ? '?' : `${(sli * 100).toFixed(4)}%`;
}

function burn(value: number | null | undefined): string {
  if (value === null || value === undefined) return '?';
  if (value === 0) return '0';
  // Three significant digits: 1000, 333, 83.3, 6.94, 0.417.
  return value < 0.001 ? '<0.001' : String(Number(value.toPrecision(3)));
}

export function renderCheckTable(at: Date, evaluations: readonly SloEvaluation[]): string {
  // The union of windows, ascending, so SLOs with different tiers still line up.
  const windows = [...new Set(evaluations.flatMap((e) => Object.keys(e.burnRates)))];
  windows.sort((a, b) => parseDuration(a) - parseDuration(b));

  const header = ['SLO', 'STATUS', 'SLI', 'BUDGET', ...windows, 'FIRING'];
  const rows = evaluations.map((e) => [
    e.id,
    e.status,
    percent(e.sli),
    budgetBar(e.errorBudgetRemaining),
    ...windows.map((w) => (w in e.burnRates ? burn(e.burnRates[w]) : '')),
    e.tiers
      .filter((t) => t.firing)
      .map((t) => `${t.severity} ${t.long}/${t.short}`)
      .join(', ') || '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + (c.length - [...c].length))))
      .join('  ')
      .trimEnd();
  const out = [`evaluated at ${at.toISOString()} (burn rates: 1 = spending the budget exactly over the SLO window)`, line(header), ...rows.map(line)];
  const problems = evaluations.filter((e) => e.error !== undefined);
  if (problems.length > 0) out.push('', ...problems.map((e) => `${e.id} (${e.status}): ${e.error}`));
  const suppressed = evaluations.flatMap((e) => e.tiers.filter((t) => t.suppressed).map((t) => `${e.id}: ${t.severity} ${t.long}/${t.short} not fired: ${t.suppressed}`));
  if (suppressed.length > 0) out.push('', ...suppressed);
  return `${out.join('\n')}\n`;
}

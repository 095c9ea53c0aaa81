// The backtest for people in a terminal.
import { formatDuration } from '../domain/duration.ts';
import type { PolicyDiff } from './compare.ts';
import type { IncidentScore } from './incidents.ts';
import type { Firing, SloBacktest } from './replay.ts';
import type { BacktestResult } from './run-backtest.ts';

export interface BacktestReport {
  result: BacktestResult;
  compare?: PolicyDiff[];
  incidents?: IncidentScore[];
}

const pct = (x: number | null) => (x === null ? 'unknown' : `${(x * 100).toFixed(1)}%`);
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
export const span = (seconds: number) => (seconds <= 0 ? '0m' : formatDuration(Math.round(seconds / 60) * 60 || 60));
const tierName = (f: { tier: string }) => f.tier.replace(/^(page|ticket)-(.+)-(.+)$/, '$1 $2/$3');

function firingLine(f: Firing, to: string): string {
  const end = f.end ?? to;
  const length = (Date.parse(end) - Date.parse(f.start)) / 1000;
  const parts = [
    `${tierName(f).padEnd(16)} ${when(f.start)} → ${f.end ? when(f.end) : 'still firing'} (${span(length)})`,
    `delay ${f.detectionDelaySeconds === null ? '?' : span(f.detectionDelaySeconds)}`,
    `budget spent ${pct(f.budgetSpent)}`,
    `remaining ${pct(f.budgetRemaining)}`,
  ];
  if (f.notifiedAt === null) parts.push('(inhibited by a page)');
  else if (f.notifiedAt !== f.start) parts.push(`(sent ${when(f.notifiedAt)}, after the page resolved)`);
  return `    ${parts.join('  ')}`;
}

function sloText(r: SloBacktest): string[] {
  const lines = [
    `${r.id}  objective ${r.objective}% over ${r.window}`,
    `  budget remaining at the end ${pct(r.finalBudgetRemaining)}   exhausted ${span(r.budgetExhaustedSeconds)}   unknown ${span(r.unknownSeconds)}`,
    neverAnswered(r) ? '  pages/week unknown   tickets/week unknown' : `  pages/week ${r.pagesPerWeek.toFixed(2)}   tickets/week ${r.ticketsPerWeek.toFixed(2)}`,
    `  ${'tier'.padEnd(18)}${'factor'.padStart(8)}${'firings'.padStart(9)}${'sent'.padStart(6)}${'per week'.padStart(10)}`,
    ...r.tiers.map(
      (t) =>
        `  ${`${t.severity} ${t.long}/${t.short}`.padEnd(18)}${t.factor.toFixed(2).padStart(8)}${String(t.firings).padStart(9)}${String(t.notified).padStart(6)}${t.perWeek.toFixed(2).padStart(10)}`,
    ),
  ];
  if (r.firings.length > 0) lines.push('  firings:', ...r.firings.map((f) => firingLine(f, r.to)));
  for (const p of r.problems) lines.push(`  ! ${p}`);
  if (r.unknownSeconds > 0) lines.push(`  ! unknown for ${span(r.unknownSeconds)} of ${span(spanOf(r))}: the figures above count only the steps the sources answered`);
  return lines;
}

function spanOf(r: SloBacktest): number {
  return Math.max(r.stepSeconds, (Date.parse(r.to) - Date.parse(r.from)) / 1000 + r.stepSeconds);
}

/** No step had an answer: a page rate of 0 would be a guess. */
export function neverAnswered(r: SloBacktest): boolean {
  return r.unknownSeconds >= spanOf(r);
}

/** SLOs whose figures are not to be trusted: a source failed, or no step was answered. */
export function unansweredSlos(result: BacktestResult): SloBacktest[] {
  return (result.policies[0]?.results ?? []).filter((r) => r.problems.length > 0 || neverAnswered(r));
}

export function renderBacktestText(report: BacktestReport): string {
  const { result } = report;
  const out: string[] = [];
  for (const [i, { policy, results }] of result.policies.entries()) {
    out.push(`Backtest ${when(result.from)} → ${when(result.to)} UTC, step ${formatDuration(result.stepSeconds)}, policy ${i === 0 ? 'A' : 'B'}: ${policy.name}`, '');
    for (const r of results) out.push(...sloText(r), '');
    const pages = results.reduce((n, r) => n + r.pagesPerWeek, 0);
    const tickets = results.reduce((n, r) => n + r.ticketsPerWeek, 0);
    const unanswered = results.filter((r) => r.problems.length > 0 || neverAnswered(r)).length;
    out.push(
      `All ${results.length} SLOs: ${pages.toFixed(2)} pages/week, ${tickets.toFixed(2)} tickets/week` +
        (unanswered > 0 ? ` (${unanswered} of them with steps their sources did not answer: the true figures may be higher)` : ''),
    );
    const score = report.incidents?.[i];
    if (score) {
      out.push(
        `Known incidents: precision ${pct(score.precision)} (${score.truePositives} of ${score.alerts} alerts overlap an incident), ` +
          `recall ${pct(score.recall)} (${score.incidents.filter((m) => m.detected).length} of ${score.incidents.length} incidents alerted)`,
      );
      for (const m of score.incidents) {
        out.push(
          `  ${m.detected ? 'detected' : 'MISSED  '} ${m.incident.slo} ${when(m.incident.start)}${m.incident.title ? ` ${m.incident.title}` : ''}` +
            (m.delaySeconds === null ? '' : `  first alert ${m.delaySeconds < 0 ? `${span(-m.delaySeconds)} before` : `${span(m.delaySeconds)} after`} it started`),
        );
      }
      for (const x of score.ignored) out.push(`  (ignored: ${x.slo} was not backtested)`);
    }
    out.push('');
  }
  if (report.compare) {
    const [a, b] = result.policies;
    out.push(`Pages A (${a?.policy.name}) vs B (${b?.policy.name}):`);
    for (const d of report.compare) {
      out.push(`  ${d.id}: A ${d.pagesA} pages, B ${d.pagesB} pages`);
      for (const f of d.onlyA) out.push(`    only A: ${tierName(f)} ${when(f.start)}`);
      for (const f of d.onlyB) out.push(`    only B: ${tierName(f)} ${when(f.start)}`);
    }
    out.push('');
  }
  for (const s of result.skipped) out.push(`skipped ${s.id}: ${s.reason}`);
  return `${out.join('\n').trimEnd()}\n`;
}

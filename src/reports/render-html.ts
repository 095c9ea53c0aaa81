// The report as one self-contained HTML file: inline CSS and inline SVG charts, no
// scripts, no fonts or images fetched from anywhere, so it can be mailed or archived.
import { formatBudget, formatSpan } from '../lifecycle/incident-figures.ts';
import * as f from './format.ts';
import type { Recorded, ReportData, ServiceReport, SloReport, TeamReport } from './report-data.ts';
import type { TeamCharts } from './team-charts.ts';

/** Incident response times as the post-mortem writes them (src/lifecycle/incident-figures.ts). */
const figureSpan = (s: number | null) => formatSpan(s) ?? f.NA;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}
const e = escapeHtml;

const CSS = `
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;color:#111827;margin:24px auto;max-width:980px;padding:0 16px;line-height:1.45}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #e5e7eb;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}.muted{color:#6b7280}.note{background:#fef3c7;padding:6px 10px;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f9fafb;font-weight:600}
.met{color:#15803d;font-weight:600}.missed{color:#b91c1c;font-weight:600}.unknown{color:#6b7280}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}.card{flex:1 1 0;border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;min-width:110px}
.card b{display:block;font-size:20px}.chart{margin:8px 0}.chart svg{max-width:100%;height:auto}
`;

function status(s: SloReport): string {
  if (s.rolling.met === null) return '<span class="unknown">unknown</span>';
  return s.rolling.met ? '<span class="met">met</span>' : '<span class="missed">missed</span>';
}

function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function card(label: string, value: string, change: string): string {
  return `<div class="card"><b>${e(value)}</b>${e(label)} <span class="muted">(${e(change)})</span></div>`;
}

function serviceSection(s: ServiceReport, rec: Recorded): string {
  const a = s.alerts;
  const i = s.incidents;
  const r = s.remediations;
  const out = [`<h3>${e(s.service)}</h3>`];
  out.push(
    table(
      ['SLO', 'objective', 'this period', 'change', 'rolling window', 'budget left', 'change', 'budget used', 'status'],
      s.slos.map((x) => [
        `<code>${e(x.id)}</code>`,
        e(f.percent(x.objective, 3)),
        e(f.attainment(x.week.attainment)),
        e(f.points(x.change.attainment, 3)),
        `${e(f.attainment(x.rolling.attainment))} <span class="muted">(${e(x.window)})</span>`,
        e(f.percent(x.rolling.budgetRemaining, 1)),
        e(f.points(x.change.budgetRemaining, 1)),
        e(f.percent(x.week.budgetConsumed, 1)),
        status(x),
      ]),
    ),
  );
  if (!rec.alerts) out.push(`<p><b>Alerts:</b> ${f.NOT_RECORDED}.</p>`);
  else out.push(
    `<p><b>Alerts:</b> ${f.plural(a.pages, 'page')}, ${f.plural(a.tickets, 'ticket')} (last week ${a.previous.pages} and ${a.previous.tickets}); ` +
      `${a.followedByIncident} of ${a.pages + a.tickets} followed by an incident${a.noiseRatio === null ? '' : ` (noise ${e(f.percent(a.noiseRatio, 0))})`}.</p>`,
  );
  if (!rec.incidents) out.push(`<p><b>Incidents:</b> ${f.NOT_RECORDED}.</p>`);
  else out.push(
    `<p><b>Incidents:</b> ${i.count} (last week ${i.previousCount}); median time from the first page to acknowledge ${e(figureSpan(i.medianTimeToAckSeconds))}, ` +
      `to mitigate ${e(figureSpan(i.medianTimeToMitigateSeconds))}, to resolve ${e(figureSpan(i.medianTimeToResolveSeconds))}.</p>`,
  );
  if (rec.incidents && i.incidents.length > 0) {
    out.push(
      table(
        ['incident', 'SLO', 'opened', 'page → ack', 'page → mitigated', 'page → resolved', 'budget used'],
        i.incidents.map((x) =>
          [`${x.id}: ${x.title}`, x.sloId ?? f.NA, f.timestamp(x.openedAt), figureSpan(x.timeToAckSeconds), figureSpan(x.timeToMitigateSeconds), figureSpan(x.timeToResolveSeconds), formatBudget(x.budgetConsumed) ?? f.NA].map(e),
        ),
      ),
    );
  }
  if (!rec.remediations) out.push(`<p><b>Remediations:</b> ${f.NOT_RECORDED}.</p>`);
  else out.push(
    `<p><b>Remediations:</b> ${f.plural(r.rollbacks, 'rollback')}, ${f.plural(r.reruns, 're-run')}; ${r.succeeded} succeeded, ${r.failed} failed ` +
      `(last week ${r.previousCount}); median time from page to remediation ${e(f.duration(r.medianPageToRemediationSeconds))}.</p>`,
  );
  if ((s.freezes ?? []).length > 0) {
    const items = s.freezes!.map((z) => `<code>${e(z.sloId)}</code> (policy <code>${e(z.policy)}</code>) from ${e(f.timestamp(z.startedAt))} ${z.endedAt ? `to ${e(f.timestamp(z.endedAt))}` : '(still frozen)'}, ${e(f.duration(z.frozenSeconds))} this period`);
    out.push(`<p><b>Deploy freezes:</b> ${items.join('; ')}.</p>`);
  }
  if (rec.remediations && r.remediations.length > 0) {
    out.push(
      table(
        ['remediation', 'target', 'requested', 'outcome', 'page → done'],
        r.remediations.map((x) => [`${x.id} (${x.kind})`, x.target, f.timestamp(x.requestedAt), x.outcome, f.duration(x.pageToRemediationSeconds)].map(e)),
      ),
    );
  }
  return out.join('\n');
}

function teamSection(t: TeamReport, rec: Recorded, charts: TeamCharts | undefined): string {
  const p = t.totals.previous;
  const out = [`<section><h2>${e(t.team)}</h2>`, '<div class="summary">'];
  out.push(card('SLOs meeting objective', `${t.totals.meetingObjective} / ${t.totals.slos}`, `last week ${p.meetingObjective}`));
  // "1 page", "2 pages": the label agrees with the number shown above it.
  const count = (known: boolean, word: string, now: number, before: number) =>
    card(known && now === 1 ? word : `${word}s`, known ? String(now) : f.NA, known ? f.signedCount(now, before) : f.NOT_RECORDED);
  out.push(count(rec.alerts, 'page', t.totals.pages, p.pages));
  out.push(count(rec.alerts, 'ticket', t.totals.tickets, p.tickets));
  out.push(count(rec.incidents, 'incident', t.totals.incidents, p.incidents));
  out.push(count(rec.remediations, 'remediation', t.totals.remediations, p.remediations));
  out.push('</div>');
  // Vega's SVG is generated from our own data with text escaped by Vega; it holds no script.
  if (charts) out.push(`<div class="chart">${charts.burnDown.svg}</div><div class="chart">${charts.attainment.svg}</div>`);
  if (t.closestToExhaustion.length > 0) {
    out.push('<h3>Closest to exhausting the budget</h3>');
    out.push(
      table(
        ['SLO', 'budget left', 'used this period', 'left at this pace'],
        t.closestToExhaustion.map((r) => [`<code>${e(r.id)}</code>`, e(f.percent(r.budgetRemaining, 1)), e(f.percent(r.budgetConsumed, 1)), e(f.weeks(r.weeksToExhaustion))]),
      ),
    );
  }
  for (const s of t.services) out.push(serviceSection(s, rec));
  out.push('</section>');
  return out.join('\n');
}

export function renderHtml(report: ReportData, charts: ReadonlyMap<string, TeamCharts> = new Map()): string {
  const body = [
    `<h1>${e(report.title)}</h1>`,
    `<p class="muted">${e(f.periodRange(report.period.start, report.period.end))}, compared with ${e(report.previous.label)}. Generated ${e(f.timestamp(report.generatedAt))}.</p>`,
    ...report.notes.map((n) => `<p class="note">${e(n)}</p>`),
    report.teams.length === 0 ? '<p>No SLOs matched.</p>' : '',
    ...report.teams.map((t) => teamSection(t, report.recorded, charts.get(t.team))),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(report.title)}</title><style>${CSS}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

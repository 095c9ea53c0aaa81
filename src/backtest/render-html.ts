// The backtest as one self-contained HTML page: per SLO the budget over time (inline SVG,
// firings marked), the tier table and every firing.
import { formatDuration } from '../domain/duration.ts';
import type { SloBacktest } from './replay.ts';
import { type BacktestReport, span } from './render-text.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const COLOR = { page: '#c0392b', ticket: '#d68910' } as const;

/** Budget remaining over time; y spans at least 0–100 %, more when overspent. */
export function budgetChart(r: SloBacktest, width = 720, height = 180): string {
  const pad = { l: 44, r: 8, t: 8, b: 20 };
  const t0 = Date.parse(r.from);
  const t1 = Math.max(Date.parse(r.to), t0 + 1);
  const values = r.budget.map(([, v]) => v).filter((v): v is number => v !== null);
  const lo = Math.min(0, ...values);
  const hi = Math.max(1, ...values);
  const x = (iso: string) => pad.l + ((Date.parse(iso) - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + ((hi - v) / (hi - lo)) * (height - pad.t - pad.b);
  let path = '';
  let pen = false;
  for (const [at, v] of r.budget) {
    if (v === null) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${x(at).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  }
  const marks = r.firings
    .filter((f) => f.notifiedAt !== null)
    .map((f) => {
      const x0 = x(f.start);
      const x1 = Math.max(x0 + 1, x(f.end ?? r.to));
      return `<rect x="${x0.toFixed(1)}" y="${pad.t}" width="${(x1 - x0).toFixed(1)}" height="${height - pad.t - pad.b}" fill="${COLOR[f.severity]}" opacity="0.25"><title>${esc(`${f.tier} ${when(f.start)}`)}</title></rect>`;
    })
    .join('');
  const ticks = [hi, 1, 0.5, 0, lo]
    .filter((v, i, a) => a.indexOf(v) === i)
    .map((v) => `<text x="${pad.l - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v * 100)}%</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="error budget remaining of ${esc(r.id)}" font-size="10" font-family="sans-serif">
<rect x="${pad.l}" y="${pad.t}" width="${width - pad.l - pad.r}" height="${height - pad.t - pad.b}" fill="#fafafa" stroke="#ddd"/>${marks}
<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#888" stroke-dasharray="3,3"/>${ticks}
<path d="${path}" fill="none" stroke="#1f618d" stroke-width="1.5"/>
<text x="${pad.l}" y="${height - 4}">${esc(when(r.from))}</text><text x="${width - pad.r}" y="${height - 4}" text-anchor="end">${esc(when(r.to))}</text>
</svg>`;
}

function sloSection(r: SloBacktest): string {
  const tiers = r.tiers
    .map((t) => `<tr><td>${t.severity} ${t.long}/${t.short}</td><td>${t.factor.toFixed(2)}</td><td>${t.firings}</td><td>${t.notified}</td><td>${t.perWeek.toFixed(2)}</td></tr>`)
    .join('');
  const firings = r.firings
    .map((f) => {
      const length = (Date.parse(f.end ?? r.to) - Date.parse(f.start)) / 1000;
      return `<tr style="color:${COLOR[f.severity]}"><td>${esc(f.tier)}</td><td>${when(f.start)}</td><td>${f.end ? when(f.end) : 'still firing'}</td><td>${span(length)}</td><td>${f.detectionDelaySeconds === null ? '–' : span(f.detectionDelaySeconds)}</td><td>${pct(f.budgetSpent)}</td><td>${pct(f.budgetRemaining)}</td><td>${f.notifiedAt === null ? 'inhibited' : when(f.notifiedAt)}</td></tr>`;
    })
    .join('');
  return `<section><h2>${esc(r.id)}</h2>
<p>objective ${r.objective}% over ${esc(r.window)} · budget remaining at the end <b>${pct(r.finalBudgetRemaining)}</b> · exhausted ${span(r.budgetExhaustedSeconds)} · unknown ${span(r.unknownSeconds)} · <b>${r.pagesPerWeek.toFixed(2)}</b> pages/week · <b>${r.ticketsPerWeek.toFixed(2)}</b> tickets/week</p>
${budgetChart(r)}
<table><tr><th>tier</th><th>factor</th><th>firings</th><th>sent</th><th>per week</th></tr>${tiers}</table>
${firings ? `<table><tr><th>tier</th><th>start</th><th>end</th><th>length</th><th>delay</th><th>budget spent</th><th>remaining</th><th>sent</th></tr>${firings}</table>` : '<p>No firing.</p>'}
${r.problems.map((p) => `<p class="warn">${esc(p)}</p>`).join('')}
</section>`;
}

export function renderBacktestHtml(report: BacktestReport): string {
  const { result } = report;
  const body = result.policies
    .map(({ policy, results }, i) => {
      const score = report.incidents?.[i];
      const scoreHtml = score
        ? `<p>Known incidents: precision <b>${pct(score.precision)}</b> (${score.truePositives}/${score.alerts} alerts), recall <b>${pct(score.recall)}</b> (${score.incidents.filter((m) => m.detected).length}/${score.incidents.length} incidents).</p>`
        : '';
      return `<h1>Policy ${i === 0 ? 'A' : 'B'}: ${esc(policy.name)}</h1>${scoreHtml}${results.map(sloSection).join('\n')}`;
    })
    .join('\n');
  const compare = report.compare
    ? `<h1>Pages only one policy sends</h1><table><tr><th>SLO</th><th>pages A</th><th>pages B</th><th>only A</th><th>only B</th></tr>${report.compare
        .map(
          (d) =>
            `<tr><td>${esc(d.id)}</td><td>${d.pagesA}</td><td>${d.pagesB}</td><td>${d.onlyA.map((f) => esc(`${f.tier} ${when(f.start)}`)).join('<br>')}</td><td>${d.onlyB.map((f) => esc(`${f.tier} ${when(f.start)}`)).join('<br>')}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>burnwatch backtest</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse;margin:.5em 0}td,th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left;font-size:13px}section{margin-bottom:2em}.warn{color:#c0392b}</style>
</head><body>
<p>Backtest ${esc(when(result.from))} → ${esc(when(result.to))} UTC, step ${formatDuration(result.stepSeconds)}. Shaded: alerts sent (red pages, amber tickets).</p>
${body}
${compare}
${result.skipped.map((s) => `<p class="warn">skipped ${esc(s.id)}: ${esc(s.reason)}</p>`).join('')}
</body></html>
`;
}

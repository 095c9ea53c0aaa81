// The report as Markdown (GitHub flavoured): one section per team, one table per
// service. Charts are linked as image files when the caller wrote them.
import { formatBudget, formatSpan } from '../lifecycle/incident-figures.ts';
import * as f from './format.ts';
import type { Recorded, ReportData, ServiceReport, SloReport, TeamReport } from './report-data.ts';

/** Incident response times as the post-mortem writes them (src/lifecycle/incident-figures.ts). */
const figureSpan = (s: number | null) => formatSpan(s) ?? f.NA;

export interface MarkdownOptions {
  /** Relative path of a team's chart image, when charts were written next to the report. */
  chartPath?: (team: string, chart: 'burn-down' | 'attainment') => string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The first `textColumns` columns are left-aligned, the figures after them right-aligned. */
function table(header: string[], rows: string[][], textColumns = 1): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < textColumns ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function met(s: SloReport): string {
  return s.rolling.met === null ? '❔' : s.rolling.met ? '✅' : '❌';
}

function teamSummary(t: TeamReport, rec: Recorded): string {
  const p = t.totals.previous;
  return [
    `**${t.totals.meetingObjective} of ${t.totals.slos} SLOs** meet their objective over the rolling window (last week ${p.meetingObjective})`,
    rec.alerts
      ? `${f.plural(t.totals.pages, 'page')} (${f.signedCount(t.totals.pages, p.pages)}), ${f.plural(t.totals.tickets, 'ticket')} (${f.signedCount(t.totals.tickets, p.tickets)})`
      : `alerts ${f.NOT_RECORDED}`,
    rec.incidents ? `${f.plural(t.totals.incidents, 'incident')} (${f.signedCount(t.totals.incidents, p.incidents)})` : `incidents ${f.NOT_RECORDED}`,
    rec.remediations
      ? `${f.plural(t.totals.remediations, 'remediation')} (${f.signedCount(t.totals.remediations, p.remediations)})`
      : `remediations ${f.NOT_RECORDED}`,
  ].join(' · ');
}

function sloTable(service: ServiceReport): string {
  return table(
    ['SLO', 'objective', 'this period', 'change', 'rolling window', 'budget left', 'change', 'budget used this period', 'status'],
    service.slos.map((s) => [
      `\`${s.id}\``,
      f.percent(s.objective, 3),
      f.attainment(s.week.attainment),
      f.points(s.change.attainment, 3),
      `${f.attainment(s.rolling.attainment)} (${s.window})`,
      f.percent(s.rolling.budgetRemaining, 1),
      f.points(s.change.budgetRemaining, 1),
      f.percent(s.week.budgetConsumed, 1),
      met(s),
    ]),
  );
}

function serviceSection(service: ServiceReport, rec: Recorded): string {
  const a = service.alerts;
  const parts = [`### ${service.service}`, '', sloTable(service), ''];
  if (rec.alerts) parts.push(
    `**Alerts:** ${f.plural(a.pages, 'page')}, ${f.plural(a.tickets, 'ticket')} (last week ${a.previous.pages} and ${a.previous.tickets}); ` +
      `${a.followedByIncident} of ${a.pages + a.tickets} followed by an incident` +
      (a.noiseRatio === null ? '.' : ` (noise ${f.percent(a.noiseRatio, 0)}).`),
    '',
  );
  else parts.push(`**Alerts:** ${f.NOT_RECORDED}.`, '');
  const i = service.incidents;
  if (!rec.incidents) parts.push(`**Incidents:** ${f.NOT_RECORDED}.`, '');
  else parts.push(
    `**Incidents:** ${i.count} (last week ${i.previousCount}); median time from the first page to acknowledge ${figureSpan(i.medianTimeToAckSeconds)}, ` +
      `to mitigate ${figureSpan(i.medianTimeToMitigateSeconds)}, to resolve ${figureSpan(i.medianTimeToResolveSeconds)}.`,
    '',
  );
  if (rec.incidents && i.incidents.length > 0) {
    parts.push(
      table(
        ['incident', 'SLO', 'opened', 'page → ack', 'page → mitigated', 'page → resolved', 'budget used'],
        i.incidents.map((e) => [
          `${e.id}: ${e.title}`,
          e.sloId ?? f.NA,
          f.timestamp(e.openedAt),
          figureSpan(e.timeToAckSeconds),
          figureSpan(e.timeToMitigateSeconds),
          figureSpan(e.timeToResolveSeconds),
          formatBudget(e.budgetConsumed) ?? f.NA,
        ]),
        3,
      ),
      '',
    );
  }
  const r = service.remediations;
  if (!rec.remediations) parts.push(`**Remediations:** ${f.NOT_RECORDED}.`, '');
  else parts.push(
    `**Remediations:** ${f.plural(r.rollbacks, 'rollback')}, ${f.plural(r.reruns, 're-run')}; ${r.succeeded} succeeded, ${r.failed} failed ` +
      `(last week ${r.previousCount}); median time from page to remediation ${f.duration(r.medianPageToRemediationSeconds)}.`,
    '',
  );
  const freezes = freezeLine(service);
  if (freezes) parts.push(freezes, '');
  if (rec.remediations && r.remediations.length > 0) {
    parts.push(
      table(
        ['remediation', 'target', 'requested', 'outcome', 'page → done'],
        r.remediations.map((e) => [
          `${e.id} (${e.kind})`,
          e.target,
          f.timestamp(e.requestedAt),
          e.outcome,
          f.duration(e.pageToRemediationSeconds),
        ]),
        4,
      ),
      '',
    );
  }
  return parts.join('\n');
}

/** Deploy freezes of the error-budget policy, when there were any. */
function freezeLine(service: ServiceReport): string | undefined {
  const list = service.freezes ?? [];
  if (list.length === 0) return undefined;
  const items = list.map((z) => `\`${z.sloId}\` (policy \`${z.policy}\`) from ${f.timestamp(z.startedAt)} ${z.endedAt ? `to ${f.timestamp(z.endedAt)}` : '(still frozen)'}, ${f.duration(z.frozenSeconds)} this period`);
  return `**Deploy freezes:** ${items.join('; ')}.`;
}

function teamSection(t: TeamReport, rec: Recorded, options: MarkdownOptions): string {
  const parts = [`## ${t.team}`, '', teamSummary(t, rec), ''];
  if (options.chartPath) {
    parts.push(`![${t.team}: error budget remaining](${options.chartPath(t.team, 'burn-down')})`, '');
    parts.push(`![${t.team}: attainment vs objective](${options.chartPath(t.team, 'attainment')})`, '');
  }
  if (t.closestToExhaustion.length > 0) {
    parts.push(
      '**Closest to exhausting the budget**',
      '',
      table(
        ['SLO', 'budget left', 'used this period', 'left at this pace'],
        t.closestToExhaustion.map((r) => [`\`${r.id}\``, f.percent(r.budgetRemaining, 1), f.percent(r.budgetConsumed, 1), f.weeks(r.weeksToExhaustion)]),
      ),
      '',
    );
  }
  for (const service of t.services) parts.push(serviceSection(service, rec));
  return parts.join('\n');
}

export function renderMarkdown(report: ReportData, options: MarkdownOptions = {}): string {
  const parts = [
    `# ${report.title}`,
    '',
    `${f.periodRange(report.period.start, report.period.end)}, compared with ${report.previous.label}. Generated ${f.timestamp(report.generatedAt)}.`,
    '',
  ];
  for (const note of report.notes) parts.push(`> ${note}`, '');
  if (report.teams.length === 0) parts.push('No SLOs matched.', '');
  for (const t of report.teams) parts.push(teamSection(t, report.recorded, options));
  return `${parts.join('\n').trimEnd()}\n`;
}

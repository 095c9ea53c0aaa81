// `burnwatch demo` end to end on embedded SQLite: telemetry → SQL source → evaluation cycles →
// outbox → timeline, then incidents, post-mortems and the weekly report. Hourly cycles keep it
// short; the command defaults to 15 minutes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from '../../src/demo/run-demo.ts';
import { type IncidentWithFigures, readIncidents } from '../../src/incidents/incident-record.ts';
import { formatBudget, formatSpan } from '../../src/lifecycle/incident-figures.ts';
import { renderSlackMessage } from '../../src/slack/report/render-slack.ts';
import { renderIncidentSummary } from '../../src/slack/blocks/incident-summary.ts';
import { openStore } from '../../src/store/open-store.ts';

describe('burnwatch demo', () => {
  let dir: string;
  let result: DemoResult;
  let incidents: IncidentWithFigures[];
  const lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'burnwatch-demo-'));
    result = await runDemo({ dir, root: process.cwd(), stepSeconds: 3600, now: new Date('2026-11-20T12:00:00Z'), print: (l) => lines.push(l) });
    // The stored records every output was written from.
    const store = await openStore({ dataDir: result.stateDir });
    try {
      incidents = (await readIncidents(store.db)).reverse();
    } finally {
      await store.close();
    }
  }, 900_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tells the week as it unfolds: both incidents page, then resolve', () => {
    const text = lines.join('\n');
    expect(text).toMatch(/week 2026-W46/);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    // The bad deploy on Tuesday pages on ranking latency after the story says it happened.
    expect(at(/Tue 14:05 {2}── hstu-ranker v2/)).toBeGreaterThan(0);
    expect(at(/Tue 1[45]:00 {2}PAGE {3}hstu-ranker\/ranking-latency/)).toBeGreaterThan(at(/Tue 14:05 {2}──/));
    // The stall on Thursday night pages on training throughput, then on model freshness.
    expect(at(/Thu 2[23]:00 {2}PAGE {3}training\/hstu-throughput/)).toBeGreaterThan(0);
    expect(at(/Fri 0[2-4]:00 {2}PAGE {3}hstu-ranker\/model-freshness/)).toBeGreaterThan(at(/PAGE {3}training\/hstu-throughput/));
    // Nothing pages in the quiet days.
    expect(lines.filter((l) => /^ {2}(Mon|Wed|Sat|Sun) \d\d:\d\d {2}PAGE/.test(l))).toEqual([]);
    // Every page resolves within the week.
    for (const slo of ['hstu-ranker/ranking-latency', 'training/hstu-throughput', 'hstu-ranker/model-freshness']) {
      expect(text).toMatch(new RegExp(`ok {5}${slo.replace('/', '\\/')} .* page resolved`));
    }
    expect(result.notIncluded).toEqual([]);
  });

  it('writes a post-mortem per incident from the playbook template', async () => {
    const postmortems = result.files.filter((f) => f.includes(`${path.sep}postmortems${path.sep}`));
    expect(postmortems).toHaveLength(2);
    const deploy = await readFile(postmortems[0]!, 'utf8');
    expect(deploy).toMatch(/^# Post-mortem: Bad model deploy regresses ranking latency/);
    expect(deploy).toMatch(/hstu-ranker\/ranking-latency/);
    expect(deploy).toMatch(/## Timeline/);
    const stall = await readFile(postmortems[1]!, 'utf8');
    expect(stall).toMatch(/^# Post-mortem: Training pipeline stalls/);
    expect(stall).toMatch(/Also affected: `hstu-ranker\/model-freshness`/);
  });

  it('writes the weekly report with the week\'s incidents', async () => {
    const md = result.files.find((f) => f.endsWith('.md') && f.includes(`${path.sep}report${path.sep}`))!;
    const html = result.files.find((f) => f.endsWith('.html'))!;
    const report = await readFile(md, 'utf8');
    expect(report).toMatch(/2026-W46/);
    expect(report).toMatch(/hstu-ranker\/ranking-latency|ranking-latency/);
    expect(report).toMatch(/Training pipeline stalls|incident/i);
    expect(await readFile(html, 'utf8')).toMatch(/<html/i);
  });

  it('shows every incident\'s figures identically in the post-mortem, the report (Markdown, HTML, Slack) and the Slack summary', async () => {
    expect(incidents.map((i) => i.incident.sloIds)).toEqual([['hstu-ranker/ranking-latency'], ['training/hstu-throughput', 'hstu-ranker/model-freshness']]);
    const reportMd = await readFile(result.files.find((f) => f.endsWith('.md') && f.includes(`${path.sep}report${path.sep}`))!, 'utf8');
    const reportHtml = await readFile(result.files.find((f) => f.endsWith('.html'))!, 'utf8');
    const slackReport = result.report.teams.map((t) => JSON.stringify(renderSlackMessage(result.report, t).blocks)).join('\n');
    for (const { incident, figures } of incidents) {
      const span = (s: number | null) => formatSpan(s)!;
      const [primary, ...others] = figures.slos;
      // Every figure is known: the incident is resolved and its SLOs were evaluated throughout.
      for (const s of figures.slos) expect(s.consumed).toBeGreaterThan(0);
      expect(figures.toMitigateSeconds).not.toBeNull();
      // Mitigated means the burn stopped: never after the incident was resolved.
      expect(figures.toMitigateSeconds!).toBeLessThanOrEqual(figures.toResolveSeconds!);

      const postmortem = await readFile(result.files.find((f) => path.basename(f).startsWith(`INC-${incident.id}-`))!, 'utf8');
      expect(postmortem).toContain(`- Error budget spent: ${formatBudget(primary!.consumed)} of the 28d budget`);
      for (const other of others) {
        // An "also affected" SLO shows its own figure, not the primary's.
        expect(other.consumed).not.toBeCloseTo(primary!.consumed!, 4);
        expect(postmortem).toContain(`- Also affected: \`${other.sloId}\`, ${formatBudget(other.consumed)} of its budget spent`);
      }
      expect(postmortem).toContain(`| Time to detect | burn start → first page | ${span(figures.toDetectSeconds)} |`);
      expect(postmortem).toContain(`| Time to acknowledge | first page → acknowledged | ${span(figures.toAcknowledgeSeconds)} |`);
      expect(postmortem).toContain(`| Time to mitigate | first page → mitigated (burn stopped) | ${span(figures.toMitigateSeconds)} |`);
      expect(postmortem).toContain(`| Time to resolve | first page → resolved | ${span(figures.toResolveSeconds)} |`);
      expect(postmortem).toContain(`| Impact duration | burn start → mitigated | ${span(figures.impactSeconds)} |`);
      expect(postmortem).toContain('mitigated = the first of: a verified remediation succeeded, or the shortest-window burn rate of every affected SLO fell below 1×');
      expect(postmortem).not.toContain('no channel');

      const times = [span(figures.toAcknowledgeSeconds), span(figures.toMitigateSeconds), span(figures.toResolveSeconds)];
      for (const s of figures.slos) {
        // One row per affected SLO, in the section of that SLO's service, with that SLO's figure.
        const title = `INC-${incident.id}: ${incident.title}`;
        expect(reportMd).toMatch(new RegExp(`\\| ${literal(title)} \\| ${literal(s.sloId)} \\| [^|]+ \\| ${times.map(literal).join(' \\| ')} \\| ${literal(formatBudget(s.consumed)!)} \\|`));
        expect(reportHtml).toMatch(new RegExp(`<td>${literal(s.sloId)}</td><td>[^<]+</td>${times.map((t) => `<td>${literal(t)}</td>`).join('')}<td>${literal(formatBudget(s.consumed)!)}</td>`));
        expect(slackReport).toContain(`• INC-${incident.id} ${incident.title}: ack ${times[0]}, mitigate ${times[1]}, resolve ${times[2]}, budget used ${formatBudget(s.consumed)} of \``);
      }
      const summary = JSON.stringify(renderIncidentSummary(incident, [], incident.resolvedAt!, figures).blocks);
      for (const s of figures.slos) expect(summary).toContain(`\`${s.sloId}\` ${formatBudget(s.consumed)}`);
      expect(summary).toContain(`*mitigate* ${span(figures.toMitigateSeconds)}`);
    }
    // Pages of an "also affected" SLO were part of the incident: not noise.
    expect(reportMd).not.toMatch(/noise [1-9]/);
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sampleInputs } from './__fixtures__/sample.ts';
import { buildReport } from './build-report.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderSlackMessage } from '../slack/report/render-slack.ts';
import { renderAllCharts } from './team-charts.ts';

const report = buildReport(sampleInputs());

describe('Markdown', () => {
  it('has a section per team and service with the figures, and links the charts', () => {
    const md = renderMarkdown(report, { chartPath: (team, chart) => `charts/${team}-${chart}.png` });
    expect(md).toMatch(/^# Reliability report 2026-W47\n/);
    expect(md).toContain('## ranking');
    expect(md).toContain('### ranker');
    expect(md).toContain('| `ranker/availability` | 99.9% | 99.97% | −0.02 pp | 99.95% (28d) | 50% | −5 pp | 7.5% | ✅ |');
    expect(md).toContain('| `ranker/latency` | −12.5% | 50% | exhausted |');
    expect(md).toContain('2 pages, 1 ticket (last week 1 and 0); 1 of 3 followed by an incident (noise 67%)');
    expect(md).toContain('| INC-1: Ranker p99 over 200 ms | ranker/latency | 2026-11-17 03:02 UTC | 4m | 25m | 1h 10m | 30% |');
    expect(md).toContain('median time from page to remediation 24m');
    expect(md).toContain('![ranking: error budget remaining](charts/ranking-burn-down.png)');
    expect(md).toContain('> No data for trainer/throughput');
  });
});

describe('activity the store does not record', () => {
  it('is shown as not recorded, never as zero', () => {
    const unrecorded = buildReport({ ...sampleInputs(), alerts: [], incidents: [], remediations: [], recorded: { alerts: false, incidents: false, remediations: false } });
    const md = renderMarkdown(unrecorded);
    expect(md).toContain('alerts not recorded · incidents not recorded · remediations not recorded');
    expect(md).toContain('**Alerts:** not recorded.');
    expect(md).not.toMatch(/0 pages|0 incidents|0 rollbacks/);
    const ranking = unrecorded.teams.find((t) => t.team === 'ranking')!;
    expect(JSON.stringify(renderSlackMessage(unrecorded, ranking).blocks)).toContain('Alerts: not recorded');
    expect(renderHtml(unrecorded)).toContain('<p><b>Incidents:</b> not recorded.</p>');
  });
});

describe('Slack', () => {
  it('builds one Block Kit message per team with the charts as uploaded image files', () => {
    const ranking = report.teams.find((t) => t.team === 'ranking')!;
    const message = renderSlackMessage(report, ranking, { burnDownFileId: 'F1', attainmentFileId: 'F2' });
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'ranking: reliability 2026-W47' } });
    expect(message.blocks.filter((b) => b.type === 'image').map((b) => (b as { slack_file: { id: string } }).slack_file.id)).toEqual(['F1', 'F2']);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('2/3 SLOs meet their objective');
    expect(text).toContain('`ranker/latency` −12.5% left, 50% used this period, exhausted at this pace');
    expect(message.text).toContain('ranking: reliability 2026-W47');
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('HTML', () => {
  it('is self-contained and renders in headless Chromium without errors, and is not blank', async () => {
    const html = renderHtml(report, await renderAllCharts(report));
    // Nothing the browser would fetch: no src/href/url() to anywhere, no scripts.
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?!#|data:)/i);
    expect(html).not.toMatch(/url\(\s*["']?(?!#|data:)/i);
    expect(html).not.toMatch(/<script|<link|@import/i);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.setContent(html, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([]);

      expect(await page.title()).toBe('Reliability report 2026-W47');
      expect(await page.locator('h2').allTextContents()).toEqual(['ranking', 'training']);
      expect(await page.locator('svg').count()).toBe(4);
      const svgBox = await page.locator('svg').first().boundingBox();
      expect(svgBox!.width).toBeGreaterThan(300);

      // Not blank: decode the screenshot in the browser and count pixels that are not white.
      const shot = (await page.screenshot({ fullPage: true })).toString('base64');
      const check = await browser.newPage();
      // (a string: it runs in the page, where the DOM types this project does not compile against exist)
      const inked = (await check.evaluate(`(async () => {
        const img = new Image();
        img.src = 'data:image/png;base64,${shot}';
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        let count = 0;
        let red = false;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) count++;
          if (data[i] > 150 && data[i + 1] < 60 && data[i + 2] < 60) red = true;
        }
        return { count, total: data.length / 4, red };
      })()`)) as { count: number; total: number; red: boolean };
      expect(inked.count / inked.total).toBeGreaterThan(0.01);
      expect(inked.red).toBe(true); // the missed latency SLO is drawn in red
    } finally {
      await browser.close();
    }
  });
});

// The web console end to end, as a user meets it: `burnwatch serve` (a real process) on a
// real Prometheus where one SLO burns, PostgreSQL as the store, and real Chromium. History
// is what the real evaluator computed at past instants, saved the way the cycle saves it;
// the incident is written through the incident repository, as the Slack bot writes it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAll } from '../../src/evaluator/evaluate-all.ts';
import { formatBudget } from '../../src/lifecycle/incident-figures.ts';
import { addTimeline, insertIncident, savePostmortem, updateIncident } from '../../src/incidents/incident-store.ts';
import { loadSpecs } from '../../src/spec/load.ts';
import { buildSources, closeSources } from '../../src/sources/registry.ts';
import { openStore } from '../../src/store/open-store.ts';
import { saveEvaluation } from '../../src/store/repositories/evaluations.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, REPO_ROOT, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { until } from '../helpers/until.ts';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../helpers/test-databases.ts';

const TOKEN = 'console-e2e-token-0123456789abcdef';
const NOW = Math.floor(Date.now() / 60_000) * 60;
// 1.5 % of requests fail for the last 2 hours: burn rate 15 at 99.9 %, the 1h/5m page tier (13.44) fires.
const BURN_START = NOW - 2 * 3600;
const SHOTS = path.join(REPO_ROOT, '.tmp', 'console');

const SLOS = (promUrl: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${promUrl}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: hstu-ranker, owner: recs-serving, labels: { tier: critical } }
spec:
  description: 99.9 % of ranking requests succeed (no 5xx)
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
  alerting:
    runbook: playbooks/ranking-availability.md
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: product-search, owner: search }
spec:
  description: Product search answers without server errors
  objective: 99.5
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(search_requests_total{code=~"5.."}[$window]))
      total: sum(increase(search_requests_total[$window]))
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: feature-freshness, service: feature-store, owner: recs-data }
spec:
  description: Features are at most 1 hour old
  objective: 99
  window: 28d
  indicator:
    freshness:
      query: max(feature_store_last_update_timestamp_seconds)
      maxAge: 1h
`;

let prom: PrometheusServer;
let db: TestDatabase;
let dir: string;
let bw: BurnwatchProcess;
let browser: Browser;
let incidentId: number;

interface ApiSlo {
  id: string;
  status: string;
  sli: number;
  errorBudgetRemaining: number;
  burnRates: Record<string, number>;
  tiers: Array<{ long: string; firing: boolean }>;
}

async function apiSlos(): Promise<{ slos: ApiSlo[] }> {
  const res = await fetch(`${bw.url}/api/slos`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return res.json() as Promise<{ slos: ApiSlo[] }>;
}

beforeAll(async () => {
  const s = scenario({ start: NOW - 2 * 86_400, end: NOW + 3600, step: 60 })
    .counter('ranker_requests_total', { code: '200' }, [profile(50), profile(1).step(BURN_START, 0.985)])
    .counter('ranker_requests_total', { code: '500' }, [profile(50), profile(0).step(BURN_START, 0.015)])
    .counter('search_requests_total', { code: '200' }, [profile(30)])
    .counter('search_requests_total', { code: '500' }, [profile(0)]);
  prom = await startPrometheus(s);
  db = await createPostgresDatabase('bw_console');
  dir = await makeTempDir();
  await fs.mkdir(path.join(dir, 'slos'));
  await fs.writeFile(path.join(dir, 'slos', 'slos.yaml'), SLOS(prom.url));

  // Six hours of history, every 5 minutes, from the real evaluator.
  const loaded = await loadSpecs([path.join(dir, 'slos')], { cwd: REPO_ROOT, env: {} });
  expect(loaded.problems.filter((p) => p.severity !== 'warning')).toEqual([]);
  const store = await openStore({ databaseUrl: db.url, dataDir: dir });
  const sources = buildSources(loaded.sources);
  try {
    for (let t = NOW - 6 * 3600; t < NOW - 60; t += 300) {
      for (const e of await evaluateAll(loaded.slos, sources, new Date(t * 1000))) await saveEvaluation(store.db, e);
    }
    const { incident } = await insertIncident(store.db, {
      key: 'console-e2e',
      title: 'Ranking requests failing',
      severity: 'page',
      source: 'alert',
      sloIds: ['hstu-ranker/availability'],
      alertId: null,
      openedAt: new Date((BURN_START + 900) * 1000),
      openedBy: { id: 'U1', name: 'ana' },
      startedAt: new Date(BURN_START * 1000),
      detectedAt: new Date((BURN_START + 600) * 1000),
      acknowledgedAt: new Date((BURN_START + 840) * 1000),
      usergroup: null,
      budgetAtStart: 0.99,
    });
    incidentId = incident.id;
    await updateIncident(store.db, incidentId, { commander: { id: 'U1', name: 'ana' } });
    await addTimeline(store.db, incidentId, { at: new Date((BURN_START + 600) * 1000), kind: 'alert', actor: null, text: 'page 1h/5m fired (15× against 13.44×)' });
    await addTimeline(store.db, incidentId, { at: new Date((BURN_START + 840) * 1000), kind: 'click', actor: { id: 'U1', name: 'ana' }, text: 'acknowledged the alert' });
    await addTimeline(store.db, incidentId, { at: new Date((BURN_START + 1200) * 1000), kind: 'note', actor: { id: 'U2', name: 'bo' }, text: 'errors started with the 14:02 deploy of ranker v42' });
    await savePostmortem(store.db, incidentId, '# Post-mortem: ranking requests failing\n\n## Impact\n\n1.5 % of ranking requests failed for two hours.\n\n<script>window.pwned = 1</script>\n\n- [x] roll back\n- [ ] add a canary\n', new Date(NOW * 1000));
  } finally {
    await closeSources(sources);
    await store.close();
  }

  bw = await startBurnwatch({
    DATABASE_URL: db.url,
    BURNWATCH_LEADER: 'none',
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_PORT: '0',
    BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
    BURNWATCH_API_TOKEN: TOKEN,
    // Not the address the test connects from: the headers it sends must be ignored.
    BURNWATCH_TRUSTED_PROXIES: '127.0.0.2',
    BURNWATCH_SCHEDULE: '0 0 1 1 *',
    BURNWATCH_LOG_LEVEL: 'info',
  });
  await until('the burning SLO to page', async () => (await apiSlos()).slos.find((x) => x.id === 'hstu-ranker/availability')?.status === 'page', 60_000);
  // A change event through the API, to be marked on the SLO's time axis.
  const posted = await fetch(`${bw.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ at: new Date((BURN_START - 120) * 1000).toISOString(), kind: 'deploy', subject: 'ranker v42', summary: 'new ranking model', service: 'hstu-ranker' }),
  });
  expect(posted.status).toBe(201);
  await fs.mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await bw?.kill('SIGTERM');
  await prom?.destroy();
  await db?.drop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

interface Watched {
  page: Page;
  problems: string[];
  outside: string[];
}

async function signedInPage(checkLogin = false): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(bw.url)) outside.push(r.url());
  });
  await page.goto(`${bw.url}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  if (checkLogin) expect(await axeViolations(page)).toEqual([]);
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${bw.url}/`);
  return { page, problems, outside };
}

const AXE = await fs.readFile(path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** axe-core's violations (WCAG 2.1 A/AA), evaluated over the DevTools protocol, so the page's CSP stays on. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE}\n;0`);
  return (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((r) => r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`)) as string[];
}

const pct = (f: number, digits: number) => `${(f * 100).toFixed(digits)} %`;
const times = (v: number) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}×`;

describe('the web console', () => {
  it('refuses readers who have not signed in, and proxy headers from an untrusted address', async () => {
    const anonymous = await fetch(`${bw.url}/`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2F');
    const forged = await fetch(`${bw.url}/incidents`, { redirect: 'manual', headers: { accept: 'text/html', 'x-forwarded-user': 'mallory' } });
    expect(forged.status).toBe(303);
    const wrong = await fetch(`${bw.url}/login`, { method: 'POST', body: new URLSearchParams({ token: 'not-the-token-at-all' }), redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const right = await fetch(`${bw.url}/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN, next: '//evil.example/' }), redirect: 'manual' });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/');
    const cookie = right.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const csp = (await fetch(`${bw.url}/login`)).headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
  });

  it('lists every SLO on the overview with its status, worst first, and filters them', { timeout: 120_000 }, async () => {
    const { page, problems, outside } = await signedInPage(true);
    const rows = page.locator('tr[data-slo]');
    await expect.poll(() => rows.count()).toBe(3);
    const statuses = Object.fromEntries(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-slo'), tr.getAttribute('data-status')])));
    const api = await apiSlos();
    expect(statuses).toEqual(Object.fromEntries(api.slos.map((x) => [x.id, x.status === 'error' ? 'unknown' : x.status])));
    expect(statuses).toEqual({ 'hstu-ranker/availability': 'page', 'product-search/availability': 'ok', 'feature-store/feature-freshness': 'unknown' });
    // The status is in words, not only colour; the burning SLO comes first.
    expect(await rows.first().getAttribute('data-slo')).toBe('hstu-ranker/availability');
    expect((await rows.first().locator('.st').textContent())?.trim().toLowerCase()).toBe('page');
    const burning = api.slos.find((x) => x.id === 'hstu-ranker/availability')!;
    expect(await rows.first().locator('[data-budget]').textContent()).toBe(pct(burning.errorBudgetRemaining, 1));
    expect(await rows.first().locator('[data-sli]').textContent()).toBe(pct(burning.sli, 3));
    await page.screenshot({ path: path.join(SHOTS, 'overview.png') });
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('select[name="status"]').selectOption('ok');
    await page.waitForURL(/status=ok/);
    expect(await page.locator('tr[data-slo]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-slo')))).toEqual(['product-search/availability']);
    await page.goto(`${bw.url}/?label=tier%3Dcritical`);
    expect(await page.locator('tr[data-slo]').count()).toBe(1);
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('can be used with the keyboard alone: skip link, then Tab to the burning SLO and Enter', { timeout: 120_000 }, async () => {
    const { page } = await signedInPage();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate('document.activeElement.getAttribute("href")')) === '/slos/hstu-ranker/availability';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${bw.url}/slos/hstu-ranker/availability`);
    expect(await page.locator('h1').textContent()).toContain('hstu-ranker / availability');
  });

  it("shows the burning SLO's charts and the same numbers as /api/slos", { timeout: 120_000 }, async () => {
    const { page, problems, outside } = await signedInPage();
    await page.goto(`${bw.url}/slos/hstu-ranker/availability?range=6h`);
    // uPlot draws each chart into a canvas: budget, four tiers, SLI.
    await expect.poll(() => page.locator('.plot canvas').count()).toBe(6);
    const chart = JSON.parse((await page.locator('#chart-data').textContent())!) as { t: number[]; budget: number[]; tiers: Array<{ factor: number; long: number[] }>; marks: Array<{ kind: string }> };
    expect(chart.t.length).toBeGreaterThanOrEqual(70);
    // The budget falls while it burns; the 1h window crosses the factor.
    expect(chart.budget.at(-1)!).toBeLessThan(chart.budget[0]!);
    expect(Math.max(...chart.tiers[0]!.long)).toBeGreaterThan(chart.tiers[0]!.factor);
    expect(chart.marks.map((m) => m.kind).sort()).toEqual(['change', 'incident']);
    // Something was drawn: the budget canvas is not blank.
    const inked = await page.evaluate(`(() => { const c = document.querySelector('#chart-budget canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()`);
    expect(inked).toBeGreaterThan(1000);

    const api = (await apiSlos()).slos.find((x) => x.id === 'hstu-ranker/availability')!;
    expect(await page.locator('[data-field="budget"]').textContent()).toBe(pct(api.errorBudgetRemaining, 1));
    expect(await page.locator('[data-field="sli"]').textContent()).toBe(pct(api.sli, 3));
    const oneHour = api.tiers.find((t) => t.long === '1h')!;
    expect(await page.locator('.card [data-window="1h"]').textContent()).toBe(`1h ${times(api.burnRates['1h']!)}`);
    expect(await page.locator('.card [data-window="5m"]').textContent()).toBe(`5m ${times(api.burnRates['5m']!)}`);
    expect(oneHour.firing).toBe(true);
    await expect.poll(() => page.locator('table.tiers tr.firing').count()).toBeGreaterThanOrEqual(1);
    // The source's own graph, and the runbook rendered by the console.
    const graph = await page.getByRole('link', { name: 'open in Prometheus' }).first().getAttribute('href');
    expect(graph).toMatch(new RegExp(`^${prom.url}/graph\\?g0\\.expr=`));
    expect(await page.getByRole('link', { name: 'playbooks/ranking-availability.md' }).getAttribute('href')).toBe('/runbooks/ranking-availability.md');
    await page.screenshot({ path: path.join(SHOTS, 'slo.png'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('shows the incident list and an incident with its figures, timeline and sanitised post-mortem', { timeout: 120_000 }, async () => {
    const { page, problems, outside } = await signedInPage();
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.waitForURL(`${bw.url}/incidents`);
    expect(await page.locator('tr[data-incident]').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Ranking requests failing' }).click();
    await page.waitForURL(`${bw.url}/incidents/${incidentId}`);
    const entries = page.locator('ol.timeline li');
    expect(await entries.count()).toBe(3);
    expect(await entries.nth(2).textContent()).toContain('errors started with the 14:02 deploy of ranker v42');
    expect(await page.locator('[data-field="ttd"]').textContent()).toBe('10m');
    expect(await page.locator('[data-field="tta"]').textContent()).toBe('4m');
    // Still open: the budget spent so far, the same figure /api/incidents gives (one function over one record).
    const api = (await (await fetch(`${bw.url}/api/incidents/${incidentId}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      figures: { budgetConsumed: Array<{ sloId: string; consumed: number | null }> };
    };
    const consumed = api.figures.budgetConsumed.find((x) => x.sloId === 'hstu-ranker/availability')?.consumed;
    expect(consumed).toBeGreaterThan(0);
    expect(await page.locator('[data-field="consumed"]').textContent()).toBe(`${formatBudget(consumed!)} so far`);
    expect(await page.locator('.md h1').textContent()).toBe('Post-mortem: ranking requests failing');
    expect(await page.locator('.md script').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(await page.locator('.md input[type="checkbox"]').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'incident.png'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('shows an SLO loaded while running with the status /api/slos gives it', { timeout: 120_000 }, async () => {
    await fs.writeFile(
      path.join(dir, 'slos', 'late.yaml'),
      `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: checkout, service: late-service, owner: search }
spec:
  objective: 99
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(search_requests_total{code=~"5.."}[$window]))
      total: sum(increase(search_requests_total[$window]))
`,
    );
    await until('the reload', async () => (await apiSlos()).slos.some((x) => x.id === 'late-service/checkout'), 60_000);
    const { page } = await signedInPage();
    // A changed SLO is evaluated at once on reload, so "no data" lasts only until that evaluation is stored
    // (the pure overview test pins the "no data" row): once stored, the page says what /api/slos says.
    const api = await until('its first evaluation', async () => (await apiSlos()).slos.find((x) => x.id === 'late-service/checkout' && (x as { evaluatedAt?: string }).evaluatedAt), 60_000);
    await page.reload();
    const row = page.locator('tr[data-slo="late-service/checkout"]');
    expect(await row.getAttribute('data-status')).toBe(api.status === 'error' ? 'unknown' : api.status);
  });
});

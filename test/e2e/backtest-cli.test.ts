// `burnwatch backtest` end to end: SLO files on disk, a real Prometheus over a backfilled week,
// range queries, the evaluator's math and the alerting state machine; every output format.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktestCommand } from '../../src/cli/commands/backtest.ts';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';

const OUTAGE = Date.parse('2026-11-08T10:00:00Z') / 1000;
const SLOW = Date.parse('2026-11-08T16:00:00Z') / 1000;
const data = scenario({ start: '2026-11-01T00:00:00Z', end: '2026-11-09T00:00:00Z', step: 60, coarse: { until: '2026-11-07T00:00:00Z', step: 300 } })
  .counter('shop_requests_total', { app: 'shop' }, profile(10))
  // 15 minutes of total outage, then from 16:00 a slow 0.25 % burn (2.5× at 99.9 %) for six hours.
  .counter('shop_errors_total', { app: 'shop' }, [profile(10), profile(0).step(OUTAGE, 1).step(OUTAGE + 900, 0).step(SLOW, 0.0025).step(SLOW + 6 * 3600, 0)]);

const slos = (url: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${url}" }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: shop }
spec:
  objective: 99.9
  window: 7d
  indicator:
    ratio:
      bad: sum(increase(shop_errors_total[$window]))
      total: sum(increase(shop_requests_total[$window]))
`;

describe('burnwatch backtest', () => {
  let prom: PrometheusServer;
  let dir: string;
  const run = (extra: Record<string, unknown> = {}) =>
    runBacktestCommand(
      { slos: join(dir, 'slos'), from: '2026-11-08T00:00:00Z', to: '2026-11-09T00:00:00Z', step: '1m', format: 'json', ...extra },
      { cwd: dir, env: {}, now: new Date('2026-11-09T00:00:00Z') },
    );

  beforeAll(async () => {
    prom = await startPrometheus(data);
    dir = await mkdtemp(join(tmpdir(), 'burnwatch-backtest-'));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'slos'));
    await writeFile(join(dir, 'slos', 'shop.yaml'), slos(prom.url));
    await writeFile(join(dir, 'lenient.yaml'), 'name: lenient\ntiers:\n  - { severity: page, budgetPercent: 20, long: 6h, short: 30m }\n');
    await writeFile(
      join(dir, 'incidents.yaml'),
      '- { slo: shop/availability, start: 2026-11-08T10:00:00Z, end: 2026-11-08T10:30:00Z, title: bad deploy }\n- { slo: shop/availability, start: 2026-11-08T03:00:00Z, end: 2026-11-08T04:00:00Z }\n',
    );
  }, 180_000);
  afterAll(async () => {
    await prom?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports every firing with its detection delay and budget, and pages per week', async () => {
    const { code, stdout, stderr } = await run();
    expect(stderr).toMatch(/backtested 1 SLOs × 1441 steps/);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const r = report.result.policies[0].results[0];
    expect(r.id).toBe('shop/availability');
    const page = r.firings.find((f: { tier: string }) => f.tier === 'page-1h-5m');
    // 100 % errors at 99.9 %: the workbook's 51.8 s, i.e. the first one-minute step.
    expect(page.start).toBe('2026-11-08T10:01:00.000Z');
    expect(page.notifiedAt).toBe(page.start);
    expect(page.detectionDelaySeconds).toBe(0);
    // The 5m window falls below the factor (2 % × 7d / 1h = 3.36) five minutes after the outage ends.
    expect(page.end).toBe('2026-11-08T10:20:00.000Z');
    // The slow burn pages through the 6h tier (factor 1.4) after 6h × 1.4 / 2.5 = 3h21m36s, not the 1h tier (3.36).
    const slow = r.firings.filter((f: { start: string }) => f.start >= '2026-11-08T16:00:00.000Z');
    expect(slow.some((f: { tier: string }) => f.tier === 'page-1h-5m')).toBe(false);
    const slowPage = slow.find((f: { tier: string }) => f.tier === 'page-6h-30m');
    expect(slowPage.start).toBe('2026-11-08T19:22:00.000Z');
    // The burn shows at 16:03, when the 5m window passes 1× (3 of its 5 minutes at 2.5×).
    expect(slowPage.detectionDelaySeconds).toBe(3 * 3600 + 19 * 60);
    // 15 min of outage + 6 h at 0.25 % = 9,000 + 540 bad events of a 7d budget of 6,048.
    expect(r.finalBudgetRemaining).toBeCloseTo(1 - 9540 / 6048, 2);
    expect(r.budgetExhaustedSeconds).toBeGreaterThan(0);
    expect(r.pagesPerWeek).toBeGreaterThan(0);
    expect(r.unknownSeconds).toBe(0);
  });

  it('compares two policies and scores known incidents', async () => {
    const { stdout } = await run({ compare: join(dir, 'lenient.yaml'), incidents: join(dir, 'incidents.yaml') });
    const report = JSON.parse(stdout);
    expect(report.result.policies.map((p: { policy: { name: string } }) => p.policy.name)).toEqual(['as specified', 'lenient']);
    const [diff] = report.compare;
    // Both page for the outage; only the specified tiers page for the slow burn.
    expect(diff.onlyA.map((f: { tier: string; start: string }) => `${f.tier} ${f.start}`)).toEqual(['page-6h-30m 2026-11-08T19:22:00.000Z']);
    expect(diff.onlyB).toEqual([]);
    const [a] = report.incidents;
    expect(a.recall).toBe(0.5);
    expect(a.incidents[0]).toMatchObject({ detected: true, delaySeconds: 60 });
    expect(a.incidents[1]).toMatchObject({ detected: false });
  });

  it('prints text for people and writes a self-contained HTML page with the budget chart', async () => {
    const text = await run({ format: 'text' });
    expect(text.stdout).toMatch(/shop\/availability {2}objective 99\.9% over 7d/);
    expect(text.stdout).toMatch(/page 1h\/5m\s+2026-11-08 10:01 → 2026-11-08 10:20 \(19m\)/);
    const out = join(dir, 'report.html');
    const html = await run({ format: 'html', out });
    expect(html.stderr).toContain(`wrote ${out}`);
    const page = await readFile(out, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toMatch(/<svg [^>]*aria-label="error budget remaining of shop\/availability"/);
  });

  it('says what is wrong with its input', async () => {
    expect((await run({ from: 'yesterday' })).stderr).toMatch(/"yesterday" is not a time/);
    expect((await run({ tiers: join(dir, 'missing.yaml') })).stderr).toMatch(/missing\.yaml: cannot read the tiers file/);
    await writeFile(join(dir, 'bad.yaml'), '- { severity: page, budgetPercent: 2, long: 5m, short: 1h }\n');
    expect((await run({ tiers: join(dir, 'bad.yaml') })).stderr).toMatch(/short \(1h\) must be shorter than long \(5m\)/);
    expect((await run({ format: 'pdf' })).code).toBe(1);
  });

  it('reports an unreachable Prometheus as unknown, never as fine', async () => {
    await writeFile(join(dir, 'slos', 'shop.yaml'), slos('http://127.0.0.1:1'));
    try {
      const r = JSON.parse((await run()).stdout).result.policies[0].results[0];
      expect(r.unknownSeconds).toBe(1441 * 60);
      expect(r.firings).toEqual([]);
      expect(r.problems.join('\n')).toMatch(/cannot reach/);
    } finally {
      await writeFile(join(dir, 'slos', 'shop.yaml'), slos(prom.url));
    }
  });
});

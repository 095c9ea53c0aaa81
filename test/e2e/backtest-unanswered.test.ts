// A backtest whose sources do not answer is not a quiet week: the steps are unknown, the text
// says so instead of "0.00 pages/week", and the command exits 1.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktestCommand } from '../../src/cli/commands/backtest.ts';
import { type PrometheusServer, startPrometheusOn } from '../fixtures/prometheus/index.ts';

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

describe('burnwatch backtest without answers', () => {
  let dir: string;
  let empty: PrometheusServer;
  const run = async (url: string) => {
    await writeFile(join(dir, 'slos', 'shop.yaml'), slos(url));
    return runBacktestCommand(
      { slos: join(dir, 'slos'), from: '2026-11-08T00:00:00Z', to: '2026-11-08T06:00:00Z', step: '5m', format: 'text' },
      { cwd: dir, env: {}, now: new Date('2026-11-09T00:00:00Z') },
    );
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'burnwatch-backtest-'));
    await mkdir(join(dir, 'slos'));
    // A Prometheus that answers every query with nothing (the metric names are wrong or gone).
    empty = await startPrometheusOn(undefined);
  }, 60_000);
  afterAll(async () => {
    await empty?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an unreachable Prometheus: every step unknown, no page rate, exit 1 naming the source', async () => {
    const { code, stdout, stderr } = await run('http://127.0.0.1:1');
    expect(stdout).toMatch(/pages\/week unknown {3}tickets\/week unknown/);
    expect(stdout).not.toMatch(/pages\/week 0\.00/);
    expect(stdout).toMatch(/! unknown for 6h5m of 6h5m/);
    expect(stdout).toMatch(/All 1 SLOs: .*\(1 of them with steps their sources did not answer/);
    expect(stderr).toMatch(/error: shop\/availability: .*cannot reach/);
    expect(code).toBe(1);
  });

  it('a Prometheus that answers with no series at all: the same', async () => {
    const { code, stdout, stderr } = await run(empty.url);
    expect(stdout).toMatch(/pages\/week unknown/);
    expect(stderr).toMatch(/error: shop\/availability: no data at any step/);
    expect(code).toBe(1);
  });
});

// A source that accepts connections and never answers, beside one that does (the machine's
// PostgreSQL): at the read deadline (80 % of BURNWATCH_CYCLE_TIMEOUT) the stuck SLO becomes
// unknown, naming its source, the other SLO is evaluated and written, the stuck reads are
// cancelled, and the schedule goes on.
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/test-databases.ts';
import { loadConfig } from '../service/config.ts';
import { SOURCE_FACTORIES } from '../sources/registry.ts';
import { loadSpecs } from '../spec/load.ts';
import { type RunningService, startService } from './start-service.ts';

describe('a source slower than the cycle', () => {
  let dir: string;
  let service: RunningService;
  let blackhole: net.Server;
  const sockets: net.Socket[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    // Reads every request and never answers; closes its side when the client hangs up.
    blackhole = net.createServer((s) => {
      sockets.push(s);
      s.resume();
      s.on('end', () => s.destroy());
      s.on('error', () => s.destroy());
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(blackhole.address() as net.AddressInfo).port}`;
    dir = await makeTempDir();
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(
      path.join(dir, 'slos', 'slo.yaml'),
      `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${url}", timeout: 60s }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: ranker }
spec:
  objective: 99.9
  window: 28d
  interval: 1s
  indicator:
    ratio:
      bad: sum(increase(errors_total[$window]))
      total: sum(increase(requests_total[$window]))
---
apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: registry }
spec:
  postgres: { url: "postgres://postgres@127.0.0.1:5432/postgres", timeout: 10s }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: training-runs, service: trainer }
spec:
  objective: 99
  window: 7d
  interval: 1s
  source: registry
  indicator:
    ratio:
      bad: SELECT 1 AS bad WHERE @start < @end
      total: SELECT 1000 AS total WHERE @start < @end
`,
    );
    service = await startService({
      config: loadConfig({
        BURNWATCH_PORT: '0',
        BURNWATCH_HOST: '127.0.0.1',
        BURNWATCH_DATA_DIR: path.join(dir, 'data'),
        BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
        BURNWATCH_CYCLE_TIMEOUT: '2s',
        BURNWATCH_SCHEDULE: '* * * * * *',
        BURNWATCH_SHUTDOWN_GRACE: '1s',
      }),
      logger: pino({ level: 'info' }, { write: (l: string) => logs.push(l) }),
      loadSpecs: (d) => loadSpecs([d], { cwd: dir }),
      sourceFactories: SOURCE_FACTORIES,
    });
  });
  afterAll(async () => {
    await service?.stop('test');
    for (const s of sockets) s.destroy();
    blackhole?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('makes the stuck SLO unknown at the read deadline, evaluates the others, and keeps scheduling', async () => {
    const stored = async () =>
      (await service.store.db.query<{ slo_id: string; status: string; error: string | null }>('SELECT slo_id, status, error FROM evaluations ORDER BY evaluated_at')).rows;
    // Two cycles at least, each writing both SLOs.
    await expect.poll(async () => (await stored()).filter((r) => r.slo_id === 'ranker/availability').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const rows = await stored();
    const stuck = rows.filter((r) => r.slo_id === 'ranker/availability');
    const fine = rows.filter((r) => r.slo_id === 'trainer/training-runs');
    expect(stuck.every((r) => r.status === 'unknown')).toBe(true);
    expect(stuck[0]!.error).toContain("prometheus: SLO ranker/availability: no answer before the cycle's read deadline (1.6s)");
    expect(fine.length).toBeGreaterThanOrEqual(2);
    expect(fine).toEqual(fine.map(() => ({ slo_id: 'trainer/training-runs', status: 'ok', error: null })));
    expect(logs.some((l) => l.includes('had no answer before the read deadline') && l.includes('ranker/availability') && !l.includes('trainer/training-runs'))).toBe(true);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/burnwatch_evaluation_cycles_total\{result="ok"\} [2-9]/);
    expect(metrics).toContain('burnwatch_slo_status{slo="ranker/availability",status="unknown"} 1');
    // The stuck reads were cancelled, not left hanging on the source.
    expect(sockets.length).toBeGreaterThan(0);
    await expect.poll(() => sockets.filter((s) => !s.destroyed).length, { timeout: 10_000 }).toBeLessThanOrEqual(2);
  });
});

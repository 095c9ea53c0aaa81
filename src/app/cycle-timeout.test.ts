// A source that accepts connections and never answers: the cycle is aborted at
// BURNWATCH_CYCLE_TIMEOUT, reported, writes nothing, and the schedule goes on.
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

describe('a cycle that exceeds BURNWATCH_CYCLE_TIMEOUT', () => {
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
`,
    );
    service = await startService({
      config: loadConfig({
        BURNWATCH_PORT: '0',
        BURNWATCH_HOST: '127.0.0.1',
        BURNWATCH_DATA_DIR: path.join(dir, 'data'),
        BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
        BURNWATCH_CYCLE_TIMEOUT: '1s',
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

  it('aborts it, reports it, writes nothing, and keeps scheduling', async () => {
    await expect
      .poll(async () => (await (await fetch(`${service.url}/metrics`)).text()).match(/burnwatch_evaluation_cycles_total\{result="aborted"\} (\d+)/)?.[1], { timeout: 30_000 })
      .toMatch(/^[2-9]|\d\d/);
    expect(logs.some((l) => l.includes('evaluation cycle aborted') && l.includes('BURNWATCH_CYCLE_TIMEOUT (1s)'))).toBe(true);
    const { rows } = await service.store.db.query('SELECT count(*)::int AS n FROM evaluations');
    expect(rows[0].n).toBe(0);
    // The aborted reads were cancelled, not left hanging on the source.
    expect(sockets.length).toBeGreaterThan(0);
    await expect.poll(() => sockets.filter((s) => !s.destroyed).length, { timeout: 10_000 }).toBeLessThanOrEqual(2);
  });
});

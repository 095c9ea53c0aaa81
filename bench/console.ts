// The web console's server time: the overview of 1 000 SLOs, and one SLO's page over 28 days
// of one-minute evaluations (40 320 rows, downsampled by the store's query), on PostgreSQL.
// Floors from the same run: the store reads the pages need, and a bare Express route sending
// the same bytes; "all rows" is what reading the SLO's history without downsampling costs.
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import { Access } from '../src/console/access.ts';
import { consoleRouter } from '../src/console/console-routes.ts';
import type { SloEvaluation } from '../src/domain/evaluation.ts';
import { loadSpecs } from '../src/spec/load.ts';
import { openStore } from '../src/store/open-store.ts';
import { evaluationSeries } from '../src/store/repositories/evaluation-series.ts';
import { latestEvaluations, listEvaluations, saveEvaluation } from '../src/store/repositories/evaluations.ts';
import { createPostgresDatabase, makeTempDir } from '../test/helpers/test-databases.ts';
import { median } from './lib/proc.ts';

export interface ConsoleFigures {
  slos: number;
  overviewMs: number;
  overviewBytes: number;
  overviewGzipBytes: number;
  overviewFloorMs: number;
  overviewStoreMs: number;
  historyRows: number;
  sloMs: number;
  sloGzipBytes: number;
  sloFloorMs: number;
  seriesMs: number;
  allRowsMs: number;
  runs: number;
}

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

function sloYaml(i: number): string {
  const service = `svc-${String(Math.floor(i / 5)).padStart(3, '0')}`;
  return `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: slo-${i}, service: ${service}, owner: team-${i % 20}, labels: { tier: ${i % 3 === 0 ? 'critical' : 'standard'} } }
spec:
  description: 99.9 % of ${service} requests succeed
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(requests_total{service="${service}",code=~"5.."}[$window]))
      total: sum(increase(requests_total{service="${service}"}[$window]))
`;
}

function evaluation(id: string, at: number, burn: number): SloEvaluation {
  const tiers = [
    { severity: 'page' as const, long: '1h', short: '5m', factor: 13.44 },
    { severity: 'page' as const, long: '6h', short: '30m', factor: 5.6 },
    { severity: 'ticket' as const, long: '1d', short: '2h', factor: 2.8 },
    { severity: 'ticket' as const, long: '3d', short: '6h', factor: 0.9333 },
  ].map((t) => ({ ...t, longBurnRate: burn, shortBurnRate: burn, firing: burn > t.factor }));
  const firing = tiers.find((t) => t.firing);
  return {
    id,
    objective: 99.9,
    window: '28d',
    status: firing ? firing.severity : 'ok',
    evaluatedAt: new Date(at).toISOString(),
    sli: 1 - burn * 0.001,
    errorBudgetRemaining: 1 - burn / 40,
    timeToExhaustionSeconds: burn > 0 ? 86_400 * 10 : null,
    burnRates: { '5m': burn, '30m': burn, '1h': burn, '2h': burn, '6h': burn, '1d': burn, '3d': burn },
    tiers,
    events: { bad: burn * 100, total: 100_000 },
  };
}

/** Median ms and the bytes of one GET, as the client receives them (gzip when asked). */
async function timeGet(url: string, runs: number, gzip: boolean): Promise<{ ms: number; bytes: number }> {
  const once = () =>
    new Promise<{ ms: number; bytes: number }>((resolve, reject) => {
      const t0 = performance.now();
      http
        .get(url, { headers: { accept: 'text/html', ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } }, (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
          });
          res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`${url}: ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  for (let i = 0; i < 3; i++) await once();
  const seen: Array<{ ms: number; bytes: number }> = [];
  for (let i = 0; i < runs; i++) seen.push(await once());
  return { ms: median(seen.map((s) => s.ms)), bytes: seen.at(-1)!.bytes };
}

async function timeCall(fn: () => Promise<unknown>, runs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function benchConsole(n = 1000, runs = 15): Promise<ConsoleFigures> {
  const dir = await makeTempDir('burnwatch-console-bench-');
  const database = await createPostgresDatabase('bw_console_bench');
  const store = await openStore({ databaseUrl: database.url, dataDir: dir });
  try {
    await fs.mkdir(path.join(dir, 'slos'));
    await fs.writeFile(path.join(dir, 'slos', 'fleet.yaml'), Array.from({ length: n }, (_, i) => sloYaml(i)).join('---\n'));
    await fs.writeFile(path.join(dir, 'slos', 'prometheus.yaml'), 'apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: prometheus }\nspec:\n  prometheus: { url: "http://127.0.0.1:9090" }\n');
    const loaded = await loadSpecs([path.join(dir, 'slos')], { cwd: dir, env: {} });
    if (loaded.slos.length !== n) throw new Error(`loaded ${loaded.slos.length} SLOs, expected ${n}`);
    // The latest evaluation of every SLO (one in a hundred burning), then 28 days of minutes for one.
    for (const [i, slo] of loaded.slos.entries()) await saveEvaluation(store.db, evaluation(slo.id, NOW - 30_000, i % 100 === 0 ? 20 : i % 10 === 0 ? 1.5 : 0.2));
    const hot = loaded.slos[0]!;
    const minutes = 28 * 1440;
    const batch = 1000;
    for (let start = 0; start < minutes; start += batch) {
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let m = start; m < Math.min(minutes, start + batch); m++) {
        const e = evaluation(hot.id, NOW - 60_000 - (minutes - m) * 60_000, m > minutes - 180 ? 20 : (m % 1440) / 1440);
        const k = values.length;
        rows.push(`($${k + 1}, $${k + 2}, $${k + 3}, $${k + 4}, $${k + 5}, $${k + 6}, $${k + 7}, $${k + 8}, $${k + 9}, $${k + 10}, $${k + 11})`);
        values.push(e.id, new Date(e.evaluatedAt), e.status, e.objective, e.sli, e.errorBudgetRemaining, e.timeToExhaustionSeconds, JSON.stringify(e.burnRates), JSON.stringify(e.tiers), e.events!.bad, e.events!.total);
      }
      await store.db.query(
        `INSERT INTO evaluations (slo_id, evaluated_at, status, objective, sli, budget_remaining, time_to_exhaustion_seconds, burn_rates, tiers, events_bad, events_total) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`,
        values,
      );
    }
    await store.db.query('ANALYZE evaluations');

    const app = express();
    const access = new Access({ apiToken: undefined, publicRead: true, trustedProxies: [], secureCookies: false, now: () => new Date(NOW) });
    app.use(
      consoleRouter({
        db: store.db,
        clock: { now: () => new Date(NOW) },
        logger: pino({ level: 'silent' }),
        access,
        slos: () => loaded.slos,
        sources: () => loaded.sources,
        problems: () => [],
        playbooksDir: path.join(dir, 'playbooks'),
      }),
    );
    let floorBody = '';
    app.get('/floor', (_req, res) => {
      res.type('html').send(floorBody);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const overview = await timeGet(`${base}/`, runs, false);
      const overviewGzip = await timeGet(`${base}/`, runs, true);
      floorBody = await (await fetch(`${base}/`)).text();
      const floor = await timeGet(`${base}/floor`, runs, false);
      const overviewStoreMs = await timeCall(() => latestEvaluations(store.db), runs);
      const sloUrl = `${base}/slos/${hot.service}/${hot.name}?range=28d`;
      const slo = await timeGet(sloUrl, runs, true);
      floorBody = await (await fetch(sloUrl)).text();
      const sloFloor = await timeGet(`${base}/floor`, runs, false);
      const from = new Date(NOW - 28 * 86_400_000);
      const to = new Date(NOW + 1);
      const seriesMs = await timeCall(() => evaluationSeries(store.db, { sloId: hot.id, from, to, points: 600 }), runs);
      const allRowsMs = await timeCall(() => listEvaluations(store.db, { from, to, sloId: hot.id }), Math.min(runs, 5));
      return {
        slos: n,
        overviewMs: overview.ms,
        overviewBytes: overview.bytes,
        overviewGzipBytes: overviewGzip.bytes,
        overviewFloorMs: floor.ms,
        overviewStoreMs,
        historyRows: minutes,
        sloMs: slo.ms,
        sloGzipBytes: slo.bytes,
        sloFloorMs: sloFloor.ms,
        seriesMs,
        allRowsMs,
        runs,
      };
    } finally {
      server.close();
      server.closeAllConnections();
    }
  } finally {
    await store.close();
    await database.drop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function consoleTable(f: ConsoleFigures): string {
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  return `| page | server time (median of ${f.runs}) | transferred | floor (same run) |
|---|---|---|---|
| overview, ${f.slos.toLocaleString('en')} SLOs | ${ms(f.overviewMs)} | ${kb(f.overviewGzipBytes)} gzip (${kb(f.overviewBytes)} uncompressed) | store read of the latest evaluations ${ms(f.overviewStoreMs)}; a bare Express route sending the same HTML ${ms(f.overviewFloorMs)} |
| one SLO, 28 days of one-minute evaluations (${f.historyRows.toLocaleString('en')} rows) | ${ms(f.sloMs)} | ${kb(f.sloGzipBytes)} gzip | the downsampling query (600 points) ${ms(f.seriesMs)}; the same HTML from a bare route ${ms(f.sloFloorMs)}; reading all ${f.historyRows.toLocaleString('en')} rows instead ${ms(f.allRowsMs)} |

Targets: overview ≤ 300 ms — ${f.overviewMs <= 300 ? 'met' : 'NOT met'}; ≤ 300 KB transferred — ${f.overviewGzipBytes <= 300 * 1024 ? 'met' : 'NOT met'}; SLO page ≤ 300 ms — ${f.sloMs <= 300 ? 'met' : 'NOT met'}. On PostgreSQL 15 (the machine's); time is from request to the last byte over loopback.`;
}

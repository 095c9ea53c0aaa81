// The docker-compose demo without Docker: the sample exporter (deploy/sample-exporter) scraped by a
// real Prometheus with the compose scrape config (deploy/compose/prometheus.yml, targets moved to
// loopback and a faster scrape), and the repository's own slos/ checked against it. Each fault the
// README advertises must burn the SLO it is meant to, and the healthy platform must be fine.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/commands/check.ts';
import type { SloEvaluation } from '../../src/domain/evaluation.ts';
import { freePort } from '../../src/service/free-port.ts';
import { type PrometheusServer, startPrometheusOn } from '../fixtures/prometheus/index.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXPORTER_SLOS = ['hstu-ranker/ranking-availability', 'hstu-ranker/ranking-latency', 'hstu-ranker/model-freshness'];

describe('the docker-compose demo: sample exporter, compose scrape config, slos/', () => {
  let exporter: ChildProcess;
  let exporterUrl: string;
  let prom: PrometheusServer;
  let slos: string;

  beforeAll(async () => {
    const port = await freePort();
    exporterUrl = `http://127.0.0.1:${port}`;
    exporter = spawn(process.execPath, [path.join(ROOT, 'deploy/sample-exporter/server.mjs')], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(exporter.stdout!, 'data');

    const config = parse(await fs.readFile(path.join(ROOT, 'deploy/compose/prometheus.yml'), 'utf8'));
    config.global.scrape_interval = '1s';
    config.scrape_configs = config.scrape_configs
      .filter((job: { job_name: string }) => job.job_name === 'sample-exporter')
      .map((job: Record<string, unknown>) => ({ ...job, static_configs: [{ targets: [`127.0.0.1:${port}`] }] }));
    prom = await startPrometheusOn(undefined, { config: stringify(config) });

    // The repository's SLO files on the exporter's metrics, with only the Prometheus DataSource.
    slos = await makeTempDir('bw-compose-');
    const datasources = (await fs.readFile(path.join(ROOT, 'slos/datasources.yaml'), 'utf8')).split(/^---$/m);
    await fs.writeFile(path.join(slos, 'datasources.yaml'), datasources.find((d) => /name: prometheus/.test(d))!);
    for (const file of ['hstu-ranker.yaml', 'model-freshness.yaml', 'training-throughput.yaml']) await fs.copyFile(path.join(ROOT, 'slos', file), path.join(slos, file));
  });
  afterAll(async () => {
    exporter?.kill();
    await prom?.destroy();
    await fs.rm(slos, { recursive: true, force: true });
  });

  const check = async (): Promise<Record<string, SloEvaluation>> => {
    const result = await runCheck({ slos, format: 'json' }, { cwd: ROOT, env: { PROMETHEUS_URL: prom.url }, now: () => new Date() });
    return Object.fromEntries(result.evaluations.map((e) => [e.id, e]));
  };
  const statusOf = async (id: string) => (await check())[id]?.status;
  const inject = async (mode: string) => expect((await fetch(`${exporterUrl}/fault?mode=${mode}`, { method: 'POST' })).status).toBe(200);

  it('is fine while healthy: the serving and freshness SLOs have data and none fires', async () => {
    await expect
      .poll(async () => {
        const all = await check();
        return EXPORTER_SLOS.map((id) => `${id}: ${all[id]?.status}`);
      }, { timeout: 150_000, interval: 1000 })
      .toEqual(EXPORTER_SLOS.map((id) => `${id}: ok`));
  }, 180_000);

  it("keeps the training job's own label, which the training-throughput SLO selects on", async () => {
    const selector = 'training_samples_processed_total{job="hstu-ranker-daily"}';
    expect(await fs.readFile(path.join(ROOT, 'slos/training-throughput.yaml'), 'utf8')).toContain(selector);
    const series = async () => {
      const answer = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(selector)}`)).json()) as { data: { result: unknown[] } };
      return answer.data.result.length;
    };
    await expect.poll(series, { timeout: 30_000 }).toBe(1);
  });

  it.each([
    ['errors', 'hstu-ranker/ranking-availability'],
    ['latency', 'hstu-ranker/ranking-latency'],
    ['stale-model', 'hstu-ranker/model-freshness'],
  ])('fault %s pages %s', async (mode, slo) => {
    await inject(mode);
    try {
      // Slice kinds (freshness) page at the next minute's slice: up to a minute and a bit.
      await expect.poll(() => statusOf(slo), { timeout: 150_000, interval: 1000 }).toBe('page');
    } finally {
      await inject('none');
    }
  }, 180_000);
});

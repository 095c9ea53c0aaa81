// What start-up loads is most of burnwatch's footprint (issue #15: ≤ 150 MB for `npm start`). The
// heavy SDKs are loaded only by what uses them:
// - PGlite (PostgreSQL in WebAssembly, about a gigabyte): only a `pglite://` SLI source and
//   `burnwatch store import-pglite`;
// - the Kubernetes client (about 60 MB, a second): only remediation (BURNWATCH_ACTIONS_CONFIG)
//   and the Lease election (BURNWATCH_LEADER=lease);
// - BigQuery and Google's auth stack: only a BigQuery DataSource's first request;
// - the Slack SDKs: only when Slack is configured; OpenTelemetry's SDK: only when enabled.
// Each entry point is imported in a fresh Node process that records every module resolved, and a
// real `burnwatch serve` runs one evaluation cycle with the same recording.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const ENTRIES = ['src/app/start-service.ts', 'src/cli/commands/check.ts', 'src/cli/commands/serve.ts', 'src/cli/commands/demo.ts', 'src/demo/run-demo.ts'];

/** Packages a plain start must not load, by the part of a module URL that names them. */
const HEAVY = {
  pglite: '/node_modules/@electric-sql/pglite/',
  kubernetes: '/node_modules/@kubernetes/client-node/',
  bigquery: '/node_modules/@google-cloud/bigquery/',
  slackWebApi: '/node_modules/@slack/web-api/',
  slackBolt: '/node_modules/@slack/bolt/',
  openTelemetrySdk: '/node_modules/@opentelemetry/sdk-node/',
};

/** The heavy packages among the module URLs, and which of them each loaded. */
function heavyIn(urls: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(Object.entries(HEAVY).map(([name, part]) => [name, urls.filter((u) => u.includes(part)).slice(0, 3)]));
}
const NONE = Object.fromEntries(Object.keys(HEAVY).map((name) => [name, []]));

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('a plain start loads no heavy SDK', () => {
  it.each(ENTRIES)('importing %s resolves none of them', (entry) => {
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
      await import(${JSON.stringify(path.resolve(entry))});
      console.log(JSON.stringify(seen));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } });
    expect(child.stderr).not.toMatch(/Error/);
    const seen = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as string[];
    expect(seen.length).toBeGreaterThan(10);
    expect(heavyIn(seen)).toEqual(NONE);
  });

  it('burnwatch serve without Slack, remediation, Lease or telemetry loads none of them through its first cycle', { timeout: 120_000 }, async () => {
    const dir = await makeTempDir();
    dirs.push(dir);
    await fs.mkdir(path.join(dir, 'slos'));
    // Prometheus is not there: the cycle still runs (the SLO is unknown), through every part a plain start has.
    await fs.copyFile(path.resolve('slos/hstu-ranker.yaml'), path.join(dir, 'slos', 'hstu-ranker.yaml'));
    const modules = path.join(dir, 'modules.txt');
    const service = await startBurnwatch({
      DATABASE_URL: undefined,
      SLACK_BOT_TOKEN: undefined,
      SLACK_SIGNING_SECRET: undefined,
      BURNWATCH_ACTIONS_CONFIG: undefined,
      BURNWATCH_LEADER: undefined,
      OTEL_TRACES_EXPORTER: undefined,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      BURNWATCH_HOST: '127.0.0.1',
      BURNWATCH_PORT: '0',
      BURNWATCH_DATA_DIR: path.join(dir, 'data'),
      BURNWATCH_SLOS_DIR: path.join(dir, 'slos'),
      PROMETHEUS_URL: 'http://127.0.0.1:9',
      NODE_OPTIONS: `--import=${pathToFileURL(path.resolve('test/helpers/record-modules.ts')).href}`,
      BURNWATCH_TEST_MODULES_OUT: modules,
    });
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      await service.waitForLog(/evaluation cycle done/, 60_000);
    } finally {
      expect((await service.kill('SIGTERM')).code).toBe(0);
    }
    const seen = (await fs.readFile(modules, 'utf8')).split('\n').filter(Boolean);
    expect(seen.some((u) => u.endsWith('/src/app/start-service.ts'))).toBe(true);
    expect(heavyIn(seen)).toEqual(NONE);
  });
});

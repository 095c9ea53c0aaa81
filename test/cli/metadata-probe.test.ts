// Google's auth library looks for the GCE metadata server when a BigQuery request has no
// explicit credentials, and gcp-metadata prints a MetadataLookupWarning on stderr when that
// probe fails in an unexpected way. `burnwatch check` (the real CLI, in a child process) must
// not probe, nor print it, when no BigQuery source is used or when credentials are explicit.
// The metadata server here is a loopback one that resets every connection (which gcp-metadata
// reports with the warning); a control run without credentials shows the probe is seen.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBigQuery, startFakeBigQuery } from '../fakes/bigquery-api.ts';

const BIN = fileURLToPath(new URL('../../bin/burnwatch.mjs', import.meta.url));
// The child refuses non-loopback connections too.
const NET_GUARD = fileURLToPath(new URL('../setup/net-guard.ts', import.meta.url));

const PROMETHEUS_ONLY = `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "http://127.0.0.1:9", timeout: 2s }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: availability, service: ranker }
spec:
  objective: 99.9
  indicator:
    ratio:
      bad: sum(increase(errors_total[$window]))
      total: sum(increase(requests_total[$window]))
`;

const withBigQuery = (url: string) => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: warehouse }
spec:
  bigquery: { projectId: test-project, apiEndpoint: "${url}", location: US, timeout: 10s }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: relevance, service: ranking }
spec:
  objective: 95
  window: 1d
  source: warehouse
  indicator:
    ratio:
      good: SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM logs.impressions WHERE served_at >= @start AND served_at < @end
      total: SELECT COUNTIF(relevant) AS good, COUNT(*) AS total FROM logs.impressions WHERE served_at >= @start AND served_at < @end
`;

describe('the GCE metadata probe of Google auth', () => {
  let dir: string;
  let metadata: net.Server;
  let probes = 0;
  let fake: FakeBigQuery;
  let keyFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bw-metadata-'));
    metadata = net.createServer((socket) => {
      probes++;
      socket.resetAndDestroy();
    });
    await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r));
    fake = await startFakeBigQuery();
    await fake.db.exec(`CREATE SCHEMA logs; CREATE TABLE logs.impressions (served_at timestamptz NOT NULL, relevant boolean NOT NULL);
      INSERT INTO logs.impressions VALUES (now() - interval '1 minute', true);`);
    await mkdir(path.join(dir, 'prometheus-only'));
    await writeFile(path.join(dir, 'prometheus-only', 'slos.yaml'), PROMETHEUS_ONLY);
    await mkdir(path.join(dir, 'warehouse'));
    await writeFile(path.join(dir, 'warehouse', 'slos.yaml'), withBigQuery(fake.url));
    // A service-account key as `gcloud iam service-accounts keys create` writes it (a fresh, unused key).
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyFile = path.join(dir, 'key.json');
    await writeFile(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        project_id: 'test-project',
        private_key_id: 'k1',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
        client_email: 'burnwatch@test-project.iam.gserviceaccount.com',
        client_id: '1',
      }),
    );
  });
  afterAll(async () => {
    metadata?.close();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** `burnwatch check` as a user runs it: no METADATA_SERVER_DETECTION, no gcloud login, the metadata server on loopback. */
  function check(slos: string, extraEnv: Record<string, string> = {}) {
    const env: Record<string, string | undefined> = {
      ...process.env,
      METADATA_SERVER_DETECTION: undefined,
      GOOGLE_APPLICATION_CREDENTIALS: undefined,
      HOME: dir,
      CLOUDSDK_CONFIG: path.join(dir, 'gcloud'),
      GCE_METADATA_HOST: `127.0.0.1:${(metadata.address() as net.AddressInfo).port}`,
      ...extraEnv,
    };
    const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return new Promise<{ stdout: string; stderr: string }>((resolve) => {
      // Asynchronously: the fake BigQuery in this process must answer while the child runs.
      execFile(process.execPath, ['--import', NET_GUARD, BIN, 'check', '--slos', path.join(dir, slos), '--format', 'json'], { env: clean }, (_, stdout, stderr) =>
        resolve({ stdout, stderr }),
      );
    });
  }

  it('is not made, nor warned about, for a setup without BigQuery', async () => {
    const before = probes;
    const { stdout, stderr } = await check('prometheus-only');
    expect(JSON.parse(stdout).slos[0].status).toBe('unknown'); // nothing listens on 127.0.0.1:9: evaluated, and refused
    expect(stderr).not.toMatch(/MetadataLookupWarning/);
    expect(probes).toBe(before);
  });

  it('is not made when the credentials are given (GOOGLE_APPLICATION_CREDENTIALS), and the auth failure is reported', async () => {
    const before = probes;
    const { stdout, stderr } = await check('warehouse', { GOOGLE_APPLICATION_CREDENTIALS: keyFile });
    const [slo] = JSON.parse(stdout).slos;
    // The key's token exchange with oauth2.googleapis.com is refused by the guard: the SLO says so.
    expect(slo.status).toBe('unknown');
    expect(slo.error).toMatch(/warehouse: SLO ranking\/relevance: .*oauth2\.googleapis\.com/);
    expect(stderr).not.toMatch(/MetadataLookupWarning/);
    expect(probes).toBe(before);
  });

  it('is made without credentials (how ADC finds workload identity), and its failure is not printed as noise', async () => {
    const before = probes;
    const { stdout, stderr } = await check('warehouse');
    expect(JSON.parse(stdout).slos[0].error ?? '').not.toMatch(/credentials/); // the fake needs none
    expect(probes).toBeGreaterThan(before);
    // gcp-metadata emitted its MetadataLookupWarning for the reset probe; burnwatch drops that one warning.
    expect(stderr).not.toMatch(/MetadataLookupWarning/);
  });

  it('still prints every other Node warning', async () => {
    const { stderr } = await new Promise<{ stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', `const { dropMetadataLookupWarnings } = await import(${JSON.stringify(new URL('../../src/cli/quiet-warnings.ts', import.meta.url).href)});
dropMetadataLookupWarnings();
process.emitWarning('lookup failed', 'MetadataLookupWarning');
process.emitWarning('something else', 'DeprecationWarning');`],
        (_, _stdout, stderr) => resolve({ stderr }),
      ),
    );
    expect(stderr).toMatch(/DeprecationWarning: something else/);
    expect(stderr).not.toMatch(/MetadataLookupWarning/);
  });
});

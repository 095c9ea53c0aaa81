// Hot reload as a user meets it: `burnwatch serve` (a real process) over a real
// Prometheus, and its slos/ directory changed every way people and tools change files —
// written in place, renamed over (mv), `sed -i`, an editor's backup-and-temp-file
// save, a Kubernetes ConfigMap's ..data symlink swap, a new folder — each followed by
// an evaluation of the new content (its objective shows in /api/slos with a newer
// evaluatedAt). Node's recursive fs.watch stopped seeing a file once it had been
// renamed over; this runs the replacements one after the other on the same files.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrometheusServer, profile, scenario, startPrometheus } from '../fixtures/prometheus/index.ts';
import { type BurnwatchProcess, startBurnwatch } from '../helpers/burnwatch-process.ts';
import { makeTempDir } from '../helpers/test-databases.ts';

const run = promisify(execFile);
const NOW = Math.floor(Date.now() / 60_000) * 60;

const slo = (name: string, objective: number) => `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ${name}, service: hstu-ranker }
spec:
  objective: ${objective}
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_requests_total{code=~"5.."}[$window]))
      total: sum(increase(ranker_requests_total[$window]))
`;

let prom: PrometheusServer;
let dir: string;
let slos: string;
let service: BurnwatchProcess;

async function objectiveOf(id: string, changedAt: number): Promise<number | undefined> {
  const doc = (await (await fetch(`${service.url}/api/slos`)).json()) as { slos: Array<{ id: string; objective: number; evaluatedAt: string | null }> };
  const s = doc.slos.find((x) => x.id === id);
  // Only an evaluation made after the change counts.
  return s?.evaluatedAt && Date.parse(s.evaluatedAt) >= changedAt - 1000 ? s.objective : undefined;
}

const latencies: Array<{ kind: string; ms: number }> = [];

/** Makes a change, then waits for an evaluation of the new objective; records how long it took. */
async function expectEvaluated(kind: string, id: string, objective: number, change: () => Promise<void>): Promise<void> {
  const at = Date.now();
  await change();
  await expect.poll(() => objectiveOf(id, at), { timeout: 20_000, interval: 50 }).toBe(objective);
  latencies.push({ kind, ms: Date.now() - at });
  // The reload says which file changed.
  expect(service.lines.some((l) => l.includes('"reason":"files changed"') && Date.parse(JSON.parse(l).time) >= at - 1000)).toBe(true);
}

beforeAll(async () => {
  const s = scenario({ start: NOW - 86_400, end: NOW + 3600, step: 60 })
    .counter('ranker_requests_total', { code: '200' }, [profile(20)])
    .counter('ranker_requests_total', { code: '500' }, [profile(0.01)]);
  prom = await startPrometheus(s);
  dir = await makeTempDir('burnwatch-reload-');
  slos = path.join(dir, 'slos');
  await fs.mkdir(slos);
  await fs.writeFile(
    path.join(slos, 'datasource.yaml'),
    `apiVersion: burnwatch/v1\nkind: DataSource\nmetadata: { name: prometheus }\nspec:\n  prometheus: { url: "${prom.url}" }\n`,
  );
  await fs.writeFile(path.join(slos, 'ranker.yaml'), slo('availability', 99));
  // A ConfigMap volume: the files are symlinks into ..data, itself a symlink to a timestamped folder.
  await fs.mkdir(path.join(slos, '..2026_12_02_10_00_00.000000001'));
  await fs.writeFile(path.join(slos, '..2026_12_02_10_00_00.000000001', 'configmap.yaml'), slo('configmap', 99));
  await fs.symlink('..2026_12_02_10_00_00.000000001', path.join(slos, '..data'));
  await fs.symlink('..data/configmap.yaml', path.join(slos, 'configmap.yaml'));
  service = await startBurnwatch({
    DATABASE_URL: undefined,
    BURNWATCH_HOST: '127.0.0.1',
    BURNWATCH_PORT: '0',
    BURNWATCH_DATA_DIR: path.join(dir, 'data'),
    BURNWATCH_SLOS_DIR: slos,
    BURNWATCH_SCHEDULE: '* * * * * *',
    BURNWATCH_NOTIFY_LOG: 'false',
    // /api/slos is read without a token here (a trusted network).
    BURNWATCH_PUBLIC_READ: 'true',
    BURNWATCH_REPORT_ENABLED: 'false',
  });
}, 120_000);

afterAll(async () => {
  await service?.kill('SIGTERM');
  await prom?.destroy();
  await fs.rm(dir, { recursive: true, force: true });
  if (latencies.length > 0) {
    console.log(`hot reload, change → evaluation of the new content (ms): ${latencies.map((l) => `${l.kind} ${l.ms}`).join(', ')}`);
  }
});

describe('hot reload of slos/ by a running burnwatch serve', () => {
  it('evaluates the new content after every kind of file replacement, one after the other', { timeout: 240_000 }, async () => {
    const file = path.join(slos, 'ranker.yaml');
    const id = 'hstu-ranker/availability';
    await expect.poll(() => objectiveOf(id, 0), { timeout: 30_000 }).toBe(99);
    // Each kind twice in a row, and renames before and after writes in place: a watcher
    // that loses a file after the first rename fails the writes that follow.
    let n = 0;
    const next = () => Number((99 + ++n / 100).toFixed(2));
    for (let round = 0; round < 2; round++) {
      let o = next();
      await expectEvaluated('write in place', id, o, () => fs.writeFile(file, slo('availability', o)));
      o = next();
      await expectEvaluated('mv over', id, o, async () => {
        await fs.writeFile(`${file}.tmp`, slo('availability', o));
        await fs.rename(`${file}.tmp`, file);
      });
      const before = o;
      o = next();
      await expectEvaluated('sed -i', id, o, () => run('sed', ['-i', `s/objective: ${before}$/objective: ${o}/`, file]).then(() => {}));
      o = next();
      await expectEvaluated('editor save (backup, temp file, rename)', id, o, async () => {
        // vim with backupcopy=no / many IDEs: move the old file aside, write a temp file, rename it in place.
        await fs.writeFile(path.join(slos, '.ranker.yaml.swp'), 'swap');
        await fs.rename(file, `${file}~`);
        await fs.writeFile(path.join(slos, '.ranker.yaml.new'), slo('availability', o));
        await fs.rename(path.join(slos, '.ranker.yaml.new'), file);
        await fs.rm(`${file}~`);
        await fs.rm(path.join(slos, '.ranker.yaml.swp'));
      });
    }

    // Kubernetes updates a ConfigMap volume by writing a new timestamped folder and renaming a ..data symlink over the old one.
    for (const [i, o] of [99.5, 99.6].entries()) {
      await expectEvaluated('ConfigMap ..data swap', 'hstu-ranker/configmap', o, async () => {
        const stamp = `..2026_12_02_10_0${i + 1}_00.000000001`;
        await fs.mkdir(path.join(slos, stamp));
        await fs.writeFile(path.join(slos, stamp, 'configmap.yaml'), slo('configmap', o));
        await fs.symlink(stamp, path.join(slos, '..data_tmp'));
        await fs.rename(path.join(slos, '..data_tmp'), path.join(slos, '..data'));
      });
    }

    // A new folder with a new SLO, then a change inside it.
    await expectEvaluated('new folder', 'hstu-ranker/team-b', 99.9, async () => {
      await fs.mkdir(path.join(slos, 'team-b', 'nested'), { recursive: true });
      await fs.writeFile(path.join(slos, 'team-b', 'nested', 'b.yaml'), slo('team-b', 99.9));
    });
    await expectEvaluated('write in the new folder', 'hstu-ranker/team-b', 99.95, () =>
      fs.writeFile(path.join(slos, 'team-b', 'nested', 'b.yaml'), slo('team-b', 99.95)),
    );
    // A file removed: its SLO is no longer evaluated.
    await fs.rm(path.join(slos, 'team-b'), { recursive: true });
    await expect
      .poll(async () => ((await (await fetch(`${service.url}/api/slos`)).json()) as { slos: Array<{ id: string }> }).slos.map((s) => s.id), { timeout: 20_000 })
      .not.toContain('hstu-ranker/team-b');
    expect(latencies).toHaveLength(12);
  });
});

// `burnwatch demo --prometheus`: the same week as Prometheus metrics, backfilled with
// promtool into TSDB blocks and served by a real Prometheus on a free loopback port.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Telemetry } from './telemetry.ts';
import { freePort } from '../service/free-port.ts';

const run = promisify(execFile);

/** The telemetry as OpenMetrics: counters, a classic histogram (150 ms bucket), gauges; one sample a minute. */
export function telemetryOpenMetrics(t: Telemetry): string {
  const lines: string[] = [];
  const sec = (d: Date) => Math.round(d.getTime() / 1000);
  const counter = (name: string, labels: string, values: Iterable<[number, number]>) => {
    for (const [ts, v] of values) lines.push(`${name}${labels} ${v} ${ts}`);
  };
  function* cumulative(pick: (i: number) => number): Generator<[number, number]> {
    let total = 0;
    for (let i = 0; i < t.ranking.length; i++) {
      yield [sec(t.ranking[i]!.ts), total];
      total += pick(i);
    }
  }
  const r = t.ranking;
  lines.push('# TYPE ranker_requests counter');
  counter('ranker_requests_total', '{route="/rank"}', cumulative((i) => r[i]!.requests));
  lines.push('# TYPE ranker_errors counter');
  counter('ranker_errors_total', '{route="/rank"}', cumulative((i) => r[i]!.errors));
  lines.push('# TYPE ranker_request_duration_seconds histogram');
  counter('ranker_request_duration_seconds_bucket', '{route="/rank",le="0.15"}', cumulative((i) => r[i]!.fast));
  counter('ranker_request_duration_seconds_bucket', '{route="/rank",le="+Inf"}', cumulative((i) => r[i]!.requests));
  counter('ranker_request_duration_seconds_count', '{route="/rank"}', cumulative((i) => r[i]!.requests));
  counter('ranker_request_duration_seconds_sum', '{route="/rank"}', cumulative((i) => r[i]!.fast * 0.06 + (r[i]!.requests - r[i]!.fast) * 0.4));
  lines.push('# TYPE model_last_deploy_timestamp_seconds gauge');
  let d = 0;
  for (const m of t.training) {
    while (d + 1 < t.deployments.length && t.deployments[d + 1]!.deployedAt <= m.ts) d++;
    const last = t.deployments[d]!;
    if (last.deployedAt <= m.ts) lines.push(`model_last_deploy_timestamp_seconds{model="hstu-ranker"} ${sec(last.deployedAt)} ${sec(m.ts)}`);
  }
  lines.push('# TYPE training_samples counter');
  let samples = 0;
  for (const m of t.training) {
    lines.push(`training_samples_total{job="hstu"} ${samples} ${sec(m.ts)}`);
    samples += m.samplesPerSecond * 60;
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

export function demoPrometheusSloFiles(url: string, playbooks: string): Record<string, string> {
  const alerting = (runbook: string, channel = '#recs-oncall') => `  alerting:
    channel: "${channel}"
    runbook: ${playbooks}/${runbook}
    postmortemTemplate: ${playbooks}/postmortem.md.hbs
`;
  return {
    'datasources.yaml': `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: prometheus }
spec:
  prometheus: { url: "${url}" }
`,
    'hstu-ranker.yaml': `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ranking-latency, service: hstu-ranker, owner: recs-serving }
spec:
  description: 99% of ranking requests answer within 150 ms
  objective: 99
  window: 28d
  indicator:
    latency: { metric: ranker_request_duration_seconds, selector: 'route="/rank"', threshold: 150ms }
${alerting('ranking-latency.md')}  remediation:
    rollback: { kind: Deployment, namespace: recs, name: hstu-ranker }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: ranking-availability, service: hstu-ranker, owner: recs-serving }
spec:
  description: 99.9% of ranking requests succeed
  objective: 99.9
  window: 28d
  indicator:
    ratio:
      bad: sum(increase(ranker_errors_total[$window]))
      total: sum(increase(ranker_requests_total[$window]))
${alerting('ranking-availability.md')}---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: model-freshness, service: hstu-ranker, owner: recs-ml }
spec:
  description: the served ranking model is at most 6 hours old, 99% of the time
  objective: 99
  window: 28d
  timeslice: 1m
  indicator:
    freshness: { query: 'model_last_deploy_timestamp_seconds{model="hstu-ranker"}', maxAge: 6h }
${alerting('model-freshness.md')}`,
    'training.yaml': `apiVersion: burnwatch/v1
kind: SLO
metadata: { name: hstu-throughput, service: training, owner: recs-ml }
spec:
  description: the streaming trainer processes at least 40k samples/s, 99% of the time
  objective: 99
  window: 28d
  timeslice: 1m
  indicator:
    throughput: { query: 'sum(rate(training_samples_total{job="hstu"}[5m]))', min: 40000 }
${alerting('training-throughput.md', '#training-oncall')}`,
  };
}

export interface DemoPrometheus {
  url: string;
  stop(): Promise<void>;
}


/** Backfills the telemetry and starts Prometheus on it (no scraping, long retention: old blocks stay). */
export async function startDemoPrometheus(dir: string, t: Telemetry): Promise<DemoPrometheus> {
  await mkdir(dir, { recursive: true });
  const input = path.join(dir, 'telemetry.om');
  await writeFile(input, telemetryOpenMetrics(t));
  const data = path.join(dir, 'data');
  const hours = Math.ceil((t.end.getTime() - t.historyStart.getTime()) / 3_600_000) + 48;
  try {
    // One block for the whole span: promtool re-reads its input once per block window.
    await run('promtool', ['tsdb', 'create-blocks-from', `--max-block-duration=${hours}h`, 'openmetrics', input, data], { maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('--prometheus needs promtool and prometheus on PATH (Debian: apt-get install prometheus)');
    throw new Error(`promtool could not backfill the demo data: ${e.stderr ?? e.message}`);
  }
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=10y', '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run prometheus (Debian: apt-get install prometheus): ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`prometheus exited with ${code}: ${output.slice(-1000)}`)));
  });
  exited.catch(() => {});
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  };
  const ready = (async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`prometheus on ${url} not ready after 60 s: ${output.slice(-1000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

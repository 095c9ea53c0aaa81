// `burnwatch demo`: the whole loop on a laptop, with nothing running and no network. A week
// of recommendation-platform telemetry goes into an SQLite file; the service's own
// parts (spec loader, SQL source, evaluation cycle, alerting state machine, store, outbox)
// replay that week cycle by cycle; the outbox feeds a timeline printed as it unfolds;
// then the post-mortems and the weekly report are written.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixedClock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import type { SourceMap } from '../evaluator/index.ts';
import { OutboxDispatcher } from '../notify/outbox-dispatcher.ts';
import { lastCompleteWeek } from '../reports/iso-week.ts';
import type { ReportData } from '../reports/report-data.ts';
import { runEvaluationCycle } from '../service/evaluation-cycle.ts';
import { createLogger } from '../service/logger.ts';
import { loadSpecs } from '../spec/load.ts';
import { formatProblem } from '../spec/problem.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { type DemoPrometheus, demoPrometheusSloFiles, startDemoPrometheus } from './demo-prometheus.ts';
import { demoSloFiles } from './demo-slos.ts';
import { DemoOnCall } from './demo-incidents.ts';
import { buildDemoSources } from './demo-sources.ts';
import { writeDemoOutputs } from './demo-outputs.ts';
import { generateTelemetry, type Telemetry } from './telemetry.ts';
import { writeTelemetry } from './telemetry-store.ts';
import { clockTime, timelineNotifier } from './timeline-notifier.ts';

export interface DemoOptions {
  /** Where everything goes (wiped first). */
  dir: string;
  /** The repository root: playbooks/ live here. */
  root: string;
  /** Seconds between evaluation cycles over the simulated week. */
  stepSeconds: number;
  /** Serve the telemetry from a real Prometheus (backfilled with promtool) instead of SQLite. */
  prometheus?: boolean;
  now: Date;
  print: (line: string) => void;
}

export interface DemoResult {
  slos: Slo[];
  telemetry: Telemetry;
  alerts: number;
  files: string[];
  notIncluded: string[];
  /** The weekly report's data (what its Markdown, HTML and Slack renderings show). */
  report: ReportData;
  /** Where the state store is (embedded): the incidents the outputs were written from. */
  stateDir: string;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const { print } = o;
  const dir = path.resolve(o.dir);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const week = lastCompleteWeek(o.now);
  const start = new Date(week.start);
  const telemetry = generateTelemetry(start);

  print(`burnwatch demo: week ${week.label} (${week.start.slice(0, 10)} to ${week.end.slice(0, 10)}) of an HSTU recommendation platform`);
  const slosDir = path.join(dir, 'slos');
  await mkdir(slosDir);
  let files: Record<string, string>;
  let prometheus: DemoPrometheus | undefined;
  if (o.prometheus) {
    prometheus = await startDemoPrometheus(path.join(dir, 'prometheus'), telemetry);
    print(`  telemetry: 5 weeks (4 quiet, then the demo week) of ranking traffic, training throughput and model deployments, backfilled with promtool → Prometheus on ${prometheus.url}`);
    files = demoPrometheusSloFiles(prometheus.url, 'playbooks');
  } else {
    const telemetryFile = path.join(dir, 'telemetry.db');
    writeTelemetry(telemetryFile, telemetry);
    print(`  telemetry: 5 weeks (4 quiet, then the demo week) of ranking traffic, training throughput and ${telemetry.deployments.length} model deployments, minute by minute → SQLite ${path.relative(process.cwd(), telemetryFile) || telemetryFile}`);
    // Runbooks and the post-mortem template are the repository's playbooks/ (paths relative to the root).
    files = demoSloFiles(`sqlite://${telemetryFile}`, 'playbooks');
  }
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(slosDir, name), text);
  const loaded = await loadSpecs([slosDir], { cwd: o.root, env: {} });
  const errors = loaded.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    await prometheus?.stop();
    throw new Error(`the demo SLOs do not load:\n${errors.map(formatProblem).join('\n')}`);
  }
  const slos = loaded.slos;
  print(`  SLOs: ${slos.map((s) => s.id).join(', ')}`);

  let store: Store | undefined;
  let sources: SourceMap | undefined;
  try {
    const stateDir = path.join(dir, 'state');
    store = await openStore({ dataDir: stateDir });
    sources = buildDemoSources(loaded.sources, store.db);
    const clock = fixedClock(start);
    const logger = createLogger('silent');
    const timeline = timelineNotifier(print, () => clock.now());
    const dispatcher = new OutboxDispatcher({
      db: store.db,
      notifiers: [timeline],
      clock,
      logger,
      isLeader: () => true,
      backoffSeconds: 1,
      maxBackoffSeconds: 60,
    });
    const db = store.db;
    const deps = { db, sources: () => sources!, routes: () => [() => ['timeline']], incidentRoutes: () => [() => ['timeline']], isLeader: () => true, logger };
    const onCall = new DemoOnCall(db, slos, telemetry.incidents);

    print('');
    print(`Alert timeline (evaluating every ${o.stepSeconds / 60} minutes, as the service would):`);
    const stories = [
      ...telemetry.incidents.map((i) => ({ at: i.start, text: `── ${i.story}` })),
      ...telemetry.incidents.map((i) => ({ at: i.end, text: `── ${i.resolution}` })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    const end = telemetry.end.getTime();
    let day = -1;
    for (let t = start.getTime() + o.stepSeconds * 1000; t <= end; t += o.stepSeconds * 1000) {
      const at = new Date(t);
      if (at.getUTCDay() !== day && t < end) {
        day = at.getUTCDay();
        print(`  ${at.toUTCString().slice(0, 16)}`);
      }
      while (stories[0] && stories[0].at.getTime() <= t) {
        const story = stories.shift()!;
        print(`  ${clockTime(story.at)}  ${story.text}`);
      }
      clock.set(at);
      const cycle = await runEvaluationCycle(deps, slos, at, AbortSignal.timeout(60_000));
      await onCall.afterCycle(cycle.intents, at);
      await dispatcher.runOnce();
    }
    await onCall.resolve(telemetry.end);
    print('');
    const outputs = await writeDemoOutputs({ dir, root: o.root, slos, sources, db, telemetry, week, now: new Date(end + 3600_000), incidentIds: onCall.incidentIds });
    return { slos, telemetry, alerts: timeline.sent.length, files: outputs.files, notIncluded: outputs.notIncluded, report: outputs.report, stateDir };
  } finally {
    for (const s of sources?.values() ?? []) await s.close().catch(() => {});
    await store?.close();
    await prometheus?.stop();
  }
}

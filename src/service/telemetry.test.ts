// Spans around a cycle, each source read and each notification, through the real SDK
// with an in-memory exporter.
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSlo } from '../../test/fixtures/slo.ts';
import { makeTempDir } from '../../test/helpers/test-databases.ts';
import { buildSources } from '../app/build-sources.ts';
import { logNotifier } from '../notify/log-notifier.ts';
import { OutboxDispatcher } from '../notify/outbox-dispatcher.ts';
import { systemClock } from '../domain/clock.ts';
import { SOURCE_FACTORIES } from '../sources/registry.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { enqueue } from '../store/repositories/outbox.ts';
import { runEvaluationCycle } from './evaluation-cycle.ts';
import { createMetrics } from './metrics.ts';

describe('telemetry', () => {
  const exporter = new InMemorySpanExporter();
  let sdk: NodeSDK;
  let store: Store;
  beforeAll(async () => {
    process.env.OTEL_SDK_DISABLED = 'false';
    sdk = new NodeSDK({ serviceName: 'burnwatch-test', spanProcessors: [new SimpleSpanProcessor({ exporter })], instrumentations: [], autoDetectResources: false });
    sdk.start();
    store = await openStore({ dataDir: await makeTempDir() });
  });
  afterAll(async () => {
    await store?.close();
    await sdk?.shutdown();
  });

  it('traces a cycle with its source reads, and each notification', async () => {
    const metrics = createMetrics();
    const sources = buildSources([{ type: 'prometheus', name: 'prom', url: 'http://127.0.0.1:9', timeoutSeconds: 1, headers: {} }], SOURCE_FACTORIES, metrics);
    const slo = makeSlo({ indicator: { kind: 'ratio', total: { source: 'prom', language: 'promql', text: 'sum(increase(x[$window]))' } } });
    const logger = pino({ level: 'silent' });
    const result = await runEvaluationCycle(
      { db: store.db, sources: () => sources, routes: () => [], isLeader: () => true, logger },
      [slo],
      new Date(),
      new AbortController().signal,
    );
    expect(result.evaluations[0]!.status).toBe('unknown');
    await enqueue(store.db, { idempotencyKey: 'k', channel: 'log', kind: 'alert.firing', payload: {}, at: new Date() });
    await new OutboxDispatcher({ db: store.db, notifiers: [logNotifier(logger)], clock: systemClock, logger, isLeader: () => true, backoffSeconds: 1, maxBackoffSeconds: 1 }).runOnce();

    const spans = exporter.getFinishedSpans();
    const cycle = spans.find((s) => s.name === 'evaluation.cycle')!;
    // Prometheus answers all SLOs of a cycle in one batch (queries shared across SLOs).
    const read = spans.find((s) => s.name === 'source.read_many')!;
    expect(cycle).toBeDefined();
    expect(read.parentSpanContext?.spanId).toBe(cycle.spanContext().spanId);
    expect(read.attributes['burnwatch.source']).toBe('prom');
    expect(read.status.code).toBe(2); // ERROR: nothing listens on port 9
    expect(spans.find((s) => s.name === 'notify')?.attributes['burnwatch.channel']).toBe('log');
  });
});

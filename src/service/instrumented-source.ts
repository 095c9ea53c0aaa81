// Wraps a data source so that every SLI read gets a span, a latency observation and,
// on failure, an error count by code; the evaluator does not need to know.
import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SliReading, SliRequest, SliSource } from '../sources/sli-source.ts';
import { SourceError } from '../sources/source-error.ts';
import type { Metrics } from './metrics.ts';

const tracer = trace.getTracer('burnwatch');

export function instrumentSource(source: SliSource, metrics: Metrics): SliSource {
  const countError = (error: unknown) =>
    metrics.sourceQueryErrors.inc({ source: source.name, code: error instanceof SourceError ? error.code : 'bug' });
  const failSpan = (span: Span, error: Error) => span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });

  /** One span and one latency observation around `run`; a thrown error is counted and recorded. */
  const measured = <T>(name: string, attributes: Attributes, run: (span: Span) => Promise<T>): Promise<T> =>
    tracer.startActiveSpan(name, { attributes: { 'burnwatch.source': source.name, 'burnwatch.source_type': source.type, ...attributes } }, async (span) => {
      const stop = metrics.sourceQueryDuration.startTimer({ source: source.name });
      try {
        return await run(span);
      } catch (error) {
        countError(error);
        span.recordException(error as Error);
        failSpan(span, error as Error);
        throw error;
      } finally {
        stop();
        span.end();
      }
    });

  // Sources that share queries across SLOs keep doing so behind the wrapper: one span per batch,
  // where a request's failure is an answer, not a throw.
  const readMany = source.readMany?.bind(source);
  return {
    name: source.name,
    type: source.type,
    ping: (signal) => source.ping(signal),
    close: () => source.close(),
    ...(readMany
      ? {
          readMany: (requests: readonly SliRequest[]) =>
            measured('source.read_many', { 'burnwatch.slos': requests.length }, async (span) => {
              const readings: Array<SliReading | Error> = await readMany(requests);
              const failed = readings.filter((r): r is Error => r instanceof Error);
              failed.forEach(countError);
              if (failed.length > 0) {
                span.setAttribute('burnwatch.failed_slos', failed.length);
                failSpan(span, failed[0]!);
              }
              return readings;
            }),
        }
      : {}),
    read: (request) => measured('source.read', { 'burnwatch.slo': request.slo.id }, () => source.read(request)),
  };
}

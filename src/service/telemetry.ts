// OpenTelemetry traces, off by default. When OTEL_TRACES_EXPORTER names an exporter
// (otlp, console, zipkin), the NodeSDK reads the standard OTEL_* variables itself
// (endpoint, headers, sampler, resource attributes). Spans are made by hand around
// each cycle, source read and notification, so no loader hook is needed.
import type { Logger } from 'pino';

export interface Telemetry {
  shutdown(): Promise<void>;
}

export async function startTelemetry(opts: { enabled: boolean; serviceName: string; logger: Logger }): Promise<Telemetry> {
  if (!opts.enabled) return { shutdown: async () => {} };
  // Loaded only when on: the SDK and its exporters are about 40 MB of memory nobody else uses.
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ serviceName: opts.serviceName, instrumentations: [], autoDetectResources: true });
  sdk.start();
  opts.logger.info({ exporter: process.env.OTEL_TRACES_EXPORTER }, 'OpenTelemetry tracing on');
  return {
    shutdown: async () => {
      await sdk.shutdown().catch((error: Error) => opts.logger.warn({ err: error.message }, 'telemetry shutdown failed'));
    },
  };
}

// OpenTelemetry traces, off by default. When OTEL_TRACES_EXPORTER names an exporter
// (otlp, console, zipkin), the NodeSDK reads the standard OTEL_* variables itself
// (endpoint, headers, sampler, resource attributes). Spans are made by hand around
// each cycle, source read and notification, so no loader hook is needed.
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Logger } from 'pino';

export interface Telemetry {
  shutdown(): Promise<void>;
}

export function startTelemetry(opts: { enabled: boolean; serviceName: string; logger: Logger }): Telemetry {
  if (!opts.enabled) return { shutdown: async () => {} };
  const sdk = new NodeSDK({ serviceName: opts.serviceName, instrumentations: [], autoDetectResources: true });
  sdk.start();
  opts.logger.info({ exporter: process.env.OTEL_TRACES_EXPORTER }, 'OpenTelemetry tracing on');
  return {
    shutdown: async () => {
      await sdk.shutdown().catch((error: Error) => opts.logger.warn({ err: error.message }, 'telemetry shutdown failed'));
    },
  };
}

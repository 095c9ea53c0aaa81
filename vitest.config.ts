import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup/net-guard.ts'],
    env: { METADATA_SERVER_DETECTION: 'none', OTEL_TRACES_EXPORTER: 'none', OTEL_SDK_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most long tests wait (on Prometheus scrapes, Retry-After, rollouts) rather than compute: three
    // files at a time on two cores keeps CI near half the time of one, with every deadline generous.
    maxWorkers: 3,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup/net-guard.ts'],
    env: { METADATA_SERVER_DETECTION: 'none', OTEL_TRACES_EXPORTER: 'none', OTEL_SDK_DISABLED: 'true' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});

import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';

describe('/metrics names', () => {
  it('prefixes Node process and runtime metrics with burnwatch_ once, as dashboards expect', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toMatch(/^burnwatch_process_cpu_seconds_total /m);
    expect(text).toMatch(/^burnwatch_nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/burnwatch_process_process_|burnwatch_process_nodejs_/);
    // every sample line carries the prefix
    const names = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]);
    expect(names.filter((n) => !n?.startsWith('burnwatch_'))).toEqual([]);
  });
});

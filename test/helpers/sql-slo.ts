// Builders for SLOs and an in-memory store used by the warehouse source tests.
import { openMemoryCache } from '../../src/sources/sql/memory-cache.ts';
import type { Indicator, Slo } from '../../src/domain/slo.ts';
import { defaultTiers } from '../../src/domain/tiers.ts';

export function sqlSlo(id: string, indicator: Indicator, overrides: Partial<Slo> = {}): Slo {
  const windowSeconds = 28 * 86_400;
  return {
    id,
    name: id.split('/')[1] ?? id,
    service: id.split('/')[0] ?? id,
    labels: {},
    objectivePercent: 99,
    objective: 0.99,
    window: '28d',
    windowSeconds,
    source: 'warehouse',
    indicator,
    timesliceSeconds: 60,
    intervalSeconds: 60,
    alerting: { minEvents: 0, noDataAfter: 3, tiers: defaultTiers(windowSeconds) },
    origin: { file: 'slos/test.yaml', line: 1 },
    ...overrides,
  };
}

/** burnwatch's store on in-memory SQLite, migrated (includes the warehouse cache): the source's own. */
export const openMemoryStore = openMemoryCache;

// The downsampling query on the machine's PostgreSQL: at most `points` rows, oldest first,
// and a burn inside a run of rows is kept, not averaged away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, makeTempDir, type TestDatabase } from '../../../test/helpers/test-databases.ts';
import type { SloEvaluation } from '../../domain/evaluation.ts';
import { openStore, type Store } from '../open-store.ts';
import { evaluationSeries, latestEvaluationOf } from './evaluation-series.ts';
import { saveEvaluation } from './evaluations.ts';

let db: TestDatabase;
let store: Store;
const T0 = Date.UTC(2026, 10, 1);

const ev = (id: string, minute: number, burn: number): SloEvaluation => ({
  id,
  objective: 99.9,
  window: '28d',
  status: burn > 14 ? 'page' : 'ok',
  evaluatedAt: new Date(T0 + minute * 60_000).toISOString(),
  sli: 1 - burn / 1000,
  errorBudgetRemaining: 1 - minute / 10_000,
  timeToExhaustionSeconds: burn > 0 ? 86_400 / burn : null,
  burnRates: { '1h': burn, '5m': burn },
  tiers: [{ severity: 'page', long: '1h', short: '5m', factor: 14.4, longBurnRate: burn, shortBurnRate: burn, firing: burn > 14 }],
  events: { bad: burn, total: 1000 },
});

beforeAll(async () => {
  db = await createPostgresDatabase('bw_series');
  store = await openStore({ databaseUrl: db.url, dataDir: await makeTempDir() });
  for (let m = 0; m < 1000; m++) await saveEvaluation(store.db, ev('a/slo', m, m === 537 ? 30 : 0.5));
  await saveEvaluation(store.db, ev('b/other', 5, 1));
}, 120_000);
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

describe('evaluationSeries', () => {
  it('returns at most `points` rows, oldest first, of the one SLO, keeping the worst row of each run', async () => {
    const series = await evaluationSeries(store.db, { sloId: 'a/slo', from: new Date(T0), to: new Date(T0 + 1000 * 60_000), points: 100 });
    expect(series).toHaveLength(100);
    const times = series.map((p) => p.evaluatedAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const burst = series.filter((p) => p.status === 'page');
    expect(burst).toHaveLength(1);
    expect(burst[0]!.evaluatedAt.toISOString()).toBe(new Date(T0 + 537 * 60_000).toISOString());
    expect(burst[0]!.burnRates['1h']).toBe(30);
    expect(burst[0]!.tiers[0]!.firing).toBe(true);
  });

  it('returns every row when there are fewer than `points`, and only those in range', async () => {
    const series = await evaluationSeries(store.db, { sloId: 'a/slo', from: new Date(T0 + 10 * 60_000), to: new Date(T0 + 20 * 60_000), points: 600 });
    expect(series.map((p) => (p.evaluatedAt.getTime() - T0) / 60_000)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('reads the latest evaluation of one SLO', async () => {
    expect((await latestEvaluationOf(store.db, 'a/slo'))!.evaluatedAt.toISOString()).toBe(new Date(T0 + 999 * 60_000).toISOString());
    expect(await latestEvaluationOf(store.db, 'c/none')).toBeUndefined();
  });
});

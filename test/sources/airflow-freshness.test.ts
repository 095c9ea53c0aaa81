// Freshness from Airflow ("the last successful run of DAG hstu_daily") through the loader, the
// real source and the evaluator, against the wire-level fake of Airflow's REST API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSlo } from '../../src/evaluator/evaluate-all.ts';
import { loadSpecTexts } from '../../src/spec/load.ts';
import { buildSources } from '../../src/sources/registry.ts';
import { type FakeAirflow, startFakeAirflow } from '../fakes/airflow-api.ts';

const AT = new Date('2026-11-20T10:00:00Z');
const PASSWORD = 'airflow-secret-password';
let airflow: FakeAirflow;

beforeAll(async () => {
  airflow = await startFakeAirflow({ auth: { basic: { username: 'burnwatch', password: PASSWORD } }, maxPageLimit: 5 });
  airflow.addDag('hstu_daily');
  // A success every day at 04:00 for twelve days, the last one 30 hours before AT (today's failed).
  for (let d = 12; d >= 1; d--) {
    const end = new Date(Date.UTC(2026, 10, 20 - d, 4, 0, 0)).toISOString();
    airflow.addRun({ dag_id: 'hstu_daily', dag_run_id: `scheduled__${end}`, state: 'success', end_date: end });
  }
  airflow.addRun({ dag_id: 'hstu_daily', dag_run_id: 'scheduled__today', state: 'failed', end_date: '2026-11-20T04:00:00.000Z' });
});
afterAll(() => airflow?.close());

const specs = (dag = 'hstu_daily', kind = 'freshness') => `apiVersion: burnwatch/v1
kind: DataSource
metadata: { name: airflow }
spec:
  airflow: { url: "${airflow.url}", api: v1, username: burnwatch, password: "\${AIRFLOW_PASSWORD}", timeout: 5s }
---
apiVersion: burnwatch/v1
kind: SLO
metadata: { name: training-freshness, service: hstu-ranker }
spec:
  objective: 99
  window: 7d
  source: airflow
  indicator:
${kind === 'freshness' ? `    freshness: { query: ${dag}, maxAge: 24h }` : `    threshold: { query: ${dag}, op: gte, value: 1 }`}
`;

const load = (password: string, dag?: string, kind?: string) =>
  loadSpecTexts([{ file: 'slos/training.yaml', text: specs(dag, kind) }], { env: { AIRFLOW_PASSWORD: password }, fileExists: () => true });

describe('Airflow freshness SLI', () => {
  it("is fresh until 24 h after the DAG's last successful run, read page by page", async () => {
    const loaded = load(PASSWORD);
    expect(loaded.problems).toEqual([]);
    const slo = loaded.slos[0]!;
    expect(slo.indicator).toMatchObject({ kind: 'freshness', query: { source: 'airflow', language: 'airflow', text: 'hstu_daily' }, maxAgeSeconds: 86_400 });
    const sources = buildSources(loaded.sources.filter((s) => s.type === 'airflow'));
    const e = await evaluateSlo(slo, sources, AT);
    expect(e.error).toBeUndefined();
    // Stale for the last 6 hours: every slice of the 1h and 6h windows is bad, 6 of 24 h of the day.
    expect(e.burnRates['1h']).toBeCloseTo(100, 6);
    expect(e.burnRates['6h']).toBeCloseTo(100, 6);
    expect(e.burnRates['1d']).toBeCloseTo(25, 6);
    expect(e.status).toBe('page');
    const pages = airflow.requests.filter((r) => r.query.get('end_date_gte'));
    expect(pages.length).toBeGreaterThan(1); // 6 successes in the 7d window at 5 per page
    expect(new Set(pages.map((r) => r.query.get('state')))).toEqual(new Set(['success']));
  });

  it('is unknown, with the reason and without the password, when Airflow refuses or the DAG does not exist', async () => {
    const wrong = load('wrong-password');
    const e = await evaluateSlo(wrong.slos[0]!, buildSources(wrong.sources.filter((s) => s.type === 'airflow')), AT);
    expect(e.status).toBe('unknown');
    expect(e.error).toMatch(/Airflow refused the credentials \(401/);
    expect(JSON.stringify(e)).not.toContain('wrong-password');
    const missing = load(PASSWORD, 'no_such_dag');
    const m = await evaluateSlo(missing.slos[0]!, buildSources(missing.sources.filter((s) => s.type === 'airflow')), AT);
    expect(m.status).toBe('unknown');
    expect(m.error).toMatch(/DAG with dag_id: 'no_such_dag' not found/);
  });

  it('answers freshness only: another indicator on an Airflow source is a spec error at its line', () => {
    const r = load(PASSWORD, 'hstu_daily', 'threshold');
    expect(r.slos).toEqual([]);
    expect(r.problems).toMatchObject([{ file: 'slos/training.yaml', line: 15, path: 'spec.indicator.threshold.query', message: expect.stringMatching(/is an Airflow source: it answers freshness SLIs only/) }]);
  });
});

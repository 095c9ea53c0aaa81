// Detection latency: scripted incidents (a step to error ratio e at T) on a real Prometheus,
// evaluated once per one-minute cycle exactly as the service does (evaluateAll, then the alerting
// state machine). The figure is the time from the first bad second to the first page, beside the
// workbook's formula B/e × L × b for the tier that fires first: the physical limit of the policy.
import { advanceAlerts, emptyAlertingState } from '../src/alerting/state-machine.ts';
import { detectionTime } from '../src/domain/burn-math.ts';
import { evaluateAll } from '../src/evaluator/evaluate-all.ts';
import { PrometheusSource } from '../src/sources/prometheus/prometheus-source.ts';
import { profile, scenario, startPrometheus } from '../test/fixtures/prometheus/index.ts';
import { makeSlo } from '../test/fixtures/slo.ts';

export interface DetectionRow {
  errorRatio: number;
  tier: string;
  formulaSeconds: number;
  measuredSeconds: number | null;
  cycleSeconds: number;
}

const T = Date.parse('2026-11-20T12:00:00Z') / 1000;
const CYCLE = 60;
const RATIOS = [1, 0.2, 0.05, 0.02];

export async function benchDetection(): Promise<DetectionRow[]> {
  let s = scenario({ start: T - 31 * 86_400, end: T + 3 * 3600, step: 15, coarse: { until: T - 4 * 86_400, step: 600 } });
  for (const e of RATIOS) {
    const id = String(e);
    s = s
      .counter('bench_requests_total', { incident: id, code: '500' }, [profile(100), profile(0).step(T, e)])
      .counter('bench_requests_total', { incident: id, code: '200' }, [profile(100), profile(1).step(T, 1 - e)]);
  }
  const prom = await startPrometheus(s);
  const source = new PrometheusSource({ name: 'prometheus', url: prom.url, timeoutSeconds: 30 });
  const slos = RATIOS.map((e) =>
    makeSlo({
      id: `incident/${e}`,
      objectivePercent: 99.9,
      window: '30d',
      source: 'prometheus',
      indicator: {
        kind: 'ratio',
        bad: { source: 'prometheus', language: 'promql', text: `sum(increase(bench_requests_total{incident="${e}",code="500"}[$window]))` },
        total: { source: 'prometheus', language: 'promql', text: `sum(increase(bench_requests_total{incident="${e}"}[$window]))` },
      },
    }),
  );
  const firstPage = new Map<string, number>();
  try {
    let state = emptyAlertingState();
    // Cycles at whole minutes, as node-cron runs them, from the step until 3 h after it.
    for (let at = T; at <= T + 3 * 3600 && firstPage.size < slos.length; at += CYCLE) {
      const evaluations = await evaluateAll(slos, new Map([['prometheus', source]]), new Date(at * 1000));
      const result = advanceAlerts(state, evaluations);
      state = result.state;
      for (const intent of result.intents) {
        if (intent.kind === 'firing' && intent.severity === 'page' && !firstPage.has(intent.sloId)) firstPage.set(intent.sloId, at);
      }
    }
  } finally {
    await prom.destroy();
  }
  return slos.map((slo, i) => {
    const e = RATIOS[i]!;
    // The page tier that the formula says fires first.
    const pages = slo.alerting.tiers.filter((t) => t.severity === 'page');
    const best = pages
      .map((t) => ({ t, d: e * 1 > t.factor * (1 - slo.objective) ? detectionTime(e, slo.objective, t.longSeconds, t.factor) : Number.POSITIVE_INFINITY }))
      .sort((a, b) => a.d - b.d)[0]!;
    const fired = firstPage.get(slo.id);
    return {
      errorRatio: e,
      tier: `${best.t.long}/${best.t.short} ×${best.t.factor}`,
      formulaSeconds: best.d,
      measuredSeconds: fired === undefined ? null : fired - T,
      cycleSeconds: CYCLE,
    };
  });
}

export function detectionTable(rows: DetectionRow[]): string {
  const head = '| error ratio (99.9 %, 30d) | page tier | workbook limit B/e·L·b | measured: first bad second → page | within limit + one cycle |\n|---:|---|---:|---:|---|';
  const body = rows.map(
    (r) =>
      `| ${(r.errorRatio * 100).toFixed(0)} % | ${r.tier} | ${r.formulaSeconds.toFixed(1)} s | ${r.measuredSeconds === null ? 'no page' : `${r.measuredSeconds} s`} | ${
        r.measuredSeconds !== null && r.measuredSeconds <= r.formulaSeconds + r.cycleSeconds ? 'yes' : 'NO'
      } |`,
  );
  return [head, ...body].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(detectionTable(await benchDetection()));
}

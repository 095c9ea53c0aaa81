import { describe, expect, it } from 'vitest';
import { makeSlo } from '../../../test/fixtures/slo.ts';
import { combinedQuery, combinedQueryTemplate, partQuery, substituteWindow } from './sli-queries.ts';
import { fillWindow, WINDOW_SLOT } from './window-slot.ts';

const prom = (text: string) => ({ source: 'prom', language: 'promql' as const, text });

describe('SLI PromQL', () => {
  it('substitutes $window and its braced form, not $windows', () => {
    const braced = '$' + '{window}';
    expect(substituteWindow(`increase(x[$window]) + increase(y[${braced}]) + $windows`, '1h')).toBe('increase(x[1h]) + increase(y[1h]) + $windows');
  });

  it('reads latency from the le bucket and _count, with or without braces around the selector', () => {
    const slo = (selector: string, thresholdSeconds: number) =>
      makeSlo({ indicator: { kind: 'latency', source: 'prom', metric: 'rpc_seconds_bucket', selector, thresholdSeconds } });
    expect(partQuery(slo('{route="/rank"}', 0.15), 'good', 300)).toBe('sum(increase(rpc_seconds_bucket{route="/rank", le="0.15"}[5m]))');
    expect(partQuery(slo('route="/rank"', 0.15), 'total', 300)).toBe('sum(increase(rpc_seconds_count{route="/rank"}[5m]))');
    // Exporters write 1 or 1.0.
    expect(partQuery(slo('', 1), 'good', 300)).toBe('sum(increase(rpc_seconds_bucket{le=~"1|1\\\\.0"}[5m]))');
  });

  it('puts every part of a window in one query, labelled', () => {
    const slo = makeSlo({ indicator: { kind: 'ratio', good: prom('sum(increase(ok[$window]))'), total: prom('sum(increase(all[$window]))') } });
    expect(combinedQuery(slo, ['good', 'total'], 86_400)).toBe(
      'label_replace(sum(sum(increase(ok[1d]))), "burnwatch_part", "good", "", "") or label_replace(sum(sum(increase(all[1d]))), "burnwatch_part", "total", "", "")',
    );
    expect(() => combinedQuery(slo, ['bad'], 300)).toThrow(/no "bad" part/);
  });

  it('uses the timeslice for slice subqueries and for $window inside them', () => {
    const slo = makeSlo({ timeslice: '5m', indicator: { kind: 'threshold', query: prom('avg_over_time(ndcg[$window])'), op: 'lt', value: 0.2 } });
    expect(partQuery(slo, 'good', 3600)).toBe('sum_over_time((max(avg_over_time(ndcg[5m])) < bool 0.2)[1h:5m])');
    expect(partQuery(slo, 'total', 3600)).toBe('count_over_time((max(avg_over_time(ndcg[5m])))[1h:5m])');
  });

  it('leaves the window open in one text that every window fills into its own query', () => {
    const kinds = [
      makeSlo({ indicator: { kind: 'ratio', bad: prom('increase(err{m="a"}[$window])'), total: prom('increase(all{m="a"}[$window])') } }),
      makeSlo({ indicator: { kind: 'latency', source: 'prom', metric: 'rpc_seconds', selector: 'm="a"', thresholdSeconds: 0.25 } }),
      makeSlo({ timeslice: '5m', indicator: { kind: 'freshness', query: prom('last_success{m="a"}'), maxAgeSeconds: 3600 } }),
      makeSlo({ indicator: { kind: 'throughput', query: prom('rate(samples{m="a"}[$window])'), min: 100, activeWhen: prom('job_active{m="a"}') } }),
    ];
    for (const slo of kinds) {
      const parts = slo.indicator.kind === 'ratio' ? (['bad', 'total'] as const) : (['good', 'total'] as const);
      const text = combinedQueryTemplate(slo, parts)!;
      expect(text).toContain(WINDOW_SLOT);
      for (const [duration, seconds] of [['5m', 300], ['1h30m', 5400], ['1d', 86_400], ['28d', 28 * 86_400]] as const) {
        expect(fillWindow(text, duration)).toBe(combinedQuery(slo, parts, seconds));
      }
    }
  });

  it('builds no open text for PromQL that holds the slot characters itself', () => {
    const slo = makeSlo({ indicator: { kind: 'ratio', bad: prom(`increase(err{m="${WINDOW_SLOT}"}[$window])`), total: prom('increase(all[$window])') } });
    expect(combinedQueryTemplate(slo, ['bad', 'total'])).toBeUndefined();
  });
});

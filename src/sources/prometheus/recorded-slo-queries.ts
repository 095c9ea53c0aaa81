// The DataSources an SLO's indicator reads (recorded mode reads the whole indicator from one).
import type { Slo } from '../../domain/slo.ts';

export function queriesOf(slo: Slo): string[] {
  const ind = slo.indicator;
  switch (ind.kind) {
    case 'ratio':
      return [ind.good, ind.bad, ind.total].filter((q) => q !== undefined).map((q) => q.source);
    case 'latency':
      return [ind.source];
    case 'throughput':
      return [ind.query.source, ...(ind.activeWhen ? [ind.activeWhen.source] : [])];
    default:
      return [ind.query.source];
  }
}

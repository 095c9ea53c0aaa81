// Grouped definitions become one SLO per label value before each evaluation: the values are
// asked of the definition's source (one `group by` query per definition), capped, and kept
// between cycles so that a source that does not answer this cycle does not make its SLOs vanish
// (they are evaluated, and come out unknown, like any SLO whose source does not answer).
import type { Slo } from '../domain/slo.ts';
import type { SourceMap } from './evaluate-all.ts';
import { discoveryQuery, instanceOf } from './group-instances.ts';

export interface GroupWarning {
  slo: string;
  message: string;
}

export interface Expanded {
  slos: Slo[];
  warnings: GroupWarning[];
}

/** Remembers each definition's last known values (by definition id). */
export class GroupExpander {
  readonly #known = new Map<string, Array<Record<string, string>>>();

  async expand(slos: readonly Slo[], sources: SourceMap, at: Date, signal?: AbortSignal): Promise<Expanded> {
    if (!slos.some((s) => s.groupBy)) return { slos: [...slos], warnings: [] };
    const warnings: GroupWarning[] = [];
    const expanded = await Promise.all(
      slos.map(async (slo): Promise<Slo[]> => {
        if (!slo.groupBy) return [slo];
        const values = await this.#values(slo, sources, at, warnings, signal);
        return values.map((v) => instanceOf(slo, v));
      }),
    );
    return { slos: expanded.flat(), warnings };
  }

  async #values(slo: Slo, sources: SourceMap, at: Date, warnings: GroupWarning[], signal?: AbortSignal): Promise<Array<Record<string, string>>> {
    const { labels, max } = slo.groupBy!;
    const sourceName = slo.indicator.kind === 'latency' ? slo.indicator.source : slo.source;
    const source = sources.get(sourceName);
    const known = this.#known.get(slo.id) ?? [];
    if (!source?.seriesLabels) {
      warnings.push({ slo: slo.id, message: `DataSource "${sourceName}" cannot list the values of ${labels.join(', ')}: a grouped SLO needs a Prometheus source` });
      return known;
    }
    let series: Array<Record<string, string>>;
    try {
      series = await source.seriesLabels(discoveryQuery(slo), at, signal);
    } catch (error) {
      warnings.push({ slo: slo.id, message: `could not list the values of ${labels.join(', ')} (${(error as Error).message}); evaluating the ${known.length} known ones` });
      return known;
    }
    const seen = new Map<string, Record<string, string>>();
    for (const s of series) {
      // A series without one of the labels is not an instance of the group.
      if (!labels.every((l) => s[l] !== undefined && s[l] !== '')) continue;
      const values = Object.fromEntries(labels.map((l) => [l, s[l]!]));
      seen.set(JSON.stringify(values), values);
    }
    // Values that were known keep their place (stable alert state); new ones follow in order.
    const all = [...seen.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const keptFirst = [...known.filter((k) => seen.has(JSON.stringify(k))), ...all.filter((v) => !known.some((k) => JSON.stringify(k) === JSON.stringify(v)))];
    if (keptFirst.length > max)
      warnings.push({
        slo: slo.id,
        message: `${keptFirst.length} values of ${labels.join(', ')}, more than maxGroups ${max}: evaluating the first ${max} (raise spec.maxGroups, or group by a coarser label)`,
      });
    const chosen = keptFirst.slice(0, max);
    this.#known.set(slo.id, chosen);
    return chosen;
  }
}

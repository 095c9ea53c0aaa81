// `validate --check-sources` for recorded-mode Prometheus DataSources: reads every SLO's records
// once, as a cycle would, and says which SLOs' rules are not loaded (or no longer evaluated).
import type { PrometheusSourceSpec, Slo } from '../../domain/slo.ts';
import { ruleGroupName } from '../../domain/recorded-series.ts';
import { queriesOf } from './recorded-slo-queries.ts';
import { RecordedPrometheusSource } from './recorded-source.ts';

export interface RecordedCheck {
  slo: Slo;
  ok: boolean;
  message: string;
}

/** The SLOs of one recorded-mode source, each with whether its rules answered. */
export async function checkRecordedRules(spec: PrometheusSourceSpec, slos: readonly Slo[], now: Date): Promise<RecordedCheck[]> {
  const mine = slos.filter((slo) => queriesOf(slo).every((source) => source === spec.name));
  if (mine.length === 0) return [];
  const source = RecordedPrometheusSource.fromSpec(spec);
  try {
    const readings = await source.readMany(
      mine.map((slo) => ({
        slo,
        at: now,
        parts: ['bad', 'total'] as const,
        windows: [...new Set([slo.windowSeconds, ...slo.alerting.tiers.flatMap((t) => [t.longSeconds, t.shortSeconds])])].sort((a, b) => a - b),
      })),
    );
    return mine.map((slo, i) => {
      const r = readings[i];
      if (r instanceof Error) {
        const own = `${spec.name}: SLO ${slo.id}: `;
        return { slo, ok: false, message: r.message.startsWith(own) ? r.message.slice(own.length) : r.message };
      }
      return { slo, ok: true, message: `recorded rules loaded and fresh (group ${ruleGroupName(slo.id)})` };
    });
  } finally {
    await source.close();
  }
}

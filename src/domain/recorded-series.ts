// The names of the series `burnwatch generate prometheus` records, shared by the generator (which
// writes the rules) and recorded mode (which reads what the rules wrote), so the two cannot drift.
// Record names follow Sloth; the labels are burnwatch's (`slo_*`) or, with `--labels sloth`, Sloth's.
import { formatDuration } from './duration.ts';
import type { Slo } from './slo.ts';

/** Error ratio over one window (a tier window, the base window, or the SLO's period). */
export function errorRatioRecord(windowSeconds: number): string {
  return `slo:sli_error:ratio_rate${formatDuration(windowSeconds)}`;
}

/** Events over one window (occurrence kinds: the base window, and tier long windows guarded by minEvents). */
export function eventsRecord(windowSeconds: number): string {
  return `slo:sli_events:sum${formatDuration(windowSeconds)}`;
}

export type LabelSet = 'burnwatch' | 'sloth';

export interface SloLabelKeys {
  id: string;
  service: string;
  name: string;
  window: string;
}

export const LABEL_KEYS: Record<LabelSet, SloLabelKeys> = {
  burnwatch: { id: 'slo_id', service: 'slo_service', name: 'slo_name', window: 'slo_window' },
  sloth: { id: 'sloth_id', service: 'sloth_service', name: 'sloth_slo', window: 'sloth_window' },
};

/** The value of the id label: the SLO id, or Sloth's `<service>-<slo>`. */
export function idLabelValue(slo: Pick<Slo, 'id' | 'service' | 'name'>, set: LabelSet): string {
  return set === 'sloth' ? `${slo.service}-${slo.name}` : slo.id;
}

/** The rule group that holds an SLO's rules. */
export function ruleGroupName(id: string): string {
  return `burnwatch-${id.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

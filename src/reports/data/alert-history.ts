// Alerts fired, reconstructed by replaying the stored evaluation history through the
// alerting state machine itself (src/alerting): the same deterministic steps that
// decided the notifications decide what the report counts, inhibition included.
// Tiers of one severity that fire together are one episode, as a person saw it.
import { advanceAlerts, emptyAlertingState } from '../../alerting/state-machine.ts';
import type { Severity } from '../../domain/slo.ts';
import type { AlertRecord } from '../report-inputs.ts';
import { type StoredEvaluation, toSloEvaluation } from './evaluation-history.ts';

interface Instance {
  sloId: string;
  severity: Severity;
  firedAt: string;
  resolvedAt: string | null;
}

export function replayAlerts(history: readonly StoredEvaluation[], noDataAfter?: (sloId: string) => number): AlertRecord[] {
  const cycles = new Map<number, StoredEvaluation[]>();
  for (const e of history) {
    const t = e.evaluatedAt.getTime();
    cycles.set(t, [...(cycles.get(t) ?? []), e]);
  }
  let state = emptyAlertingState();
  const open = new Map<string, Instance>();
  const instances: Instance[] = [];
  for (const t of [...cycles.keys()].sort((a, b) => a - b)) {
    const step = advanceAlerts(state, (cycles.get(t) ?? []).map((e) => toSloEvaluation(e)), noDataAfter ? { noDataAfter } : {});
    state = step.state;
    for (const intent of step.intents) {
      if (intent.severity === null || intent.tierKey === null) continue;
      const key = `${intent.sloId}|${intent.tierKey}|${intent.since}`;
      if (intent.kind === 'firing') {
        const instance = { sloId: intent.sloId, severity: intent.severity, firedAt: intent.since, resolvedAt: null };
        open.set(key, instance);
        instances.push(instance);
      } else if (intent.kind === 'resolved') {
        const instance = open.get(key);
        if (instance) instance.resolvedAt = intent.at;
        open.delete(key);
      }
    }
  }
  return episodes(instances);
}

/** Merges overlapping instances of one SLO and severity into one alert. */
export function episodes(instances: readonly Instance[]): AlertRecord[] {
  const out: AlertRecord[] = [];
  const sorted = [...instances].sort((a, b) => Date.parse(a.firedAt) - Date.parse(b.firedAt));
  const current = new Map<string, AlertRecord>();
  for (const i of sorted) {
    const k = `${i.sloId}|${i.severity}`;
    const last = current.get(k);
    const overlaps = last && (last.resolvedAt === null || Date.parse(last.resolvedAt) >= Date.parse(i.firedAt));
    if (last && overlaps) {
      if (last.resolvedAt !== null && (i.resolvedAt === null || Date.parse(i.resolvedAt) > Date.parse(last.resolvedAt))) {
        last.resolvedAt = i.resolvedAt;
      }
      continue;
    }
    const record = { sloId: i.sloId, severity: i.severity, firedAt: i.firedAt, resolvedAt: i.resolvedAt };
    current.set(k, record);
    out.push(record);
  }
  return out;
}

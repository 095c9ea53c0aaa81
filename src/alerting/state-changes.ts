// Which SLOs' alert state a cycle must write. At 100 000 SLOs, writing every SLO's five rows each
// minute cost more than the evaluation; almost none of them changes from one minute to the next,
// and an SLO that never fired nor went unknown is the state the machine starts from anyway.
import type { SloAlertState, TierAlertState } from './state-machine.ts';

/** The state of an SLO that has never fired, never gone unknown: what a missing row means. */
export function isPristine(s: SloAlertState): boolean {
  if (s.consecutiveUnknown !== 0 || s.unknownSince !== null || s.noDataSince !== null) return false;
  for (const key in s.tiers) {
    const t = s.tiers[key]!;
    if (t.phase !== 'inactive' || t.firedAt !== null || t.resolvedAt !== null || t.notified) return false;
  }
  return true;
}

/** Whether the step left an SLO's state as it was loaded (missing: pristine). */
export function sloStateUnchanged(before: SloAlertState | undefined, after: SloAlertState): boolean {
  if (!before) return isPristine(after);
  if (before.consecutiveUnknown !== after.consecutiveUnknown || before.unknownSince !== after.unknownSince || before.noDataSince !== after.noDataSince) return false;
  const keys = Object.keys(after.tiers);
  if (keys.length !== Object.keys(before.tiers).length) return false;
  return keys.every((k) => before.tiers[k] !== undefined && sameTier(before.tiers[k], after.tiers[k]!));
}

function sameTier(a: TierAlertState, b: TierAlertState): boolean {
  return a.phase === b.phase && a.severity === b.severity && a.long === b.long && a.short === b.short && a.firedAt === b.firedAt && a.resolvedAt === b.resolvedAt && a.notified === b.notified;
}

// The workbook's closed forms. Pure functions of the budget B = 1 − objective.

/** Burn rate: how many times faster than "exactly on budget" errors arrive. */
export function burnRate(errorRatio: number, objective: number): number {
  return errorRatio / (1 - objective);
}

/** 1 − e(P)/B; negative when the budget is overspent. */
export function budgetRemaining(errorRatioOverPeriod: number, objective: number): number {
  return 1 - errorRatioOverPeriod / (1 - objective);
}

/** Seconds until the remaining budget is gone at a constant burn rate; Infinity when not burning. */
export function timeToExhaustion(remaining: number, periodSeconds: number, burn: number): number {
  if (burn <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, (remaining * periodSeconds) / burn);
}

/** Seconds from a step to error ratio e until a tier with this long window and factor fires: B/e × L × b. */
export function detectionTime(errorRatio: number, objective: number, longSeconds: number, factor: number): number {
  return ((1 - objective) / errorRatio) * longSeconds * factor;
}

/** Fraction of the period's budget already spent when the tier fires: b × L / P. */
export function budgetSpentAtFiring(factor: number, longSeconds: number, periodSeconds: number): number {
  return (factor * longSeconds) / periodSeconds;
}

/** Seconds after errors stop until the short window drops below the factor: S × (1 − b·B/e). */
export function resetTime(errorRatio: number, objective: number, shortSeconds: number, factor: number): number {
  return shortSeconds * (1 - (factor * (1 - objective)) / errorRatio);
}

/** Fewer events than this in the long window and one bad event fires the tier: 1/(b·B). */
export function lowTrafficEvents(factor: number, objective: number): number {
  return 1 / (factor * (1 - objective));
}

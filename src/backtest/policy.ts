// An alert policy to try out: a list of tiers applied to every SLO in place of their own.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { isDuration, parseDuration } from '../domain/duration.ts';
import type { Slo } from '../domain/slo.ts';
import { makeTier } from '../domain/tiers.ts';

const duration = z.string().refine(isDuration, { message: 'expected a duration such as 5m, 1h, 3d' });
const tierSchema = z.strictObject({
  severity: z.enum(['page', 'ticket']),
  budgetPercent: z.number().positive().max(100),
  long: duration,
  short: duration,
});
const policySchema = z.union([
  z.array(tierSchema).min(1),
  z.strictObject({ name: z.string().optional(), tiers: z.array(tierSchema).min(1) }),
]);

export interface Policy {
  name: string;
  /** null: each SLO keeps the tiers of its spec. */
  tiers: z.infer<typeof tierSchema>[] | null;
}

export const OWN_TIERS: Policy = { name: 'as specified', tiers: null };

export class PolicyError extends Error {
  readonly code = 'bad_policy';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
  }
}

export async function loadPolicy(file: string): Promise<Policy> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new PolicyError(`${file}: cannot read the tiers file: ${(error as Error).message}`, { cause: error });
  }
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyError(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message} (expected a list of { severity, budgetPercent, long, short })`);
  }
  const value = parsed.data;
  const tiers = Array.isArray(value) ? value : value.tiers;
  for (const [i, t] of tiers.entries()) {
    if (parseDuration(t.short) >= parseDuration(t.long)) throw new PolicyError(`${file}: tiers.${i}: short (${t.short}) must be shorter than long (${t.long})`);
  }
  return { name: (Array.isArray(value) ? undefined : value.name) ?? file, tiers };
}

/** The SLO with the policy's tiers (factors computed for the SLO's own period). */
export function withPolicy(slo: Slo, policy: Policy): Slo {
  if (!policy.tiers) return slo;
  const tiers = policy.tiers
    .filter((t) => parseDuration(t.long) <= slo.windowSeconds)
    .map((t) => makeTier(t.severity, t.budgetPercent, parseDuration(t.long), parseDuration(t.short), slo.windowSeconds));
  return { ...slo, alerting: { ...slo.alerting, tiers } };
}

// `kind: BudgetPolicy` (burnwatch/v1): the error-budget policy's YAML, and its normalization.
//
//   apiVersion: burnwatch/v1
//   kind: BudgetPolicy
//   metadata: { name: ranking-freeze }
//   spec:
//     slos: [hstu-ranker/availability]      # and/or services: [hstu-ranker]
//     freezeWhen: { budgetRemainingBelow: 10% }   # default 0%: exhausted
//     allowFixes: true                       # default true
//     override: { approvers: [alice, U024BE7LH], maxDuration: 24h }
//     channel: "#ranking-oncall"             # default: each SLO's alert channel
import { z } from 'zod';
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import { parseDuration } from '../domain/duration.ts';
import { API_VERSION, Duration, Name } from './schema.ts';

const Percent = z.union([
  z.number().min(-1000).max(100),
  z.string().regex(/^-?\d+(\.\d+)?%$/, { message: 'must be a percentage such as 10% (or a number of percent)' }),
]);

export const BudgetPolicyDoc = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('BudgetPolicy'),
  metadata: z.strictObject({ name: Name }),
  spec: z
    .strictObject({
      slos: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, { message: 'must be an SLO id: service/name' })).optional(),
      services: z.array(z.string().min(1)).optional(),
      freezeWhen: z.strictObject({ budgetRemainingBelow: Percent }).optional(),
      allowFixes: z.boolean().optional(),
      override: z.strictObject({ approvers: z.array(z.string().min(1)).optional(), maxDuration: Duration.optional() }).optional(),
      channel: z.string().min(1).optional(),
    })
    .refine((s) => (s.slos?.length ?? 0) + (s.services?.length ?? 0) > 0, { message: 'needs slos: [service/name, …] or services: [name, …]' }),
});
export type BudgetPolicyDoc = z.infer<typeof BudgetPolicyDoc>;

const percentOf = (p: number | string) => (typeof p === 'number' ? p : Number(p.slice(0, -1)));

export function normalizeBudgetPolicy(doc: BudgetPolicyDoc, origin: BudgetPolicy['origin']): BudgetPolicy {
  const s = doc.spec;
  return {
    name: doc.metadata.name,
    slos: s.slos ?? [],
    services: s.services ?? [],
    freezeBelow: percentOf(s.freezeWhen?.budgetRemainingBelow ?? 0) / 100,
    allowFixes: s.allowFixes ?? true,
    override: { approvers: s.override?.approvers ?? [], maxSeconds: parseDuration(s.override?.maxDuration ?? '24h') },
    ...(s.channel && { channel: s.channel }),
    origin,
  };
}

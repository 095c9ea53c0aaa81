// The deploy gate's settings (BURNWATCH_PUBLIC_READ, BURNWATCH_GATE_*), spread into the
// service's environment schema so a bad value stops start-up naming the variable.
import { z } from 'zod';
import { isDuration, parseDuration } from '../domain/duration.ts';

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

export const gateEnvSchema = z.object({
  /** Read endpoints (the gate) answer without a bearer token: Flagger cannot send one. */
  BURNWATCH_PUBLIC_READ: flag(false),
  /** An evaluation older than this fails the gate (default: 3 evaluation intervals, at least 3m). */
  BURNWATCH_GATE_MAX_AGE: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || isDuration(v), { message: 'expected a duration such as 5m' })
    .transform((v) => (v === undefined || v === '' ? undefined : parseDuration(v))),
  /** A canary burning this many times faster than stable fails the gate (default 2). */
  BURNWATCH_GATE_MAX_RATIO: z.coerce.number({ message: 'expected a number such as 2' }).gt(1, { message: 'expected a ratio above 1' }).default(2),
});

export interface GateConfig {
  publicRead: boolean;
  maxAgeSeconds: number | undefined;
  maxRatio: number;
}

export function gateConfigOf(e: z.infer<typeof gateEnvSchema>): GateConfig {
  return { publicRead: e.BURNWATCH_PUBLIC_READ, maxAgeSeconds: e.BURNWATCH_GATE_MAX_AGE, maxRatio: e.BURNWATCH_GATE_MAX_RATIO };
}

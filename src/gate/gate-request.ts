// The gate's two request shapes: Argo Rollouts' web metric (GET with query parameters)
// and Flagger's webhook (POST of the canary's name, namespace, phase and metadata, the
// metadata carrying the same parameters). Both turn into one GateRequest.
import { z } from 'zod';
import type { GateRequest } from './gate-decision.ts';

const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)));

const one = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (Array.isArray(v) ? v.at(-1) : v))
  .transform((v) => (v === '' ? undefined : v));

/** Parameters as Argo Rollouts (query string) or Flagger (webhook metadata) give them. */
export const gateParams = z.object({
  slo: list,
  severity: one.pipe(z.enum(['page', 'ticket']).optional()),
  canary: one,
  stable: one,
  window: one.pipe(z.string().regex(/^\d+[smhdw]$/, { message: 'expected a window such as 1h' }).optional()),
  maxRatio: one.pipe(z.coerce.number<string | undefined>().gt(1, { message: 'expected a ratio above 1' }).optional()),
  change: one,
  /** `status=1`: answer 412 when the gate fails (for curl --fail in CI); Argo needs 200 either way. */
  status: one,
});

/** Flagger's CanaryWebhookPayload (pkg/apis/flagger/v1beta1): read loosely, it is an outside API. */
export const flaggerPayload = z.looseObject({
  name: z.string().max(253),
  namespace: z.string().max(253),
  phase: z.string().max(100).optional(),
  checksum: z.string().max(500).optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
});
export type FlaggerPayload = z.infer<typeof flaggerPayload>;

export function toGateRequest(p: z.infer<typeof gateParams>, defaults: { maxRatio: number }): GateRequest | { error: string } {
  if ((p.canary === undefined) !== (p.stable === undefined)) return { error: 'canary= and stable= go together: name both SLO ids' };
  if (p.slo.length === 0 && p.canary === undefined) return { error: 'name at least one SLO (slo=service/name) or a canary= and stable= pair' };
  if (p.slo.length > 50) return { error: 'at most 50 SLOs per gate' };
  return {
    slos: [...new Set(p.slo)],
    severity: p.severity ?? 'page',
    ...(p.canary !== undefined && p.stable !== undefined && {
      compare: { canary: p.canary, stable: p.stable, ...(p.window && { window: p.window }), maxRatio: p.maxRatio ?? defaults.maxRatio },
    }),
    ...(p.change && { change: p.change }),
  };
}

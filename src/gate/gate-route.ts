// GET /api/gate (Argo Rollouts web metric, CI) and POST /api/gate (Flagger webhooks:
// pre-rollout, rollout, confirm-promotion). GET answers 200 with `pass` so Argo's
// successCondition decides (a non-2xx is an Error to Argo, not a failure); POST answers
// 200 on pass and 412 on fail, because Flagger reads only the status code.
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import type { Slo } from '../domain/slo.ts';
import { latestEvaluationOf, type StoredEvaluation } from '../store/repositories/evaluations.ts';
import type { Queryable } from '../store/repositories/queryable.ts';
import { decideGate, type GateFreeze, type GateRequest, type GateResult } from './gate-decision.ts';
import { flaggerPayload, gateParams, toGateRequest } from './gate-request.ts';

export interface GateRouteDeps {
  db: Queryable;
  clock: Clock;
  slos: () => readonly Slo[];
  /** Runs before every gate request (the bearer check), unless reads are public. */
  auth: RequestHandler | undefined;
  maxAgeSeconds: number | undefined;
  maxRatio: number;
  /** Active deploy freezes by SLO id (error-budget policy). */
  freezes?: (ids: readonly string[]) => Promise<ReadonlyMap<string, GateFreeze>>;
}

/** Three evaluation intervals, at least three minutes: one missed cycle does not close the gate. */
export const defaultMaxAge = (slo: Slo) => Math.max(3 * slo.intervalSeconds, 180);

export async function evaluateGate(deps: GateRouteDeps, req: GateRequest): Promise<GateResult> {
  const now = deps.clock.now();
  const ids = [...new Set([...req.slos, ...(req.compare ? [req.compare.canary, req.compare.stable] : [])])];
  const byId = new Map(deps.slos().map((s) => [s.id, s]));
  const evaluations = new Map<string, StoredEvaluation>();
  for (const id of ids) {
    if (!byId.has(id)) continue;
    const e = await latestEvaluationOf(deps.db, id);
    if (e) evaluations.set(id, e);
  }
  const freezes = deps.freezes ? await deps.freezes(ids) : new Map<string, GateFreeze>();
  return decideGate(req, {
    now,
    slo: (id) => byId.get(id),
    evaluation: (id) => evaluations.get(id),
    maxAgeSeconds: (slo) => deps.maxAgeSeconds ?? defaultMaxAge(slo),
    freeze: (id) => freezes.get(id),
  });
}

export function gateRouter(deps: GateRouteDeps): Router {
  const router = express.Router();
  const guard: RequestHandler = deps.auth ?? ((_req, _res, next) => next());

  /** Parses the gate's parameters and decides; answers 400 itself (and returns undefined) when they are wrong. */
  const decide = async (params: unknown, res: express.Response) => {
    const parsed = gateParams.safeParse(params);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid gate parameters', issues: z.flattenError(parsed.error).fieldErrors });
      return undefined;
    }
    const request = toGateRequest(parsed.data, deps);
    if ('error' in request) {
      res.status(400).json({ error: request.error });
      return undefined;
    }
    return { params: parsed.data, result: await evaluateGate(deps, request) };
  };

  router.get('/', guard, async (req, res) => {
    const decided = await decide(req.query, res);
    if (!decided) return;
    const strict = decided.params.status === '1' || decided.params.status === 'true';
    res.status(strict && !decided.result.pass ? 412 : 200).json(decided.result);
  });

  router.post('/', guard, express.json({ limit: '64kb' }), async (req, res) => {
    const body = flaggerPayload.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: 'expected a Flagger webhook payload (name, namespace, phase, metadata)', issues: z.flattenError(body.error).fieldErrors });
      return;
    }
    // The URL's query gives defaults; the webhook's metadata (per Canary) wins.
    const decided = await decide({ ...(req.query as Record<string, unknown>), ...(body.data.metadata ?? {}) }, res);
    if (!decided) return;
    const { result } = decided;
    res.status(result.pass ? 200 : 412).json({ ...result, canary: { name: body.data.name, namespace: body.data.namespace, phase: body.data.phase ?? null } });
  });

  return router;
}

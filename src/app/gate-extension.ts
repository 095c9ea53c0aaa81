// Wires the deploy gate into the service: /api/gate behind the bearer token, or public when
// BURNWATCH_PUBLIC_READ is set (the gate only reads); error-budget freezes written by the
// leader every 15 s and announced in the owner's channel; /api/gate/overrides (always the token).
import type { BudgetPolicy } from '../domain/budget-policy.ts';
import type { Slo } from '../domain/slo.ts';
import { currentFreezes, type FreezeDeps, reconcileFreezes } from '../gate/freeze-monitor.ts';
import { defaultMaxAge, gateRouter } from '../gate/gate-route.ts';
import type { FreezeOverrideDeps } from '../gate/freeze-override.ts';
import { overrideRouter } from '../gate/override-route.ts';
import { requireBearer } from '../service/http/bearer-auth.ts';
import type { StoredEvaluation } from '../store/repositories/evaluations.ts';
import type { ServiceExtension } from '../service/service-context.ts';

const FREEZE_CHECK_MS = 15_000;

/** `onOverrides`: hands the override's dependencies to the Slack "Override freeze…" button. */
export const gateExtensionWith = (onOverrides?: (deps: FreezeOverrideDeps) => void): ServiceExtension => (ctx) => {
  const { gate, apiToken, notifyLog, webhook, slack } = ctx.config;
  const auth = requireBearer(apiToken);
  const maxAge = (slo: Slo) => gate.maxAgeSeconds ?? defaultMaxAge(slo);
  const trusted = (e: StoredEvaluation, slo: Slo) => ctx.clock.now().getTime() - e.evaluatedAt.getTime() <= maxAge(slo) * 1000;
  // The owner's channel in Slack (the policy's, else the SLO's alert channel), plus log and webhook.
  const channels = (slo: Slo | undefined, policy: BudgetPolicy | undefined) => [
    ...(notifyLog ? ['log'] : []),
    ...(webhook ? ['webhook'] : []),
    ...(slack ? [`slack:${policy?.channel ?? slo?.alerting.channel ?? ''}`] : []),
  ];
  const freezeDeps: FreezeDeps = { db: ctx.db, clock: ctx.clock, policies: ctx.policies, slos: ctx.slos, trusted, channels };

  const overrideDeps: FreezeOverrideDeps = { ...freezeDeps, outboxWritten: ctx.outboxWritten };
  onOverrides?.(overrideDeps);
  ctx.http.mount('/api/gate/overrides', overrideRouter({ ...overrideDeps, auth }));
  ctx.http.mount(
    '/api/gate',
    gateRouter({
      db: ctx.db,
      clock: ctx.clock,
      slos: ctx.slos,
      auth: gate.publicRead ? undefined : auth,
      maxAgeSeconds: gate.maxAgeSeconds,
      maxRatio: gate.maxRatio,
      freezes: (ids) => currentFreezes(freezeDeps, ids),
    }),
  );

  let running: Promise<void> | undefined;
  const check = () => {
    if (running || !ctx.isLeader()) return;
    running = reconcileFreezes(freezeDeps)
      .then((enqueued) => {
        if (enqueued > 0) ctx.outboxWritten();
      })
      .catch((error: Error) => ctx.logger.warn({ err: error.message }, 'checking error-budget freezes failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(check, FREEZE_CHECK_MS);
  timer.unref();
  ctx.onLeader(check);
  ctx.onStop(async () => {
    clearInterval(timer);
    await running;
  });
};

export const gateExtension: ServiceExtension = gateExtensionWith();

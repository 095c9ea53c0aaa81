// Wires remediation.auto into the service: the leader decides and runs every 15 s; the cancel
// API is mounted under /api/remediation/auto (bearer token). Announcements go to the SLO's
// channels (its Slack channel, the log, the webhook), like the budget freezes.

import type { ActionRunner } from '../actions/action-runner.ts';
import type { ActionsConfig } from '../actions/actions-config.ts';
import { type AutoRemediator, createAutoRemediator } from '../actions/auto-remediator.ts';
import { autoRemediationRouter } from '../actions/auto-route.ts';
import type { KubeClients } from '../actions/kube-clients.ts';
import { requireBearer } from '../service/http/bearer-auth.ts';
import type { ServiceContext } from '../service/service-context.ts';
import { activeOverrides, openFreezes } from '../store/repositories/budget-freezes.ts';

const EVERY_MS = 15_000;

export function startAutoRemediation(ctx: ServiceContext, runner: ActionRunner, config: ActionsConfig, clients: KubeClients): AutoRemediator {
  const { notifyLog, webhook, slack } = ctx.config;
  const remediator = createAutoRemediator({
    db: ctx.db,
    clock: ctx.clock,
    runner,
    config,
    clients,
    slos: ctx.slos,
    channels: (slo) => [...(notifyLog ? ['log'] : []), ...(webhook ? ['webhook'] : []), ...(slack ? [`slack:${slo.alerting.channel ?? ''}`] : [])],
    outboxWritten: ctx.outboxWritten,
    freezeOverridden: async (sloId) => {
      const frozen = new Set((await openFreezes(ctx.db)).filter((f) => f.sloId === sloId).map((f) => f.id));
      return (await activeOverrides(ctx.db, ctx.clock.now())).some((o) => frozen.has(o.freezeId));
    },
  });
  ctx.http.mount('/api/remediation/auto', autoRemediationRouter({ db: ctx.db, auth: requireBearer(ctx.config.apiToken), remediator }));
  if (!ctx.slos().some((s) => s.remediation?.auto)) ctx.logger.info('automatic remediation: no SLO declares remediation.auto (yet)');
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running || !ctx.isLeader()) return;
    running = remediator
      .tick()
      .then((rows) => {
        for (const r of rows) ctx.logger.info({ auto: r.id, slo: r.sloId, state: r.state, reason: r.reason, result: r.result }, `automatic ${r.action} of ${r.sloId}: ${r.state}`);
      })
      .catch((error: Error) => ctx.logger.warn({ err: error.message }, 'automatic remediation failed; trying again'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, EVERY_MS);
  timer.unref();
  ctx.onStop(async () => {
    clearInterval(timer);
    await running;
  });
  return remediator;
}

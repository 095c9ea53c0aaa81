// Plugs remediation into the running service: builds the action runner from BURNWATCH_ACTIONS_CONFIG
// and the kubeconfig (in-cluster service account or KUBECONFIG), finishes actions a crash left
// 'executing' (checked, never re-executed), resumes the verifications a restart interrupted (on
// the leader: at start-up, on becoming leader and every half minute), and hands the Slack bot its
// buttons and suspects. Without BURNWATCH_ACTIONS_CONFIG remediation is off: alerts carry no buttons.
import type { KubeConfig } from '@kubernetes/client-node';
import { type ActionRunner, createActionRunner, type ResumedVerification, type VerifyOptions } from '../actions/action-runner.ts';
import type { ActionRow } from '../actions/action-store.ts';
import { type ActionsConfig, loadActionsConfigFile } from '../actions/actions-config.ts';
import type { AutoRemediator } from '../actions/auto-remediator.ts';
import { type KubeClients, kubeClients, loadKubeConfig } from '../actions/kube-clients.ts';
import { handlersWithWorkflows } from '../actions/workflow-handlers.ts';
import { parseDuration } from '../domain/duration.ts';
import { evaluateSlo } from '../evaluator/evaluate-all.ts';
import type { ServiceContext, ServiceExtension } from '../service/service-context.ts';
import type { ChangeSuspects } from '../incidents/alert-desk.ts';
import { autoCancelSlack } from '../slack/auto-cancel.ts';
import { type RemediationSlack, remediationSlackExtension, remediationSuspects } from '../slack/remediation-extension.ts';
import type { SlackExtension } from '../slack/slack-app.ts';
import { startAutoRemediation } from './auto-remediation-wiring.ts';

/** The SLO's short-window burn rate now: the shortest short window of its tiers. */
async function shortWindowBurnRate(ctx: ServiceContext, sloId: string): Promise<number | null> {
  const slo = ctx.slos().find((s) => s.id === sloId);
  if (!slo) return null;
  const evaluation = await evaluateSlo(slo, ctx.sources(), ctx.clock.now());
  const shortest = [...evaluation.tiers].sort((a, b) => parseDuration(a.short) - parseDuration(b.short))[0];
  return shortest?.shortBurnRate ?? null;
}

export interface Remediation {
  service: ServiceExtension;
  slack: SlackExtension;
  suspects: ChangeSuspects;
}

/** How often the leader looks for verifications whose replica stopped renewing its lease. */
export const RESUME_VERIFICATIONS_EVERY_SECONDS = 30;

/**
 * The leader finishes owed verifications in the background; shutdown stops their waits (they stay
 * owed, for the next start) and waits for them to let go of the store.
 */
function resumeVerificationsOnLeader(ctx: ServiceContext, runner: ActionRunner, optionsFor: (action: ActionRow) => Promise<VerifyOptions> | undefined): void {
  const running = new Set<Promise<void>>();
  const log = (outcomes: ResumedVerification[]) => {
    for (const o of outcomes) {
      const about = { action: o.action.id, target: o.action.target };
      if (o.error) ctx.logger.warn({ ...about, err: o.error.message }, 'a resumed verification failed; it is tried again at the next resume');
      else ctx.logger.info({ ...about, verification: o.verification?.message }, 'finished a verification interrupted by a restart');
    }
  };
  const resume = () => {
    if (!ctx.isLeader()) return;
    const run = runner
      .resumeVerifications(async (action) => {
        // With Slack on, the result goes where a click's would (channel, timeline).
        if (ctx.config.slack) {
          const viaSlack = optionsFor(action);
          if (!viaSlack) throw new Error('the Slack bot is not registered yet');
          return viaSlack;
        }
        const sloId = (action.context as { sloId?: string }).sloId;
        return sloId ? { burnRate: () => shortWindowBurnRate(ctx, sloId) } : {};
      })
      .then(log, (error: Error) => ctx.logger.warn({ err: error.message }, 'could not resume verifications; trying again later'));
    running.add(run);
    void run.finally(() => running.delete(run));
  };
  ctx.onLeader(resume);
  const timer = setInterval(resume, RESUME_VERIFICATIONS_EVERY_SECONDS * 1000);
  timer.unref();
  ctx.onStop(async () => {
    clearInterval(timer);
    runner.close();
    await Promise.allSettled([...running]);
  });
}

export function remediation(
  env: NodeJS.ProcessEnv = process.env,
  opts: { kubeConfig?: () => KubeConfig; sleep?: (ms: number) => Promise<void> } = {},
): Remediation {
  let slack: RemediationSlack | undefined;
  let clients: KubeClients | undefined;
  let auto: { remediator: AutoRemediator; config: ActionsConfig } | undefined;
  const autoCancel = autoCancelSlack(() => auto);
  const service: ServiceExtension = async (ctx) => {
    const file = env['BURNWATCH_ACTIONS_CONFIG'];
    if (!file) {
      ctx.logger.info('remediation actions off: set BURNWATCH_ACTIONS_CONFIG (who may roll back / re-run where)');
      return;
    }
    const config = await loadActionsConfigFile(file, env);
    clients = kubeClients((opts.kubeConfig ?? loadKubeConfig)());
    const runner = createActionRunner({
      db: ctx.db,
      clients,
      config,
      clock: ctx.clock,
      owner: ctx.config.leader.identity,
      handlers: handlersWithWorkflows(config, env),
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
    });
    for (const row of await runner.resumeInterrupted()) {
      ctx.logger.warn({ action: row.id, target: row.target, state: row.state }, 'finished an action interrupted by a restart (not executed again)');
    }
    const sloOf = (id: string) => ctx.slos().find((s) => s.id === id);
    slack = remediationSlackExtension({ runner, config, db: ctx.db, slo: sloOf, burnRate: (sloId) => shortWindowBurnRate(ctx, sloId) });
    resumeVerificationsOnLeader(ctx, runner, (action) => slack?.resumedVerification(action));
    auto = { remediator: startAutoRemediation(ctx, runner, config, clients), config };
    ctx.logger.info({ mode: config.mode, rules: config.rules.length }, 'remediation actions on');
  };
  return {
    service,
    // The Slack bot registers after the service extension ran; until then (or when off) nothing.
    slack: {
      alertButtons: (alert) => slack?.alertButtons?.(alert) ?? [],
      register: (app, ctx) => {
        slack?.register?.(app, ctx);
        autoCancel.register?.(app, ctx);
      },
    },
    suspects: async (slo, sloId, from, to) => (clients ? remediationSuspects(clients)(slo, sloId, from, to).catch(() => []) : []),
  };
}

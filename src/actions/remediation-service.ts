// Plugs remediation into the running service: builds the action runner from BURNWATCH_ACTIONS_CONFIG
// and the kubeconfig (in-cluster service account or KUBECONFIG), finishes actions a crash left
// 'executing' (verified, never re-executed), and hands the Slack bot its buttons and suspects.
// Without BURNWATCH_ACTIONS_CONFIG remediation is off: alerts carry no buttons.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ServiceContext, ServiceExtension } from '../app/start-service.ts';
import { parseDuration } from '../domain/duration.ts';
import { evaluateSlo } from '../evaluator/evaluate-all.ts';
import type { ChangeSuspects } from '../slack/alert-desk.ts';
import { remediationSlackExtension, remediationSuspects } from '../slack/remediation-extension.ts';
import type { SlackExtension } from '../slack/slack-app.ts';
import { createActionRunner } from './action-runner.ts';
import { loadActionsConfigFile } from './actions-config.ts';
import { type KubeClients, kubeClients, loadKubeConfig } from './kube-clients.ts';

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

export function remediation(env: NodeJS.ProcessEnv = process.env, opts: { kubeConfig?: () => KubeConfig } = {}): Remediation {
  let slack: SlackExtension | undefined;
  let clients: KubeClients | undefined;
  const service: ServiceExtension = async (ctx) => {
    const file = env['BURNWATCH_ACTIONS_CONFIG'];
    if (!file) {
      ctx.logger.info('remediation actions off: set BURNWATCH_ACTIONS_CONFIG (who may roll back / re-run where)');
      return;
    }
    const config = await loadActionsConfigFile(file, env);
    clients = kubeClients((opts.kubeConfig ?? loadKubeConfig)());
    const runner = createActionRunner({ db: ctx.db, clients, config, clock: ctx.clock });
    for (const row of await runner.resumeInterrupted()) {
      ctx.logger.warn({ action: row.id, target: row.target, state: row.state }, 'finished an action interrupted by a restart (not executed again)');
    }
    const sloOf = (id: string) => ctx.slos().find((s) => s.id === id);
    slack = remediationSlackExtension({ runner, config, db: ctx.db, slo: sloOf, burnRate: (sloId) => shortWindowBurnRate(ctx, sloId) });
    ctx.logger.info({ mode: config.mode, rules: config.rules.length }, 'remediation actions on');
  };
  return {
    service,
    // The Slack bot registers after the service extension ran; until then (or when off) nothing.
    slack: {
      alertButtons: (alert) => slack?.alertButtons?.(alert) ?? [],
      register: (app, ctx) => slack?.register?.(app, ctx),
    },
    suspects: async (slo, sloId, from, to) => (clients ? remediationSuspects(clients)(slo, sloId, from, to).catch(() => []) : []),
  };
}

// `burnwatch rollback <slo|namespace/kind/name> [--to-revision N] [--dry-run]`: the same plan,
// safety rules and audit as the Slack button, from a terminal. Kubernetes credentials come from
// KUBECONFIG (or ~/.kube/config) or the in-cluster service account, like kubectl.
import os from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ActionError } from '../../actions/action-error.ts';
import { type ActionRunner, createActionRunner } from '../../actions/action-runner.ts';
import { type ActionsConfig, type Actor, actionsConfigSchema, loadActionsConfigFile, parseActionsConfig } from '../../actions/actions-config.ts';
import { type KubeClients, kubeClients, loadKubeConfig } from '../../actions/kube-clients.ts';
import { type Plan, parseTargetRef, type RollbackRequest, type TargetRef } from '../../actions/plan.ts';
import { type Clock, systemClock } from '../../domain/clock.ts';
import type { Db } from '../../store/db.ts';
import { openStore } from '../../store/open-store.ts';
import { loadSpecs } from '../../spec/load.ts';

export interface RollbackOptions {
  toRevision?: number;
  dryRun?: boolean;
  yes?: boolean;
  approve?: number;
  verify?: boolean;
}

export interface RollbackDeps {
  clients: KubeClients;
  db: Db;
  config: ActionsConfig;
  clock: Clock;
  actor: Actor;
  /** Resolves an SLO id to its remediation.rollback target. */
  sloTarget: (id: string) => Promise<TargetRef>;
  ask: (question: string) => Promise<boolean>;
  out: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export function formatPlan(plan: Plan, dryRun: boolean): string[] {
  const lines = [plan.summary];
  const rev = (label: string, r: Plan['from']) => {
    if (!r) return;
    lines.push(`  ${label}: revision ${r.revision}${r.holder ? ` (${r.holder})` : ''}${r.modelVersion ? `, model ${r.modelVersion}` : ''}`);
    for (const image of r.images) lines.push(`      ${image}`);
    if (r.lastLive) lines.push(`      last live until ${r.lastLive}`);
  };
  rev('current', plan.from);
  rev('target ', plan.to);
  for (const w of plan.warnings) lines.push(`  WARNING: ${w}`);
  if (dryRun) lines.push('  DRY RUN: the API server validates the change (dryRun=All); nothing is changed.');
  return lines;
}

export async function runRollback(what: string, options: RollbackOptions, deps: RollbackDeps): Promise<number> {
  const { out } = deps;
  const config: ActionsConfig = options.dryRun ? { ...deps.config, mode: 'dry-run' } : deps.config;
  const runner: ActionRunner = createActionRunner({ db: deps.db, clients: deps.clients, config, clock: deps.clock, sleep: deps.sleep });
  let actionId: number;
  if (options.approve !== undefined) {
    const row = await runner.getAction(options.approve);
    if (!row) {
      out(`no action ${options.approve}`);
      return 1;
    }
    for (const line of formatPlan(row.plan, row.dryRun)) out(line);
    actionId = row.id;
  } else {
    let target: TargetRef;
    try {
      target = what.split('/').length === 3 ? parseTargetRef(what) : await deps.sloTarget(what);
    } catch (e) {
      out(`burnwatch: ${(e as Error).message}`);
      return 2;
    }
    const request: RollbackRequest = { action: 'rollback', target, ...(options.toRevision !== undefined ? { toRevision: options.toRevision } : {}) };
    const prepared = await runner.prepare(deps.actor, request, { via: 'cli' });
    switch (prepared.status) {
      case 'refused':
      case 'error':
        out(`burnwatch: ${prepared.message}`);
        return 1;
      case 'noop':
        for (const line of formatPlan(prepared.plan, false)) out(line);
        out(prepared.message);
        return 0;
      case 'done':
      case 'in_progress':
        out(prepared.message);
        return 0;
    }
    for (const line of formatPlan(prepared.plan, prepared.dryRun)) out(line);
    actionId = prepared.action.id;
  }
  if (!options.yes && !(await deps.ask('Proceed? [y/N] '))) {
    out('Not confirmed; nothing was changed.');
    return 1;
  }
  const result = await runner.confirm(deps.actor, actionId);
  out(result.message);
  if (result.status === 'awaiting_approval') {
    out(`A second authorized person approves with: burnwatch rollback --approve ${actionId}`);
    return 0;
  }
  if (result.status !== 'done') return result.status === 'already' ? 0 : 1;
  if (!result.dryRun && options.verify !== false) {
    out('Waiting for the rollout…');
    const verification = await runner.verify(actionId);
    if (verification) out(verification.message);
    if (verification && verification.rollout !== 'available') return 1;
  }
  return 0;
}

export function register(program: Command): void {
  program
    .command('rollback')
    .description('roll back the workload of an SLO (remediation.rollback) or namespace/kind/name, with plan, confirmation and audit')
    .argument('[target]', 'an SLO id (service/name) or namespace/kind/name, e.g. ml-serving/deployment/ranker')
    .option('--to-revision <n>', 'the revision to go back to (default: the previous one)', (v) => Number.parseInt(v, 10))
    .option('--dry-run', 'server-side dry run (dryRun=All): validate, change nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--approve <id>', 'approve (as the second person) and execute action <id>', (v) => Number.parseInt(v, 10))
    .option('--no-verify', 'do not wait for the rollout')
    .option('--config <file>', 'actions config: who may do what (BURNWATCH_ACTIONS_CONFIG)')
    .option('--slos <dir>', 'SLO directory (BURNWATCH_SLOS_DIR)')
    .option('--data-dir <dir>', 'embedded database directory when DATABASE_URL is unset (BURNWATCH_DATA_DIR)')
    .action(async (what: string | undefined, flags: RollbackOptions & { config?: string; slos?: string; dataDir?: string }) => {
      const env = process.env;
      const out = (line: string) => process.stdout.write(`${line}\n`);
      if (!what && flags.approve === undefined) program.error('give a target (SLO id or namespace/kind/name) or --approve <id>');
      const configFile = flags.config ?? env['BURNWATCH_ACTIONS_CONFIG'];
      let config: ActionsConfig;
      try {
        config = configFile ? await loadActionsConfigFile(configFile, env) : parseActionsConfig({}, env);
      } catch (e) {
        process.stderr.write(`burnwatch: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const user = `cli:${os.userInfo().username}`;
      if (!configFile) {
        // Without an actions config the only gate is the kubeconfig's own RBAC; say so.
        out(`note: no actions config (--config / BURNWATCH_ACTIONS_CONFIG): ${user} is allowed; your kubeconfig's RBAC decides.`);
        config = actionsConfigSchema.parse({ ...config, rules: [{ actions: ['rollback'], namespaces: ['*'], users: [user] }] });
      }
      const store = await openStore({ databaseUrl: env['DATABASE_URL'] || undefined, dataDir: flags.dataDir ?? env['BURNWATCH_DATA_DIR'] ?? '.burnwatch' });
      const rl = process.stdin.isTTY ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
      try {
        process.exitCode = await runRollback(what ?? '', flags, {
          clients: kubeClients(loadKubeConfig()),
          db: store.db,
          config,
          clock: systemClock,
          actor: { id: user, groups: [], display: user },
          sloTarget: async (id) => {
            const { slos } = await loadSpecs([flags.slos ?? env['BURNWATCH_SLOS_DIR'] ?? 'slos'], { env });
            const slo = slos.find((s) => s.id === id || s.name === id);
            if (!slo) throw new ActionError('not_found', `no SLO "${id}" (give namespace/kind/name for a workload)`);
            const target = slo.remediation?.rollback;
            if (!target) throw new ActionError('not_found', `SLO ${slo.id} has no remediation.rollback target`);
            return { ...parseTargetRef(`${target.namespace}/${target.kind}/${target.name}`) };
          },
          ask: async (q) => (rl ? /^y(es)?$/i.test((await rl.question(q)).trim()) : false),
          out,
        });
      } finally {
        rl?.close();
        await store.close();
      }
    });
}

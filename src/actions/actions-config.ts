// Who may run which action where, and how actions run. Part of the service config (`actions:`);
// `BURNWATCH_ACTIONS=dry-run|live|disabled` overrides `mode`.
import { z } from 'zod';
import type { ActionKind } from './plan.ts';
import { airflowInstanceSchema, argoWorkflowsSchema } from './workflow-config.ts';

const ruleSchema = z.strictObject({
  /** rollback, rerun, or * */
  actions: z.array(z.enum(['rollback', 'rerun', '*'])).min(1),
  /** Namespaces, with * as a wildcard (ml-*). */
  namespaces: z.array(z.string().min(1)).min(1),
  /** Slack user ids (U…), or cli:<unix user> for the terminal. */
  users: z.array(z.string().min(1)).default([]),
  /** Slack user group ids (S…). */
  groups: z.array(z.string().min(1)).default([]),
});

export const actionsConfigSchema = z.strictObject({
  mode: z.enum(['live', 'dry-run', 'disabled']).default('live'),
  rules: z.array(ruleSchema).default([]),
  /** Namespaces marked production (wildcards allowed). */
  productionNamespaces: z.array(z.string().min(1)).default([]),
  /** In production namespaces, a second authorized person must approve. */
  twoPersonRule: z.boolean().default(false),
  verify: z
    .strictObject({
      timeoutSeconds: z.number().positive().default(600),
      pollSeconds: z.number().positive().default(5),
      /** Wait this long after the rollout before reading the short-window burn rate (≈ the short window). */
      settleSeconds: z.number().nonnegative().default(300),
    })
    .default({ timeoutSeconds: 600, pollSeconds: 5, settleSeconds: 300 }),
  /** Airflow instances by name: an AirflowDag target's namespace names one (src/actions/workflow-config.ts). */
  airflow: z.record(z.string().regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/), airflowInstanceSchema).default({}),
  /** The Argo Server that submits WorkflowTemplate targets. */
  argoWorkflows: argoWorkflowsSchema.optional(),
});

export type ActionsConfig = z.infer<typeof actionsConfigSchema>;
export type ActionsMode = ActionsConfig['mode'];

export function parseActionsConfig(input: unknown, env: NodeJS.ProcessEnv = process.env): ActionsConfig {
  const config = actionsConfigSchema.parse(input ?? {});
  const override = env['BURNWATCH_ACTIONS'];
  if (override === 'dry-run' || override === 'live' || override === 'disabled') return { ...config, mode: override };
  if (override) throw new Error(`BURNWATCH_ACTIONS must be live, dry-run or disabled (got "${override}")`);
  return config;
}

export interface Actor {
  /** Slack user id, or cli:<user>. */
  id: string;
  /** Slack user group ids the person belongs to. */
  groups: string[];
  /** For messages: a display name or <@U123>. */
  display?: string;
}

const globMatch = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

export type Authorization = { allowed: true } | { allowed: false; reason: string };

export function authorize(config: ActionsConfig, actor: Actor, action: ActionKind, namespace: string): Authorization {
  if (config.mode === 'disabled') return { allowed: false, reason: 'remediation actions are disabled on this burnwatch (actions.mode: disabled)' };
  const ok = config.rules.some(
    (r) =>
      (r.actions.includes('*') || r.actions.includes(action)) &&
      r.namespaces.some((n) => globMatch(n, namespace)) &&
      (r.users.includes(actor.id) || r.groups.some((g) => actor.groups.includes(g))),
  );
  return ok
    ? { allowed: true }
    : { allowed: false, reason: `you are not allowed to ${action} in namespace ${namespace}; ask an owner to add you to actions.rules` };
}

export function needsSecondApprover(config: ActionsConfig, namespace: string): boolean {
  return config.twoPersonRule && config.productionNamespaces.some((n) => globMatch(n, namespace));
}

/**
 * Reads the actions config from a YAML file (BURNWATCH_ACTIONS_CONFIG): either the bare object or
 * under a top-level `actions:` key. Errors name the file and the field.
 */
export async function loadActionsConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ActionsConfig> {
  const { readFile } = await import('node:fs/promises');
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the actions config ${file}: ${(e as Error).message}`, { cause: e });
  }
  let body = doc && typeof doc === 'object' && 'actions' in doc ? (doc as { actions: unknown }).actions : doc;
  // `authorization:` (who may run incident and alert commands) is read by src/authz.
  if (body === doc && body && typeof body === 'object' && 'authorization' in body) {
    const { authorization: _policy, ...rest } = body as Record<string, unknown>;
    body = rest;
  }
  const parsed = actionsConfigSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`invalid actions config ${file}:\n${problems}`);
  }
  return parseActionsConfig(parsed.data, env);
}

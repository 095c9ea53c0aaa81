// One handler per kind of target: how to plan, execute and check the change. The runner
// (run-action.ts) adds authorization, idempotency, approvals and audit around any of them.
import type { KubeClients } from './kube-clients.ts';
import type { ActionRequest, Plan } from './plan.ts';

export interface Progress {
  /** The rollout finished: the new pods are available (or the Job was created). */
  ready: boolean;
  message: string;
}

export interface TargetHandler {
  plan(clients: KubeClients, request: ActionRequest): Promise<Plan>;
  /** Makes exactly the planned change; with dryRun the API server validates it and changes nothing. Returns what was done. */
  execute(clients: KubeClients, plan: Plan, opts: { dryRun: boolean }): Promise<string>;
  /** Whether the planned change is in place (to finish an action interrupted by a crash without doing it twice). */
  applied(clients: KubeClients, plan: Plan): Promise<boolean>;
  progress(clients: KubeClients, plan: Plan): Promise<Progress>;
}

/** "ml/Deployment/ranker" in messages. */
export const ref = (p: { namespace: string; kind: string; name: string }) => `${p.kind} ${p.namespace}/${p.name}`;

// The handlers of the workflow-orchestrator targets, built from the actions config; the
// Kubernetes kinds stay in handlers.ts.
import type { ActionsConfig } from './actions-config.ts';
import { airflowDagRerun } from './airflow-dag-rerun.ts';
import { argoWorkflowSubmit } from './argo-workflow-submit.ts';
import { handlerFor } from './handlers.ts';
import type { TargetHandler } from './target-handler.ts';

export function handlersWithWorkflows(config: ActionsConfig, env: NodeJS.ProcessEnv = process.env, fetchImpl?: typeof fetch): (kind: string) => TargetHandler {
  const extra: Record<string, TargetHandler> = {
    AirflowDag: airflowDagRerun(config.airflow, env, fetchImpl),
    WorkflowTemplate: argoWorkflowSubmit(config.argoWorkflows, env, fetchImpl),
  };
  return (kind) => extra[kind] ?? handlerFor(kind);
}

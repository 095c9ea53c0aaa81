import { ActionError } from './action-error.ts';
import { cronJobRerun } from './cronjob-rerun.ts';
import { deploymentRollback } from './deployment-rollback.ts';
import { inferenceServiceRollback } from './inference-service-rollback.ts';
import { rolloutRollback } from './rollout-rollback.ts';
import type { TargetHandler } from './target-handler.ts';

const HANDLERS: Record<string, TargetHandler> = {
  Deployment: deploymentRollback,
  Rollout: rolloutRollback,
  InferenceService: inferenceServiceRollback,
  CronJob: cronJobRerun,
};

export function handlerFor(kind: string): TargetHandler {
  const h = HANDLERS[kind];
  if (!h) throw new ActionError('unsupported', `no remediation for kind ${kind}`);
  return h;
}

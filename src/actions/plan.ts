// What an action will change, computed before anything changes: shown in the confirmation modal
// and the terminal, stored with the action, and used to execute exactly that change.
import { ActionError } from './action-error.ts';

export type ActionKind = 'rollback' | 'rerun';
export type TargetKind = 'Deployment' | 'Rollout' | 'InferenceService' | 'CronJob' | 'AirflowDag' | 'WorkflowTemplate';

export interface TargetRef {
  kind: TargetKind;
  namespace: string;
  name: string;
}

export interface RevisionInfo {
  /** Revision as the workload names it: "3", or a KServe revision name. */
  revision: string;
  /** The ReplicaSet (or revision) that holds it. */
  holder?: string;
  images: string[];
  modelVersion?: string;
  /** ISO time when it was last serving: when its successor was created (undefined if it is live). */
  lastLive?: string;
}

export interface Plan {
  action: ActionKind;
  /** Identity of the change, e.g. rollback:ml/Deployment/ranker:3->ranker-7d9f: one execution per key. */
  key: string;
  target: TargetRef;
  /** One line a person reads: "Roll back Deployment ml/ranker from revision 3 (model v42) to revision 2 (model v41)". */
  summary: string;
  from?: RevisionInfo;
  to?: RevisionInfo;
  /** Set when there is nothing to do (already at the target), with the reason. */
  noop?: string;
  /** e.g. "managed by Argo CD: the next sync reverts it". */
  warnings: string[];
  /** What execute needs (the patch, the Job), specific to the target kind. */
  // biome-ignore lint/suspicious/noExplicitAny: handler-specific JSON, stored as jsonb
  change: Record<string, any>;
}

export interface RollbackRequest {
  action: 'rollback';
  target: TargetRef;
  /** `--to-revision N`; default the previous revision. */
  toRevision?: number;
  /**
   * Pinned when the plan was offered (an alert button): the revision that was live then and the
   * ReplicaSet to go back to. If the workload moved on since, the plan refuses instead of rolling
   * back something else, or reports "already rolled back".
   */
  pinned?: { fromRevision: string; toHolder: string };
}

export interface RerunRequest {
  action: 'rerun';
  target: TargetRef;
  /** Makes repeated clicks for one reason (an incident) create one Job. */
  scope: string;
}

export type ActionRequest = RollbackRequest | RerunRequest;

const KINDS: Record<string, TargetKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  rollout: 'Rollout',
  rollouts: 'Rollout',
  inferenceservice: 'InferenceService',
  inferenceservices: 'InferenceService',
  isvc: 'InferenceService',
  cronjob: 'CronJob',
  cronjobs: 'CronJob',
  cj: 'CronJob',
  airflowdag: 'AirflowDag',
  dag: 'AirflowDag',
  workflowtemplate: 'WorkflowTemplate',
  workflowtemplates: 'WorkflowTemplate',
  wftmpl: 'WorkflowTemplate',
};

export function targetKind(kind: string): TargetKind {
  const k = KINDS[kind.toLowerCase()];
  if (!k) throw new ActionError('unsupported', `unsupported target kind "${kind}": use Deployment, Rollout, InferenceService, CronJob, AirflowDag or WorkflowTemplate`);
  return k;
}

/** "ml/deployment/ranker" → { namespace: ml, kind: Deployment, name: ranker } */
export function parseTargetRef(text: string): TargetRef {
  const parts = text.split('/');
  if (parts.length !== 3 || parts.some((p) => !p)) {
    throw new ActionError('invalid', `"${text}" is not namespace/kind/name (e.g. ml-serving/deployment/ranker)`);
  }
  return { namespace: parts[0]!, kind: targetKind(parts[1]!), name: parts[2]! };
}

export const targetText = (t: TargetRef) => `${t.namespace}/${t.kind}/${t.name}`;

export function describeRevision(r: RevisionInfo | undefined): string {
  if (!r) return 'unknown';
  const model = r.modelVersion ? ` (model ${r.modelVersion})` : '';
  return `revision ${r.revision}${model}`;
}

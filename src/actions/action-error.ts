// Expected failures of a remediation action. Each message says what happened and what a person
// can do about it; `retryable` says whether trying again later may help.
export type ActionErrorCode =
  | 'not_authorized' // the person may not run this action here (burnwatch's own rules)
  | 'forbidden' // the Kubernetes API refused burnwatch's service account (RBAC)
  | 'not_found'
  | 'paused'
  | 'no_history'
  | 'revision_not_found'
  | 'stale_plan' // the target changed since the plan was made
  | 'invalid'
  | 'unsupported'
  | 'api_unavailable'
  | 'api_error';

export class ActionError extends Error {
  readonly code: ActionErrorCode;
  readonly retryable: boolean;
  constructor(code: ActionErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ActionError';
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

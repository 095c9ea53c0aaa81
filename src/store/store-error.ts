// Expected store failures: a person can act on each (stop the other process, fix the URL, …).
export type StoreErrorCode = 'locked' | 'unreachable' | 'migration_failed' | 'legacy_state';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

// One leader among replicas evaluates and notifies. `isLeader()` is asked right
// before every side effect, so a replica that loses leadership stops at once.
import type { Queryable } from '../../store/repositories/queryable.ts';

export interface LeaderElector {
  readonly mode: 'lease' | 'advisory' | 'postgres' | 'none';
  isLeader(): boolean;
  /** Begins campaigning; `onChange` is called on every gain and loss. */
  start(onChange: (leader: boolean) => void): Promise<void>;
  /** Stops campaigning and hands leadership back (lease released, lock unlocked). */
  stop(): Promise<void>;
  /** For /readyz and logs: who holds it, as far as this replica knows. */
  describe(): Record<string, unknown>;
  /** First statement of a leader's write transaction (electors that fence in the store). */
  guardWrite?(tx: Queryable): Promise<void>;
  /** Last statement before that transaction commits: throws unless this replica still holds the lease's token. */
  fence?(tx: Queryable): Promise<void>;
}

/** A single replica (the embedded store cannot be shared anyway): always the leader. */
export function soleLeader(): LeaderElector {
  return {
    mode: 'none',
    isLeader: () => true,
    start: async (onChange) => onChange(true),
    stop: async () => {},
    describe: () => ({ mode: 'none', leader: true }),
  };
}

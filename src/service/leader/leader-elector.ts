// One leader among replicas evaluates and notifies. `isLeader()` is asked right
// before every side effect, so a replica that loses leadership stops at once.
export interface LeaderElector {
  readonly mode: 'lease' | 'advisory' | 'none';
  isLeader(): boolean;
  /** Begins campaigning; `onChange` is called on every gain and loss. */
  start(onChange: (leader: boolean) => void): Promise<void>;
  /** Stops campaigning and hands leadership back (lease released, lock unlocked). */
  stop(): Promise<void>;
  /** For /readyz and logs: who holds it, as far as this replica knows. */
  describe(): Record<string, unknown>;
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

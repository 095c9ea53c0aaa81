// Picks the leader election the configuration asks for. The Kubernetes client is loaded only for
// a Lease: it alone costs about 60 MB and seconds of start-up, which a single embedded replica
// (and the PostgreSQL advisory lock) never need.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { Config } from '../service/config.ts';
import { AdvisoryLockElector } from '../service/leader/advisory-lock-elector.ts';
import { type LeaderElector, soleLeader } from '../service/leader/leader-elector.ts';
import { PostgresLeaseElector } from '../service/leader/postgres-lease-elector.ts';

export async function createElector(config: Config, clock: Clock, logger: Logger, kubeConfig?: KubeConfig): Promise<LeaderElector> {
  const l = config.leader;
  if (l.mode === 'none') return soleLeader();
  if (l.mode === 'postgres') {
    return new PostgresLeaseElector({
      databaseUrl: config.databaseUrl!,
      identity: l.identity,
      logger,
      leaseDurationSeconds: l.leaseDurationSeconds,
      retryPeriodSeconds: l.retryPeriodSeconds,
    });
  }
  if (l.mode === 'advisory') {
    return new AdvisoryLockElector({ databaseUrl: config.databaseUrl!, identity: l.identity, logger, retryPeriodSeconds: l.retryPeriodSeconds });
  }
  // Loaded only here: see src/service/leader/kubernetes-lease.ts.
  const { kubernetesLeaseElector } = await import('../service/leader/kubernetes-lease.ts');
  return kubernetesLeaseElector(l, clock, logger, kubeConfig);
}

// Builds the Kubernetes Lease elector: the kubeconfig (in-cluster service account or KUBECONFIG),
// the Lease's namespace and the coordination client. Imported only when BURNWATCH_LEADER=lease:
// the Kubernetes client library alone costs about 60 MB and a second of start-up, which a
// single embedded replica and the PostgreSQL elections never need (test/e2e/no-heavy-sdks.test.ts).
import fs from 'node:fs';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/clock.ts';
import type { Config } from '../config.ts';
import { LeaseElector } from './lease-elector.ts';

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export function kubernetesLeaseElector(leader: Config['leader'], clock: Clock, logger: Logger, kubeConfig?: KubeConfig): LeaseElector {
  const kc = kubeConfig ?? new KubeConfig();
  if (!kubeConfig) kc.loadFromDefault();
  const namespace =
    leader.leaseNamespace ??
    (fs.existsSync(SA_NAMESPACE) ? fs.readFileSync(SA_NAMESPACE, 'utf8').trim() : kc.getContextObject(kc.getCurrentContext())?.namespace) ??
    'default';
  return new LeaseElector({
    api: kc.makeApiClient(CoordinationV1Api),
    namespace,
    name: leader.leaseName,
    identity: leader.identity,
    clock,
    logger,
    leaseDurationSeconds: leader.leaseDurationSeconds,
    retryPeriodSeconds: leader.retryPeriodSeconds,
  });
}

// The Kubernetes API clients an action needs, built from one KubeConfig, and the translation of
// the API server's errors (ApiException + Status body) into ActionErrors a person can act on.
// The client library costs about 60 MB and a second to load, and a service without remediation
// (no BURNWATCH_ACTIONS_CONFIG) never calls it: it is loaded on first use, not at start-up
// (test/e2e/no-heavy-sdks.test.ts). Synchronously, through require(esm) (Node >= 22.12), so the
// callers keep their synchronous API; the module is the same instance `import` gives.
import { createRequire } from 'node:module';
import type * as K8s from '@kubernetes/client-node';
import type { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { ActionError } from './action-error.ts';

export type { KubeConfig };

let loaded: typeof K8s | undefined;

/** The Kubernetes client library, loaded the first time something needs it. */
export function kubernetes(): typeof K8s {
  loaded ??= createRequire(import.meta.url)('@kubernetes/client-node') as typeof K8s;
  return loaded;
}

/** An ApiException of the loaded client; none can exist before it is loaded. */
function isApiException(e: unknown): e is ApiException<unknown> {
  return loaded !== undefined && e instanceof loaded.ApiException;
}

export interface KubeClients {
  apps: AppsV1Api;
  batch: BatchV1Api;
  core: CoreV1Api;
  custom: CustomObjectsApi;
}

export function kubeClients(kc: KubeConfig): KubeClients {
  const { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi } = kubernetes();
  return {
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

/** KUBECONFIG (or ~/.kube/config), else the in-cluster service account, like kubectl. */
export function loadKubeConfig(): KubeConfig {
  const kc = new (kubernetes().KubeConfig)();
  kc.loadFromDefault();
  return kc;
}

function statusMessage(e: ApiException<unknown>): string {
  try {
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    if (body && typeof body.message === 'string') return body.message;
  } catch {
    // not a Status body: fall through to the raw text
  }
  return typeof e.body === 'string' && e.body ? e.body.slice(0, 300) : e.message;
}

export function statusCode(e: unknown): number | undefined {
  return isApiException(e) ? e.code : undefined;
}

/** `what` says which call failed, e.g. "patch deployment ml/ranker". */
export function toActionError(e: unknown, what: string): ActionError {
  if (e instanceof ActionError) return e;
  if (!isApiException(e)) {
    return new ActionError('api_unavailable', `${what}: cannot reach the Kubernetes API: ${(e as Error).message}`, {
      cause: e,
      retryable: true,
    });
  }
  const message = statusMessage(e);
  switch (e.code) {
    case 403:
      return new ActionError(
        'forbidden',
        `${what}: the Kubernetes API refused burnwatch's service account (${message}). Grant it with deploy/rbac.yaml.`,
        { cause: e },
      );
    case 404:
      return new ActionError('not_found', `${what}: not found (${message})`, { cause: e });
    case 409:
      return new ActionError('stale_plan', `${what}: the object changed meanwhile (${message}); nothing was changed, plan again`, {
        cause: e,
      });
    case 422:
    case 400:
      return new ActionError('invalid', `${what}: rejected by the API server (${message})`, { cause: e });
    default:
      return new ActionError(
        e.code >= 500 || e.code === 429 ? 'api_unavailable' : 'api_error',
        `${what}: the API server answered ${e.code} (${message})`,
        { cause: e, retryable: e.code >= 500 || e.code === 429 },
      );
  }
}

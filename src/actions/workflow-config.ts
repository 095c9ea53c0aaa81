// Where the workflow orchestrators are (part of the actions config): Airflow instances by name
// (the `namespace` of an AirflowDag target names one, and the actions rules match on it) and the
// Argo Workflows server. Secrets are read from environment variables named here, never inlined.
import { z } from 'zod';

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'must be an environment variable name such as AIRFLOW_TOKEN' });

export const airflowInstanceSchema = z.strictObject({
  url: z.url({ message: 'must be the Airflow webserver / API server URL, e.g. https://airflow.example.com' }),
  /** v1: Airflow 2 (/api/v1); v2: Airflow 3 (/api/v2). */
  api: z.enum(['v1', 'v2']).default('v2'),
  auth: z
    .union([
      z.strictObject({ basic: z.strictObject({ username: z.string().min(1), passwordEnv: envName }) }),
      z.strictObject({ tokenEnv: envName }),
    ])
    .optional(),
  timeoutSeconds: z.number().positive().default(30),
});

export const argoWorkflowsSchema = z.strictObject({
  url: z.url({ message: 'must be the Argo Server URL, e.g. https://argo-server.argo:2746' }),
  tokenEnv: envName.optional(),
  timeoutSeconds: z.number().positive().default(30),
});

export type AirflowInstance = z.infer<typeof airflowInstanceSchema>;
export type ArgoWorkflowsServer = z.infer<typeof argoWorkflowsSchema>;

/** The Authorization header for an instance, from the environment; an unset variable is an error naming it. */
export function authHeader(auth: AirflowInstance['auth'] | { tokenEnv?: string | undefined } | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!auth) return undefined;
  if ('basic' in auth) {
    const password = env[auth.basic.passwordEnv];
    if (!password) throw new Error(`${auth.basic.passwordEnv} is not set (the Airflow password of ${auth.basic.username})`);
    return `Basic ${Buffer.from(`${auth.basic.username}:${password}`).toString('base64')}`;
  }
  if (!auth.tokenEnv) return undefined;
  const token = env[auth.tokenEnv];
  if (!token) throw new Error(`${auth.tokenEnv} is not set (the API token)`);
  return `Bearer ${token}`;
}

// JSON over HTTP for the workflow orchestrators (Airflow, Argo Workflows): a timeout on every
// call, and their answers turned into ActionErrors that say which call failed and whether
// retrying may help. The Authorization header never reaches a message.
import { ActionError } from './action-error.ts';

export interface JsonClient {
  request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export function jsonClient(base: string, opts: { authorization: string | undefined; timeoutSeconds: number; what: string; fetch?: typeof fetch }): JsonClient {
  const doFetch = opts.fetch ?? fetch;
  return {
    async request<T>(method: 'GET' | 'POST', path: string, body?: unknown) {
      const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
      const call = `${method} ${url.pathname}`;
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }), ...(opts.authorization && { authorization: opts.authorization }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(opts.timeoutSeconds * 1000),
        });
      } catch (e) {
        throw new ActionError('api_unavailable', `${opts.what} ${call}: no answer (${(e as Error).message})`, { cause: e, retryable: true });
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = { raw: text.slice(0, 300) };
      }
      if (res.ok || res.status === 409) return { status: res.status, body: parsed as T };
      const detail = describe(parsed) ?? res.statusText;
      if (res.status === 401) throw new ActionError('forbidden', `${opts.what} ${call}: 401, the credentials were refused (${detail}); check the token or password in the actions config`);
      if (res.status === 403) throw new ActionError('forbidden', `${opts.what} ${call}: 403, burnwatch's account may not do this (${detail})`);
      if (res.status === 404) throw new ActionError('not_found', `${opts.what} ${call}: not found (${detail})`);
      if (res.status === 400 || res.status === 422) throw new ActionError('invalid', `${opts.what} ${call}: rejected (${detail})`);
      const retryable = res.status >= 500 || res.status === 429;
      throw new ActionError(retryable ? 'api_unavailable' : 'api_error', `${opts.what} ${call}: answered ${res.status} (${detail})`, { retryable });
    },
  };
}

/** Airflow answers {title, detail}; Argo Server {message} or {error}. */
function describe(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const text = [b.title, b.detail, b.message, b.error].filter((v) => typeof v === 'string' && v).join(': ');
  return text ? text.slice(0, 300) : undefined;
}

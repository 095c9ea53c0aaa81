// One JSON POST to a receiver that answers like a modern HTTP API: 2xx delivered; 408, 429
// and 5xx (and a network failure) retryable, after Retry-After when the receiver sends one;
// any other status permanent. Shared by the webhook and pager notifiers so each says only what it sends.
import { NotifyError, parseRetryAfter } from './notify-error.ts';

export interface JsonDelivery {
  notifier: string;
  url: string;
  /** The URL as it may appear in errors and logs (no key in it). */
  shown: string;
  headers: Record<string, string>;
  /** Sent as JSON; a string is sent as it is (a body that was signed must not be serialised again). */
  body: unknown;
  signal: AbortSignal;
  now: Date;
  timeoutSeconds?: number;
}

export async function deliverJson(d: JsonDelivery): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  let response: Response;
  try {
    response = await fetch(d.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'burnwatch', ...d.headers },
      body: typeof d.body === 'string' ? d.body : JSON.stringify(d.body),
      signal: AbortSignal.any([d.signal, AbortSignal.timeout((d.timeoutSeconds ?? 10) * 1000)]),
    });
  } catch (error) {
    throw new NotifyError(d.notifier, `POST ${d.shown} failed: ${(error as Error).message}`, { retryable: true, cause: error });
  }
  const text = await response.text().catch(() => '');
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  if (response.ok) return { status: response.status, json };
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  // The vendors explain a refusal in `message`/`errors`; it is theirs, never a key of ours.
  const why = [json?.message, ...(Array.isArray(json?.errors) ? json.errors : [])].filter((x) => typeof x === 'string').join('; ');
  throw new NotifyError(d.notifier, `POST ${d.shown} answered HTTP ${response.status}${why ? `: ${why.slice(0, 300)}` : ''}`, {
    retryable,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), d.now),
  });
}

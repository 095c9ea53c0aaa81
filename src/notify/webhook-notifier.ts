// A generic webhook: JSON POST, signed with HMAC-SHA256 over "<timestamp>.<body>"
// (the Stripe/Slack scheme, so a receiver can reject replays), with the
// idempotency key in a header so a receiver can drop a retry it already has.
import { createHmac } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import type { Notifier } from './notifier.ts';
import { deliverJson } from './http-delivery.ts';

export const SIGNATURE_HEADER = 'x-burnwatch-signature';
export const TIMESTAMP_HEADER = 'x-burnwatch-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Which replica sent it (for a receiver's logs when several run). */
export const SENDER_HEADER = 'x-burnwatch-sender';

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The URL as it may appear in logs and errors: hooks often carry their secret in the path or query. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return u.pathname === '/' && !u.search ? u.origin : `${u.origin}/***`;
}

export function webhookNotifier(opts: { url: string; secret: string | undefined; clock: Clock; timeoutSeconds?: number; sender?: string }): Notifier {
  return {
    name: 'webhook',
    send: async (n, signal) => {
      const shown = displayUrl(opts.url);
      const now = opts.clock.now();
      const body = JSON.stringify({ idempotencyKey: n.idempotencyKey, kind: n.kind, channel: n.channel, sentAt: now.toISOString(), ...n.payload });
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const headers: Record<string, string> = {
        [IDEMPOTENCY_HEADER]: n.idempotencyKey,
        [TIMESTAMP_HEADER]: timestamp,
      };
      if (opts.sender) headers[SENDER_HEADER] = opts.sender;
      if (opts.secret) headers[SIGNATURE_HEADER] = signWebhook(opts.secret, timestamp, body);
      const { status } = await deliverJson({
        notifier: 'webhook',
        url: opts.url,
        shown,
        headers,
        body,
        signal,
        now,
        ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
      });
      return { status };
    },
  };
}

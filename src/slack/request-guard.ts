// Bolt verifies the signature and refuses timestamps more than 5 minutes in the past,
// but accepts any timestamp in the future, so a captured request signed with a
// far-future timestamp could be replayed for as long as that lies ahead. This guard
// runs before Bolt and refuses both directions (and a missing or malformed header).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Clock } from '../domain/clock.ts';

export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 300;

export type TimestampVerdict = { ok: true } | { ok: false; reason: string };

export function checkSlackTimestamp(
  header: string | string[] | undefined,
  now: Date,
  toleranceSeconds = SLACK_TIMESTAMP_TOLERANCE_SECONDS,
): TimestampVerdict {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return { ok: false, reason: 'missing x-slack-request-timestamp' };
  if (!/^\d{1,12}$/.test(value)) return { ok: false, reason: 'malformed x-slack-request-timestamp' };
  const skew = Number(value) - Math.floor(now.getTime() / 1000);
  if (skew < -toleranceSeconds) return { ok: false, reason: `stale request (${-skew} s old)` };
  if (skew > toleranceSeconds) return { ok: false, reason: `request timestamp ${skew} s in the future` };
  return { ok: true };
}

export interface GuardOptions {
  clock: Clock;
  toleranceSeconds?: number;
  /** Told about every refusal (for a log line and a counter); never given the body or signature. */
  onRefused?: (reason: string, req: IncomingMessage) => void;
}

function refuse(res: ServerResponse): void {
  res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('invalid request');
}

/** Connect/express-style middleware: `router.use('/slack', slackTimestampGuard(...))`. */
export function slackTimestampGuard(options: GuardOptions) {
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    const verdict = checkSlackTimestamp(req.headers['x-slack-request-timestamp'], options.clock.now(), options.toleranceSeconds);
    if (verdict.ok) {
      next();
      return;
    }
    options.onRefused?.(verdict.reason, req);
    refuse(res);
  };
}

/** Wraps a plain request listener (e.g. Bolt's `HTTPReceiver.requestListener`). */
export function guardRequestListener(listener: RequestListener, options: GuardOptions): RequestListener {
  const guard = slackTimestampGuard(options);
  return (req, res) => guard(req, res, () => listener(req, res));
}

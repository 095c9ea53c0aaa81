// Everything a request to /slack/events passes before Bolt sees it: POST only, a timestamp
// inside the window (both directions), a body of bounded size whose v0 signature is right,
// a body of the shape Slack sends (Bolt reads `body.type` of whatever JSON it gets, so
// `null` used to crash the process), and not seen before: a signature is accepted once
// (remembered in the store for the window, so every replica refuses the replay), and an
// Events API retry (same event_id, X-Slack-Retry-Num) is answered 200 without acting again.
// Bolt then re-reads the buffered body (`rawBody`) and checks the signature once more.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { checkSlackTimestamp, SLACK_TIMESTAMP_TOLERANCE_SECONDS } from './request-guard.ts';

/** Where accepted requests are remembered (the store's request_replays table). */
export interface ReplayMemory {
  /** True the first time `key` is seen before `expiresAt`; false while it is remembered. */
  remember(key: string, at: Date, expiresAt: Date): Promise<boolean>;
  seen(key: string, at: Date): Promise<boolean>;
}

export const SLACK_BODY_LIMIT_BYTES = 1 << 20;
/** Slack retries an event for up to about an hour (at once, after 1 min, after 5 min). */
const EVENT_MEMORY_SECONDS = 3600;

export type GuardOutcome = 'accepted' | 'retry-answered' | { refused: string; status: number };

export interface SignedRequestGuardOptions {
  signingSecret: string;
  clock: Clock;
  replays: ReplayMemory;
  toleranceSeconds?: number;
  bodyLimitBytes?: number;
  /** Told about every refusal (for a log line and a counter); never given the body or signature. */
  onRefused?: (reason: string, req: IncomingMessage) => void;
}

// Loose where Slack adds fields, strict where Bolt dereferences without looking.
const object = z.looseObject({});
const user = z.looseObject({ id: z.string() });
export const slackPayload = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({ type: z.literal('event_callback'), event_id: z.string().optional(), event: z.looseObject({ type: z.string() }) }),
  z.looseObject({ type: z.literal('block_actions'), user, actions: z.array(object).min(1) }),
  z.looseObject({ type: z.enum(['view_submission', 'view_closed']), user, view: z.looseObject({ callback_id: z.string() }) }),
  z.looseObject({ type: z.enum(['shortcut', 'message_action', 'block_suggestion', 'interactive_message', 'dialog_submission']), user: user.optional() }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);
const slashCommand = z.looseObject({ command: z.string().min(1), user_id: z.string().min(1), channel_id: z.string().min(1), text: z.string().default('') });

/** The parsed body, or why it is not one Slack would send. */
export function parseSlackBody(raw: string, contentType: string | undefined): { ok: true; body: Record<string, unknown> } | { ok: false; reason: string } {
  let value: unknown;
  try {
    if ((contentType ?? '').split(';')[0]!.trim() === 'application/x-www-form-urlencoded') {
      const form = parseQuery(raw);
      if (form.ssl_check === '1') return { ok: true, body: { ssl_check: '1' } };
      if (typeof form.payload === 'string') value = JSON.parse(form.payload);
      else {
        const parsed = slashCommand.safeParse(form);
        return parsed.success ? { ok: true, body: parsed.data } : { ok: false, reason: 'not a slash command' };
      }
    } else value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'malformed body' };
  }
  const parsed = slackPayload.safeParse(value);
  if (!parsed.success) return { ok: false, reason: 'not a Slack payload' };
  return { ok: true, body: parsed.data as Record<string, unknown> };
}

export function slackSignatureMatches(secret: string, timestamp: string, raw: Buffer, signature: string): boolean {
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new TooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Decides about one request; on 'accepted' the buffered body is on `req.rawBody` for Bolt. */
export async function checkSignedRequest(req: IncomingMessage, options: SignedRequestGuardOptions): Promise<GuardOutcome> {
  if (req.method !== 'POST') return { refused: `method ${req.method}`, status: 405 };
  const tolerance = options.toleranceSeconds ?? SLACK_TIMESTAMP_TOLERANCE_SECONDS;
  const now = options.clock.now();
  const verdict = checkSlackTimestamp(req.headers['x-slack-request-timestamp'], now, tolerance);
  if (!verdict.ok) return { refused: verdict.reason, status: 401 };
  const timestamp = header(req, 'x-slack-request-timestamp')!;
  const signature = header(req, 'x-slack-signature');
  if (!signature) return { refused: 'missing x-slack-signature', status: 401 };
  let raw: Buffer;
  try {
    raw = await readBody(req, options.bodyLimitBytes ?? SLACK_BODY_LIMIT_BYTES);
  } catch (error) {
    return error instanceof TooLarge ? { refused: 'body too large', status: 413 } : { refused: 'body not readable', status: 400 };
  }
  if (!slackSignatureMatches(options.signingSecret, timestamp, raw, signature)) return { refused: 'wrong signature', status: 401 };
  const parsed = parseSlackBody(raw.toString('utf8'), header(req, 'content-type'));
  if (!parsed.ok) return { refused: parsed.reason, status: 400 };
  // The signature covers the timestamp: once the window has passed, the timestamp check refuses it anyway.
  const expiresAt = new Date((Number(timestamp) + tolerance) * 1000 + 1000);
  if (!(await options.replays.remember(`slack-sig:${signature}`, now, expiresAt))) return { refused: 'replayed request', status: 401 };
  const eventId = parsed.body.type === 'event_callback' ? parsed.body.event_id : undefined;
  if (typeof eventId === 'string') {
    const fresh = await options.replays.remember(`slack-event:${eventId}`, now, new Date(now.getTime() + EVENT_MEMORY_SECONDS * 1000));
    if (!fresh) return 'retry-answered';
  }
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
  return 'accepted';
}

/** Wraps Bolt's `HTTPReceiver.requestListener`. */
export function guardSignedRequests(listener: RequestListener, options: SignedRequestGuardOptions): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    checkSignedRequest(req, options).then(
      (outcome) => {
        if (outcome === 'accepted') {
          listener(req, res);
          return;
        }
        if (outcome === 'retry-answered') {
          res.writeHead(200).end();
          return;
        }
        options.onRefused?.(outcome.refused, req);
        const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
        if (outcome.status === 405) headers.allow = 'POST';
        res.writeHead(outcome.status, headers).end(outcome.status === 405 ? 'method not allowed' : 'invalid request');
      },
      (error: unknown) => {
        // The store did not answer: refuse rather than risk acting twice.
        options.onRefused?.(`replay check failed: ${(error as Error).message}`, req);
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('try again');
      },
    );
  };
}

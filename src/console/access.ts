// Who may read the console. Three ways in, checked in this order:
//  1. an authenticating proxy (oauth2-proxy convention) at an address listed in
//     BURNWATCH_TRUSTED_PROXIES vouches with X-Forwarded-User / X-Forwarded-Email;
//     the same headers from anyone else are ignored;
//  2. a session cookie set by signing in with the API token (HttpOnly, SameSite=Strict),
//     an HMAC of its expiry keyed by the token: nothing stored server-side, valid on every
//     replica, void as soon as the token changes;
//  3. BURNWATCH_PUBLIC_READ=true: anyone who reaches the port may read.
import { createHmac } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import proxyAddr from 'proxy-addr';
import { tokenMatches } from '../service/http/bearer-auth.ts';

export const SESSION_COOKIE = 'burnwatch_session';
export const SESSION_SECONDS = 12 * 3600;

export interface Viewer {
  name: string;
  via: 'proxy' | 'session' | 'public';
}

export interface AccessPolicy {
  apiToken: string | undefined;
  publicRead: boolean;
  trustedProxies: readonly string[];
  /** Secure cookies when the console is reached over https. */
  secureCookies: boolean;
  now: () => Date;
}

const sign = (token: string, expires: number) => createHmac('sha256', token).update(`burnwatch-console-session:${expires}`).digest('base64url');

export function sessionValue(token: string, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + SESSION_SECONDS;
  return `${expires}.${sign(token, expires)}`;
}

function sessionValid(token: string, value: string | undefined, now: Date): boolean {
  if (!value) return false;
  const m = /^(\d{1,12})\.([\w-]{43})$/.exec(value);
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires * 1000 <= now.getTime()) return false;
  return tokenMatches(m[2]!, sign(token, expires));
}

export class Access {
  readonly #p: AccessPolicy;
  readonly #trusted: ((addr: string, i: number) => boolean) | undefined;

  constructor(policy: AccessPolicy) {
    this.#p = policy;
    this.#trusted = policy.trustedProxies.length > 0 ? proxyAddr.compile([...policy.trustedProxies]) : undefined;
  }

  /** No way in is configured at all: the login page says what to set. */
  get locked(): boolean {
    return !this.#p.apiToken && !this.#p.publicRead && !this.#trusted;
  }

  get tokenLogin(): boolean {
    return this.#p.apiToken !== undefined;
  }

  viewer(req: Request): Viewer | undefined {
    const peer = req.socket.remoteAddress;
    if (this.#trusted && peer && this.#trusted(peer, 0)) {
      const user = req.get('x-forwarded-user')?.trim() || req.get('x-forwarded-email')?.trim();
      if (user) return { name: user.slice(0, 200), via: 'proxy' };
    }
    if (this.#p.apiToken) {
      const cookies = parseCookies(req.get('cookie') ?? '');
      if (sessionValid(this.#p.apiToken, cookies[SESSION_COOKIE], this.#p.now())) return { name: 'signed in with the API token', via: 'session' };
    }
    if (this.#p.publicRead) return { name: '', via: 'public' };
    return undefined;
  }

  /** Pages: a reader who is not let in is sent to the sign-in page (and back afterwards). */
  requireViewer(): RequestHandler {
    return (req, res, next) => {
      const viewer = this.viewer(req);
      if (viewer) {
        res.locals.viewer = viewer;
        next();
        return;
      }
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      res.status(401).json({ error: 'sign in at /login, or send the request through the authenticating proxy' });
    };
  }

  /** Checks a presented token; on success sets the session cookie. */
  signIn(res: Response, presented: string): boolean {
    const token = this.#p.apiToken;
    if (!token || !tokenMatches(presented, token)) return false;
    res.cookie(SESSION_COOKIE, sessionValue(token, this.#p.now()), {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.#p.secureCookies,
      path: '/',
      maxAge: SESSION_SECONDS * 1000,
    });
    return true;
  }

  signOut(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: this.#p.secureCookies, path: '/' });
  }
}

/** Only a local path may be a place to go back to after signing in (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

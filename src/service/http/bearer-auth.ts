// Write endpoints (and reads, unless BURNWATCH_PUBLIC_READ) need `Authorization: Bearer <BURNWATCH_API_TOKEN>`, compared in
// constant time (over SHA-256 digests, so lengths do not leak either).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Whether an Authorization header carries the token. */
export function bearerPresented(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return Boolean(match && tokenMatches(match[1]!.trim(), token));
}

export function requireBearer(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (!token) {
      res.status(401).json({ error: 'this endpoint needs BURNWATCH_API_TOKEN (unset: disabled)' });
      return;
    }
    if (!bearerPresented(req.get('authorization'), token)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'missing or wrong bearer token' });
      return;
    }
    next();
  };
}

// Write endpoints need `Authorization: Bearer <BURNWATCH_API_TOKEN>`, compared in
// constant time (over SHA-256 digests, so lengths do not leak either).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

export function requireBearer(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (!token) {
      res.status(401).json({ error: 'write endpoints are disabled: set BURNWATCH_API_TOKEN' });
      return;
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !tokenMatches(match[1]!.trim(), token)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'missing or wrong bearer token' });
      return;
    }
    next();
  };
}

// What the HTTP surface answers when a request is wrong rather than the service:
// a known path with another method → 405 (with Allow), a body that is not JSON or too
// large → 400/413, quietly (a probe of the port must not fill the error log). Only a
// failure of burnwatch itself is a 500 with an error line.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Path → the methods it answers (HEAD comes with GET). */
export type RouteTable = Record<string, readonly string[]>;

export function methodNotAllowed(routes: RouteTable): RequestHandler {
  return (req, res, next) => {
    const allowed = routes[req.path];
    if (!allowed) {
      next();
      return;
    }
    const allow = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
    res.status(405).set('allow', allow.join(', ')).json({ error: `method ${req.method} not allowed on ${req.path}; use ${allowed.join(' or ')}` });
  };
}

export function handleRequestError(logger: Logger): ErrorRequestHandler {
  return (error: Error & { status?: number; statusCode?: number; type?: string; expose?: boolean }, req, res, _next) => {
    const status = error.status ?? error.statusCode;
    if (status && status >= 400 && status < 500) {
      const message = error.type === 'entity.parse.failed' ? 'the body is not valid JSON' : error.type === 'entity.too.large' ? 'the body is too large' : error.expose ? error.message : 'bad request';
      logger.debug({ status, type: error.type, path: req.path }, 'refused a request');
      if (!res.headersSent) res.status(status).json({ error: message });
      return;
    }
    logger.error({ err: error.message, path: req.path }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error' });
  };
}

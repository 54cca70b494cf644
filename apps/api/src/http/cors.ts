import type { RequestHandler } from 'express';

/**
 * CORS for an exact allowlist only (S15). The SPA is served from the API's own origin and needs none;
 * this exists for a dev server on another port. Anything else gets no CORS headers at all, so the
 * browser keeps other sites from reading responses; nothing is ever reflected or wildcarded.
 */
export function createCors({ allowedOrigins }: { allowedOrigins: readonly string[] }): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    const isAllowed = origin !== undefined && allowed.has(origin);
    if (isAllowed) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined) {
      if (isAllowed) {
        res.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
        res.set('Access-Control-Allow-Headers', 'Content-Type');
        res.set('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}

import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin this very request was addressed to, as a browser would write it in `Origin`. */
function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.host}`;
}

/**
 * Refuses state changes a browser sent on behalf of another site (S14). Browsers always send
 * Sec-Fetch-Site (current ones) or Origin (older ones) on such requests; a client that sends neither is
 * not a browser and cannot be made to carry someone else's cookie, so it is let through.
 * Same-site is not enough: a sibling subdomain is same-site, so only the exact allowed origins pass.
 */
export function createCrossSiteGuard({ allowedOrigins }: { allowedOrigins: readonly string[] }): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const fetchSite = req.get('sec-fetch-site');
    if (fetchSite === 'same-origin' || fetchSite === 'none') return next();
    const origin = req.get('origin');
    if (fetchSite === undefined && origin === undefined) return next();
    if (origin !== undefined && origin !== 'null' && (allowed.has(origin) || (fetchSite === undefined && origin === ownOrigin(req)))) {
      return next();
    }
    next(new HttpError(403, 'cross_site_request', 'Cross-site requests are not allowed.'));
  };
}

import type { Express, RequestHandler } from 'express';
import { HttpError } from './errors';
import { routeTable } from './route-table';
import type { RouteEntry } from './route-table';

/**
 * Placed after every API router: a request that got this far matched no route with its method. If its
 * path is a route for other methods, the answer is 405 with `Allow` (RFC 9110 §15.5.6), not 404.
 * The routes are read from the app once, on the first such request, when every router is mounted.
 */
export function createMethodNotAllowed(app: Express): RequestHandler {
  let routes: RouteEntry[] | undefined;
  return (req, _res, next) => {
    routes ??= routeTable(app);
    const path = `${req.baseUrl}${req.path}`;
    const allowed = new Set(routes.filter((route) => route.matches(path)).flatMap((route) => route.methods));
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    if (allowed.has('GET')) allowed.add('HEAD');
    const allow = [...allowed].sort().join(', ');
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here. Allowed: ${allow}.`, { headers: { Allow: allow } }));
  };
}

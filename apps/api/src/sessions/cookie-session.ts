import session from 'express-session';
import signature from 'cookie-signature';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import { readCookie } from '../http/cookies';
import type { GatehouseSessionStore } from './store';
import './session-data';

/** The session cookie and express-session: what the browser holds and how a request gets its session. */

export type CookieSessionConfig = Pick<Config, 'cookieName' | 'sessionSecrets' | 'isProduction'>;

/** Device-bound sessions' short cookie rides along API calls only: static files are never held back for a refresh. */
export const BOUND_COOKIE_PATH = '/api';

export function cookieOptions(config: Pick<Config, 'isProduction'>) {
  return { httpOnly: true, secure: config.isProduction, sameSite: 'lax', path: '/' } as const;
}

export function createSessionMiddleware({
  config,
  store,
  generateId,
}: {
  config: CookieSessionConfig;
  store: GatehouseSessionStore;
  generateId?: (req: Request) => string;
}): RequestHandler {
  return session({
    ...(generateId ? { genid: generateId } : {}),
    name: config.cookieName,
    secret: config.sessionSecrets,
    store,
    resave: false,
    // Anonymous visitors get neither a document nor a cookie (R6): only sign-in creates a session.
    saveUninitialized: false,
    rolling: true,
    cookie: cookieOptions(config),
  });
}

/** The session id a request's cookie carries, if its signature verifies under any configured secret. */
export function presentedSessionId(req: Request, config: Pick<Config, 'cookieName' | 'sessionSecrets'>): string | null {
  const value = readCookie(req, config.cookieName);
  if (!value?.startsWith('s:')) return null;
  for (const secret of config.sessionSecrets) {
    const sid = signature.unsign(value.slice(2), secret);
    if (sid !== false) return sid;
  }
  return null;
}

/** The bound cookie's attributes: those of the session cookie, scoped to the API. */
export function boundCookieOptions(config: Pick<Config, 'isProduction'>) {
  return { ...cookieOptions(config), path: BOUND_COOKIE_PATH };
}

/** Sign-out and the end of a binding both drop the bound cookie this way (its attributes must match). */
export function clearBoundCookie(res: Response, cookieName: string, config: Pick<Config, 'isProduction'>): void {
  res.clearCookie(cookieName, boundCookieOptions(config));
}

export function clearSessionCookie(res: Response, config: Pick<Config, 'cookieName' | 'isProduction'>): void {
  res.clearCookie(config.cookieName, cookieOptions(config));
}

/**
 * After sign-out the browser forgets what it cached and stored for this origin. Not `"cookies"`: that
 * would also drop the device cookie, which is what keeps strangers from locking the owner out (S17).
 * The session cookie itself is cleared by name.
 */
export function forgetClientState(res: Response, config: Pick<Config, 'cookieName' | 'isProduction'>): void {
  clearSessionCookie(res, config);
  res.set('Clear-Site-Data', '"cache", "storage"');
}

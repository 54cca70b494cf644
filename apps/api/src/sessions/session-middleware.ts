import session from 'express-session';
import signature from 'cookie-signature';
import type { Request, RequestHandler, Response } from 'express';
import type { AuthMethod } from '@gatehouse/types/sessions';
import type { User } from '@gatehouse/types/users';
import type { Config } from '../config';
import { readCookie } from '../http/cookies';
import { forbidden, reauthRequired, unauthenticated } from '../http/errors';
import { parseDevice } from './device';
import type { SessionRegistry } from './registry';
import type { GatehouseSessionStore } from './store';
import './session-data';

type SessionConfig = Pick<Config, 'cookieName' | 'sessionSecrets' | 'isProduction'>;

export function cookieOptions(config: Pick<Config, 'isProduction'>) {
  return { httpOnly: true, secure: config.isProduction, sameSite: 'lax', path: '/' } as const;
}

export function createSessionMiddleware({
  config,
  store,
  generateId,
}: {
  config: SessionConfig;
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

/** Leaves this request with an empty session that is never saved (the ended one's document is gone). */
export function becomeAnonymous(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((error: unknown) => (error ? reject(error) : resolve())));
}

/** The signed-in person of a request: the one typed place handlers get them from. */
export interface SignedInUser {
  userId: string;
  user: User;
  sid: string;
  authenticatedAt: number;
  authMethods: AuthMethod[];
  deviceKey: string | null;
}

export function signedInUserOf(req: Request): SignedInUser | null {
  const data = req.session as Partial<typeof req.session> | undefined;
  // A pending sign-in (password right, second factor due) is nobody yet (S37).
  if (!data?.userId || !data.user || data.pendingSignIn) return null;
  return {
    userId: data.userId,
    // A copy taken before addresses were verified has no flag: such an address is not verified.
    user: { ...data.user, emailVerified: data.user.emailVerified === true },
    sid: req.sessionID,
    authenticatedAt: data.authenticatedAt ?? 0,
    authMethods: data.authMethods ?? ['password'],
    deviceKey: data.deviceKey ?? null,
  };
}

/** For handlers behind `requireUser`: the signed-in person, or 401 if the session ended meanwhile. */
export function signedInUser(req: Request): SignedInUser {
  const person = signedInUserOf(req);
  if (!person) throw unauthenticated();
  return person;
}

export interface SessionLifecycleDeps {
  config: Pick<Config, 'cookieName' | 'sessionSecrets' | 'isProduction'>;
  registry: Pick<SessionRegistry, 'endSession' | 'noticeStaleCookie' | 'rotateIfAccountChanged' | 'store'>;
}

/**
 * After the response, moves the idle deadline of the session the request came with, as express-session's
 * touch would have (the store has none, see store.ts): only if it is still this request's session (not
 * ended, regenerated, or detached by a live stream) and touchAfter has passed since it was last written.
 */
function touchAfterResponse(req: Request, res: Response, store: GatehouseSessionStore): void {
  const { session: loaded, sessionID: sid } = req;
  if (!store.isTouchDue(loaded)) return;
  res.once('finish', () => {
    if (req.session !== loaded || req.sessionID !== sid) return;
    // A failed touch costs the next request nothing but another try.
    store.touchIfDue(sid, loaded).catch(() => undefined);
  });
}

/**
 * Runs after express-session on every request. express-session knows idle expiry (the store filters
 * on `expires`) but not an absolute lifetime (S9), and silently treats a cookie whose session is gone
 * as a new visitor; this notices both, applies a pending role change (S4), and moves the idle deadline.
 */
export function createSessionLifecycle({ config, registry }: SessionLifecycleDeps): RequestHandler {
  return async (req, res, next) => {
    const data = req.session;

    if (data.userId && typeof data.absoluteExpiresAt === 'number') {
      const now = Date.now();
      if (now >= data.absoluteExpiresAt) {
        await registry.endSession(req.sessionID, { reason: 'expired', actor: 'system' }, { isHolderTold: true });
        await becomeAnonymous(req);
        clearSessionCookie(res, config);
        return next();
      }
      if (data.rotateOnNextRequest) await registry.rotateIfAccountChanged(req);
      // A persistent cookie must not outlive the session's absolute deadline (S5).
      const { cookie, rememberMe, absoluteExpiresAt } = req.session;
      const remaining = (absoluteExpiresAt ?? now) - now;
      if (rememberMe && typeof cookie.originalMaxAge === 'number' && cookie.originalMaxAge > remaining) cookie.maxAge = remaining;
      touchAfterResponse(req, res, registry.store);
      return next();
    }

    const presented = presentedSessionId(req, config);
    if (presented !== null && presented !== req.sessionID) {
      // A correctly signed cookie for a session the store no longer has: expired, signed out, or revoked.
      const gone = await registry.noticeStaleCookie(presented, { device: parseDevice(req.get('user-agent')), ip: req.ip ?? null });
      // A rotated id lives on under a new one that another response is carrying to this browser right now:
      // clearing the cookie here could land after it and sign the tab out.
      if (gone !== 'rotated') clearSessionCookie(res, config);
    }
    next();
  };
}

export const requireUser: RequestHandler = (req, _res, next) => {
  next(signedInUserOf(req) ? undefined : unauthenticated());
};

/** Role comes from the session's account snapshot, which role changes update in place (S4). */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  const person = signedInUserOf(req);
  if (!person) return next(unauthenticated());
  next(person.user.role === 'admin' ? undefined : forbidden());
};

/** Sudo mode (S13): the holder must have proved who they are within the window. */
export function createRequireFreshAuth({ reauthWindowSeconds }: Pick<Config, 'reauthWindowSeconds'>): RequestHandler {
  return (req, _res, next) => {
    const person = signedInUserOf(req);
    if (!person) return next(unauthenticated());
    next(Date.now() - person.authenticatedAt <= reauthWindowSeconds * 1000 ? undefined : reauthRequired());
  };
}

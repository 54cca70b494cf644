import session from 'express-session';
import signature from 'cookie-signature';
import type { Request, RequestHandler, Response } from 'express';
import type { ActivityLog } from '../activity/activity-log';
import type { LiveBus } from '../live/live-bus';
import type { Config } from '../config';
import { forbidden, reauthRequired, unauthenticated } from '../http/errors';
import { parseDevice } from './device';
import type { GatehouseSessionStore } from './store';
import { rotateSession } from './rotation';
import type { LifetimeConfig } from './rotation';
import './session-data';

type SessionConfig = Pick<Config, 'cookieName' | 'sessionSecrets' | 'isProduction' | 'reauthWindowSeconds'>;

export function cookieOptions(config: Pick<Config, 'isProduction'>) {
  return { httpOnly: true, secure: config.isProduction, sameSite: 'lax', path: '/' } as const;
}

export function createSessionMiddleware({ config, store }: { config: SessionConfig; store: GatehouseSessionStore }): RequestHandler {
  return session({
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
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== config.cookieName) continue;
    let value: string;
    try {
      value = decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      return null;
    }
    if (!value.startsWith('s:')) return null;
    for (const secret of config.sessionSecrets) {
      const sid = signature.unsign(value.slice(2), secret);
      if (sid !== false) return sid;
    }
    return null;
  }
  return null;
}

export function clearSessionCookie(res: Response, config: Pick<Config, 'cookieName' | 'isProduction'>): void {
  res.clearCookie(config.cookieName, cookieOptions(config));
}

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((error: unknown) => (error ? reject(error) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error: unknown) => (error ? reject(error) : resolve())));
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((error: unknown) => (error ? reject(error) : resolve())));
}

export interface RevocationLookup {
  wasRevoked(sid: string): Promise<{ userId: string; isFollowUp: boolean } | null>;
}

export interface SessionGuardDeps {
  config: Pick<Config, 'cookieName' | 'sessionSecrets' | 'isProduction' | 'reauthWindowSeconds'> & LifetimeConfig;
  activity: Pick<ActivityLog, 'record'>;
  live: Pick<LiveBus, 'publishToSession'>;
  store: Pick<GatehouseSessionStore, 'deleteIfExpired' | 'markNew'>;
  /** Absent until the sessions directory exists; replays are then simply treated as anonymous. */
  revocations?: RevocationLookup;
}

/**
 * Runs after express-session on every request. express-session knows idle expiry (the store filters
 * on `expires`) but not an absolute lifetime (S9), and silently treats a cookie whose session is gone
 * as a new visitor; this notices both.
 */
export function createSessionLifecycle({ config, activity, live, store, revocations }: SessionGuardDeps): RequestHandler {
  return async (req, res, next) => {
    const now = Date.now();
    const data = req.session;

    if (data.userId && typeof data.absoluteExpiresAt === 'number') {
      if (now >= data.absoluteExpiresAt) {
        const { userId } = data;
        const expiredSid = req.sessionID;
        await regenerateSession(req);
        clearSessionCookie(res, config);
        live.publishToSession(expiredSid, { type: 'session_ended', reason: 'expired' });
        await activity.record({ userId, type: 'session_expired', actor: 'system', device: parseDevice(req.get('user-agent')), ip: req.ip ?? null });
        return next();
      }
      if (data.rotateOnNextRequest) await rotateSession(req, { store, config }, { passwordProven: false });
      // A persistent cookie must not outlive the session's absolute deadline (S5).
      const { cookie } = req.session;
      const remaining = data.absoluteExpiresAt - now;
      if (data.rememberMe && typeof cookie.originalMaxAge === 'number' && cookie.originalMaxAge > remaining) cookie.maxAge = remaining;
      return next();
    }

    const presented = presentedSessionId(req, config);
    if (presented !== null && presented !== req.sessionID) {
      // A correctly signed cookie for a session the store no longer has: expired, signed out, or revoked.
      clearSessionCookie(res, config);
      await store.deleteIfExpired(presented);
      const revoked = revocations ? await revocations.wasRevoked(presented) : null;
      if (revoked && !revoked.isFollowUp) {
        await activity.record({
          userId: revoked.userId,
          type: 'revoked_session_reused',
          actor: 'self',
          isSuspicious: true,
          device: parseDevice(req.get('user-agent')),
          ip: req.ip ?? null,
        });
      }
    }
    next();
  };
}

export const requireUser: RequestHandler = (req, _res, next) => {
  next(req.session.userId && req.session.user ? undefined : unauthenticated());
};

/** Role comes from the session's account snapshot, which role changes update in place (S4). */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (!req.session.userId || !req.session.user) return next(unauthenticated());
  next(req.session.user.role === 'admin' ? undefined : forbidden());
};

/** Sudo mode (S13): the password must have been proven within the window. */
export function createRequireFreshAuth({ reauthWindowSeconds }: Pick<Config, 'reauthWindowSeconds'>): RequestHandler {
  return (req, _res, next) => {
    if (!req.session.userId || !req.session.user) return next(unauthenticated());
    const provenAt = req.session.authenticatedAt ?? 0;
    next(Date.now() - provenAt <= reauthWindowSeconds * 1000 ? undefined : reauthRequired());
  };
}

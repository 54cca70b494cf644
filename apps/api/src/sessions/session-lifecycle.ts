import type { RequestHandler } from 'express';
import type { Config } from '../config';
import { parseDevice } from './device';
import { clearSessionCookie, presentedSessionId } from './cookie-session';
import type { SessionRegistry } from './registry';
import './session-data';

export interface SessionLifecycleDeps {
  config: Pick<Config, 'cookieName' | 'sessionSecrets' | 'isProduction'>;
  registry: Pick<SessionRegistry, 'endThisSession' | 'noticeStaleCookie' | 'rotateIfAccountChanged' | 'touchAfterResponse'>;
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
        await registry.endThisSession(req, res, { reason: 'expired', actor: 'system' }, { forgetClient: false });
        return next();
      }
      if (data.rotateOnNextRequest) await registry.rotateIfAccountChanged(req);
      // A persistent cookie must not outlive the session's absolute deadline (S5).
      const { cookie, rememberMe, absoluteExpiresAt } = req.session;
      const remaining = (absoluteExpiresAt ?? now) - now;
      if (rememberMe && typeof cookie.originalMaxAge === 'number' && cookie.originalMaxAge > remaining) cookie.maxAge = remaining;
      registry.touchAfterResponse(req, res);
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

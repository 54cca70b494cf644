import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { User } from '@gatehouse/types/users';
import type { SessionSummary } from '@gatehouse/types/auth';
import type { Config } from '../config';
import { parseDevice } from '../sessions/device';
import { regenerateSession, saveSession } from '../sessions/session-middleware';
import type { GatehouseSessionStore } from '../sessions/store';

type LifetimeConfig = Pick<Config, 'absoluteTimeoutSeconds' | 'rememberMeIdleTimeoutSeconds'>;

/** Persistent cookies follow the remember-me idle timeout, never past the absolute deadline (S5). */
function applyCookieLifetime(req: Request, config: LifetimeConfig, rememberMe: boolean, absoluteExpiresAt: number): void {
  if (!rememberMe) {
    req.session.cookie.maxAge = undefined;
    req.session.cookie.expires = undefined;
    return;
  }
  req.session.cookie.maxAge = Math.min(config.rememberMeIdleTimeoutSeconds * 1000, absoluteExpiresAt - Date.now());
}

/**
 * Sign-in and registration: always a brand-new session id (S3), the pre-login session destroyed, and
 * the document written before the response so the cookie never names a session that does not exist.
 */
export async function beginSession(
  req: Request,
  { store, config, user, rememberMe }: { store: GatehouseSessionStore; config: LifetimeConfig; user: User; rememberMe: boolean },
): Promise<void> {
  await regenerateSession(req);
  const now = Date.now();
  const absoluteExpiresAt = now + config.absoluteTimeoutSeconds * 1000;
  const data: Omit<SessionData, 'cookie'> = {
    userId: user.id,
    user,
    createdAt: now,
    authenticatedAt: now,
    absoluteExpiresAt,
    rememberMe,
    device: parseDevice(req.get('user-agent')),
    ip: req.ip ?? null,
  };
  Object.assign(req.session, data);
  applyCookieLifetime(req, config, rememberMe, absoluteExpiresAt);
  store.markNew(req.session);
  await saveSession(req);
}

/**
 * Re-authentication and password change: a new id for the same session (S4), with the password proven
 * now. Sign-in time and the absolute deadline stay as they were.
 */
export async function rotateSession(req: Request, { store, config }: { store: GatehouseSessionStore; config: LifetimeConfig }): Promise<void> {
  const { cookie: _cookie, ...kept } = req.session as SessionData & { lastModified?: Date };
  delete (kept as { lastModified?: Date }).lastModified;
  await regenerateSession(req);
  Object.assign(req.session, kept, { authenticatedAt: Date.now() });
  applyCookieLifetime(req, config, req.session.rememberMe ?? false, req.session.absoluteExpiresAt ?? Date.now());
  store.markNew(req.session);
  await saveSession(req);
}

export function sessionSummary(req: Request, store: GatehouseSessionStore): SessionSummary {
  const data = req.session as Partial<SessionData> & { lastModified?: Date };
  const now = Date.now();
  const createdAt = data.createdAt ?? now;
  const absoluteExpiresAt = data.absoluteExpiresAt ?? now;
  const lastActiveAt = data.lastModified instanceof Date ? data.lastModified.getTime() : now;
  const idleExpiresAt = store.expiresAt(data, lastActiveAt).getTime();
  return {
    createdAt: new Date(createdAt).toISOString(),
    lastActiveAt: new Date(lastActiveAt).toISOString(),
    expiresAt: new Date(Math.min(idleExpiresAt, absoluteExpiresAt)).toISOString(),
    idleExpiresAt: new Date(idleExpiresAt).toISOString(),
    absoluteExpiresAt: new Date(absoluteExpiresAt).toISOString(),
    rememberMe: data.rememberMe ?? false,
    authenticatedAt: new Date(data.authenticatedAt ?? createdAt).toISOString(),
  };
}

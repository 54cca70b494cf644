import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { User } from '@gatehouse/types/users';
import type { SessionSummary } from '@gatehouse/types/auth';
import { parseDevice } from '../sessions/device';
import { regenerateSession, saveSession } from '../sessions/session-middleware';
import { applyCookieLifetime, rotateSession } from '../sessions/rotation';
import type { LifetimeConfig } from '../sessions/rotation';

export { rotateSession };
import type { GatehouseSessionStore } from '../sessions/store';

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

import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { Config } from '../config';
import { regenerateSession, saveSession } from './session-middleware';
import type { GatehouseSessionStore } from './store';

export type LifetimeConfig = Pick<Config, 'absoluteTimeoutSeconds' | 'rememberMeIdleTimeoutSeconds'>;

/** Persistent cookies follow the remember-me idle timeout, never past the absolute deadline (S5). */
export function applyCookieLifetime(req: Request, config: LifetimeConfig, rememberMe: boolean, absoluteExpiresAt: number): void {
  if (!rememberMe) {
    req.session.cookie.maxAge = undefined;
    req.session.cookie.expires = undefined;
    return;
  }
  req.session.cookie.maxAge = Math.min(config.rememberMeIdleTimeoutSeconds * 1000, absoluteExpiresAt - Date.now());
}

/**
 * A new id for the same session (S4): after re-authentication and password change (the password was
 * proven now), and on the first request after a role change (it was not). Sign-in time and the absolute
 * deadline stay as they were.
 */
export async function rotateSession(
  req: Request,
  { store, config }: { store: Pick<GatehouseSessionStore, 'markNew'>; config: LifetimeConfig },
  { passwordProven = true }: { passwordProven?: boolean } = {},
): Promise<void> {
  const { cookie: _cookie, rotateOnNextRequest: _rotate, ...kept } = req.session as SessionData & { lastModified?: Date };
  delete (kept as { lastModified?: Date }).lastModified;
  await regenerateSession(req);
  Object.assign(req.session, kept, passwordProven ? { authenticatedAt: Date.now() } : {});
  applyCookieLifetime(req, config, req.session.rememberMe ?? false, req.session.absoluteExpiresAt ?? Date.now());
  store.markNew(req.session);
  await saveSession(req);
}

import { Router } from 'express';
import type { Request } from 'express';
import type { SessionData } from 'express-session';
import {
  CookieExplanationSchema,
  SessionHandleParamsSchema,
} from '@gatehouse/types/sessions';
import type {
  CookieExplanation,
  CurrentSessionResponse,
  ExtendSessionResponse,
  RevokeOthersResponse,
  SessionListResponse,
} from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';
import type { Config } from '../config';
import { notFound, unauthenticated } from '../http/errors';
import { parseDevice } from './device';
import { toSessionView } from './directory';
import type { SessionDirectory, StoredSession } from './directory';
import { clearSessionCookie, cookieOptions, createRequireFreshAuth, destroySession, requireUser } from './session-middleware';
import type { GatehouseSessionStore } from './store';

type SessionsConfig = Pick<
  Config,
  | 'cookieName'
  | 'isProduction'
  | 'trustProxy'
  | 'idleTimeoutSeconds'
  | 'rememberMeIdleTimeoutSeconds'
  | 'absoluteTimeoutSeconds'
  | 'touchAfterSeconds'
  | 'reauthWindowSeconds'
>;

export interface SessionsRouterDeps {
  config: SessionsConfig;
  directory: SessionDirectory;
  activity: Pick<ActivityLog, 'record'>;
  store: Pick<GatehouseSessionStore, 'forceTouch'>;
}

const MASK = '••••';
const SECRET_KEY = /secret|token|password|hash|key/i;

/** The stored session as JSON, with anything that looks like a credential replaced (S26). */
export function maskSecrets(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? MASK : maskSecrets(inner)]),
  );
}

function isTrustProxyOn(trustProxy: Config['trustProxy']): boolean {
  return trustProxy !== false && trustProxy !== 0 && trustProxy !== '';
}

/**
 * What the browser was sent for this response (express-session re-sends the cookie on every response,
 * `rolling: true`) next to the server's settings, with the mismatches people actually run into.
 */
export function explainCookie(req: Request, config: SessionsConfig, now = Date.now()): CookieExplanation {
  const configured = cookieOptions(config);
  const cookie = req.session.cookie;
  const trustProxy = isTrustProxyOn(config.trustProxy);
  const requestIsSecure = req.secure;
  const maxAge = cookie.originalMaxAge;
  const expiresAt = typeof maxAge === 'number' ? new Date(now + maxAge) : null;
  const sameSite = typeof cookie.sameSite === 'string' ? cookie.sameSite.toLowerCase() : cookie.sameSite === true ? 'strict' : null;
  const absoluteExpiresAt = req.session.absoluteExpiresAt;
  const rememberMe = req.session.rememberMe === true;
  const warnings: string[] = [];

  if (configured.secure && !requestIsSecure) {
    warnings.push(
      trustProxy
        ? 'Secure cookie configured but not sent: the proxy did not report HTTPS (X-Forwarded-Proto), so the request counts as HTTP'
        : 'Secure cookie configured but not sent: the request reached the app over HTTP and `trust proxy` is off',
    );
  }
  if (!configured.secure && requestIsSecure) warnings.push('The request came over HTTPS but the cookie is not marked Secure');
  if (config.isProduction && !config.cookieName.startsWith('__Host-')) warnings.push('In production the cookie name should start with __Host-');
  if (sameSite === 'none' && !configured.secure) warnings.push('SameSite=None without Secure: browsers reject this cookie');
  if (rememberMe && expiresAt === null) warnings.push('"Remember me" was chosen but the cookie is a browser-session cookie: it ends when the browser closes');
  if (!rememberMe && expiresAt !== null) warnings.push('"Remember me" was off but the cookie is persistent: it survives closing the browser');
  if (expiresAt !== null && typeof absoluteExpiresAt === 'number' && expiresAt.getTime() > absoluteExpiresAt + 1000) {
    warnings.push("The cookie's expiry is later than the session's absolute deadline: the server ends the session first");
  }

  return CookieExplanationSchema.parse({
    name: config.cookieName,
    httpOnly: cookie.httpOnly !== false,
    secure: cookie.secure === true,
    sameSite: sameSite === 'lax' || sameSite === 'strict' || sameSite === 'none' ? sameSite : null,
    path: cookie.path ?? '/',
    expiresAt: expiresAt?.toISOString() ?? null,
    server: {
      secureConfigured: configured.secure,
      trustProxy,
      requestIsSecure,
      idleTimeoutSeconds: config.idleTimeoutSeconds,
      rememberMeIdleTimeoutSeconds: config.rememberMeIdleTimeoutSeconds,
      absoluteTimeoutSeconds: config.absoluteTimeoutSeconds,
      touchAfterSeconds: config.touchAfterSeconds,
    },
    warnings,
  });
}

function signedInUserId(req: Request): string {
  const { userId } = req.session;
  if (!userId) throw unauthenticated();
  return userId;
}

/** The current session as stored; gone means it ended between loading and now. */
async function currentStoredSession(req: Request, directory: SessionDirectory): Promise<StoredSession> {
  const stored = await directory.findBySid(req.sessionID);
  if (!stored) throw unauthenticated();
  return stored;
}

function requestContext(req: Request) {
  return { device: parseDevice(req.get('user-agent')), ip: req.ip ?? null };
}

/** Mounted at /api/sessions. */
export function createSessionsRouter({ config, directory, activity, store }: SessionsRouterDeps): Router {
  const router = Router();
  const requireFreshAuth = createRequireFreshAuth(config);
  router.use(requireUser);

  router.get('/', async (req, res) => {
    const sessions = await directory.listForUser(signedInUserId(req));
    const body: SessionListResponse = { sessions: sessions.map((session) => toSessionView(session, req.sessionID)) };
    res.json(body);
  });

  router.get('/current', async (req, res) => {
    const stored = await currentStoredSession(req, directory);
    const body: CurrentSessionResponse = {
      session: toSessionView(stored, req.sessionID),
      data: maskSecrets(stored.data) as Record<string, unknown>,
      cookie: explainCookie(req, config),
    };
    res.json(body);
  });

  router.post('/current/extend', async (req, res) => {
    // The store caps `expires` at absoluteExpiresAt, so only the idle deadline can move.
    req.session.touch();
    await store.forceTouch(req.sessionID, req.session as Partial<SessionData>);
    const stored = await currentStoredSession(req, directory);
    const body: ExtendSessionResponse = { session: toSessionView(stored, req.sessionID) };
    res.json(body);
  });

  router.post('/revoke-others', requireFreshAuth, async (req, res) => {
    const userId = signedInUserId(req);
    const revoked = await directory.revokeAllForUser(userId, { exceptSid: req.sessionID, actor: 'self', reason: 'revoked' });
    if (revoked > 0) await activity.record({ userId, type: 'other_sessions_revoked', actor: 'self', ...requestContext(req) });
    const body: RevokeOthersResponse = { revoked };
    res.json(body);
  });

  router.delete('/:handle', async (req, res) => {
    const userId = signedInUserId(req);
    const { handle } = SessionHandleParamsSchema.parse(req.params);
    const target = await directory.findForUser(userId, handle);
    if (!target) throw notFound();

    if (target.sid === req.sessionID) {
      // Ending the session this request runs in is signing out.
      await directory.revoke(target.sid, { actor: 'self', reason: 'signed_out' });
      await destroySession(req);
      clearSessionCookie(res, config);
      res.set('Clear-Site-Data', '"cookies"');
      await activity.record({ userId, type: 'sign_out', actor: 'self', device: target.device, ip: target.ip });
    } else {
      await directory.revoke(target.sid, { actor: 'self', reason: 'revoked' });
      await activity.record({ userId, type: 'session_revoked', actor: 'self', device: target.device, ip: target.ip });
    }
    res.status(204).end();
  });

  return router;
}

import { Router } from 'express';
import type { Request } from 'express';
import { CookieExplanationSchema, RenameDeviceRequestSchema, SessionHandleParamsSchema } from '@gatehouse/types/sessions';
import type {
  CookieExplanation,
  CurrentSessionResponse,
  ExtendSessionResponse,
  RenameDeviceResponse,
  RevokeOthersResponse,
  SessionListResponse,
  SessionView,
} from '@gatehouse/types/sessions';
import type { Config } from '../config';
import type { KnownDevices } from '../devices/known-devices';
import type { Places } from '../location/places';
import { notFound, unauthenticated } from '../http/errors';
import type { SessionRecord, SessionRegistry } from './registry';
import { cookieOptions } from './cookie-session';
import { sessionCapOf } from './session-cap';
import { createRequireFreshAuth, requireUser, signedInUser } from './signed-in';
import { toSessionView } from './views';

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
  | 'maxSessionsPerAccount'
  | 'sessionLimitPolicy'
>;

export interface SessionsRouterDeps {
  config: SessionsConfig;
  registry: Pick<SessionRegistry, 'listForUser' | 'findForUser' | 'findBySid' | 'endSession' | 'endThisSession' | 'endAccountSessions' | 'refreshDeadline'>;
  devices: Pick<KnownDevices, 'labels' | 'labelKey' | 'rename'>;
  places: Pick<Places, 'locate'>;
}

const MASK = '••••';
const SECRET_KEY = /secret|token|password|hash|key/i;

/** The stored session as JSON, with anything that looks like a credential replaced (S26). */
export function maskSecrets(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? MASK : maskSecrets(inner)]));
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

/** Mounted at /api/sessions. */
export function createSessionsRouter({ config, registry, devices, places }: SessionsRouterDeps): Router {
  const router = Router();
  const requireFreshAuth = createRequireFreshAuth(config);
  router.use(requireUser);

  const viewsOf = async (records: SessionRecord[], currentSid: string): Promise<SessionView[]> => {
    const [labels, locations] = await Promise.all([
      devices.labels(records.flatMap((record) => (record.userId ? [{ userId: record.userId, deviceKey: record.deviceKey }] : []))),
      Promise.all(records.map((record) => places.locate(record.ip))),
    ]);
    return records.map((record, index) =>
      toSessionView(record, {
        currentSid,
        label: record.userId ? labels.get(devices.labelKey(record.userId, record.deviceKey)) : undefined,
        location: locations[index] ?? null,
      }),
    );
  };

  /** The current session as stored; gone means it ended between loading and now. */
  const currentRecord = async (req: Request): Promise<SessionRecord> => {
    const record = await registry.findBySid(signedInUser(req).sid);
    if (!record) throw unauthenticated();
    return record;
  };

  router.get('/', async (req, res) => {
    const { userId, sid } = signedInUser(req);
    const body: SessionListResponse = { sessions: await viewsOf(await registry.listForUser(userId), sid), cap: sessionCapOf(config) };
    res.json(body);
  });

  router.get('/current', async (req, res) => {
    const record = await currentRecord(req);
    const [session] = await viewsOf([record], record.sid);
    if (!session) throw unauthenticated();
    const body: CurrentSessionResponse = { session, data: maskSecrets(record.data) as Record<string, unknown>, cookie: explainCookie(req, config) };
    res.json(body);
  });

  router.post('/current/extend', async (req, res) => {
    // The store caps `expires` at absoluteExpiresAt, so only the idle deadline can move.
    req.session.touch();
    await registry.refreshDeadline(req);
    const [session] = await viewsOf([await currentRecord(req)], req.sessionID);
    if (!session) throw unauthenticated();
    const body: ExtendSessionResponse = { session };
    res.json(body);
  });

  router.post('/revoke-others', requireFreshAuth, async (req, res) => {
    const { userId, sid } = signedInUser(req);
    const revoked = await registry.endAccountSessions(userId, { reason: 'revoked', actor: 'self' }, { exceptSid: sid });
    const body: RevokeOthersResponse = { revoked };
    res.json(body);
  });

  router.patch('/:handle', async (req, res) => {
    const { userId, sid } = signedInUser(req);
    const { handle } = SessionHandleParamsSchema.parse(req.params);
    const { deviceName } = RenameDeviceRequestSchema.parse(req.body);
    const target = await registry.findForUser(userId, handle);
    if (!target) throw notFound();
    await devices.rename(userId, target.deviceKey, deviceName);
    const [session] = await viewsOf([target], sid);
    if (!session) throw notFound();
    const body: RenameDeviceResponse = { session };
    res.json(body);
  });

  router.delete('/:handle', async (req, res) => {
    const { userId, sid } = signedInUser(req);
    const { handle } = SessionHandleParamsSchema.parse(req.params);
    const target = await registry.findForUser(userId, handle);
    if (!target) throw notFound();

    if (target.sid === sid) {
      // Ending the session this request runs in is signing out.
      await registry.endThisSession(req, res, { reason: 'signed_out', actor: 'self' }, { forgetClient: true });
    } else {
      await registry.endSession(target.sid, { reason: 'revoked', actor: 'self' });
    }
    res.status(204).end();
  });

  return router;
}

import { Router } from 'express';
import type { Request, RequestHandler } from 'express';
import {
  ChangePasswordRequestSchema,
  LoginRequestSchema,
  ReauthRequestSchema,
  RegisterRequestSchema,
} from '@gatehouse/types/auth';
import type { ChangePasswordResponse, LoginResponse, MeResponse, RegisterResponse } from '@gatehouse/types/auth';
import type { ActivityLog } from '../activity/activity-log';
import type { LiveBus } from '../live/live-bus';
import type { Config } from '../config';
import { isDuplicateKeyError } from '../db/errors';
import { HttpError, invalidCredentials, tooManyRequests, unauthenticated, validationFailed } from '../http/errors';
import { parseDevice } from '../sessions/device';
import { clearSessionCookie, destroySession, requireUser } from '../sessions/session-middleware';
import type { GatehouseSessionStore } from '../sessions/store';
import { toUserView } from '../users/user-model';
import type { UserModel } from '../users/user-model';
import type { PasswordHasher } from './passwords';
import { passwordProblem } from './password-policy';
import { beginSession, rotateSession, sessionSummary } from './sign-in';
import type { LoginThrottle } from './throttle';

export interface AuthRouterDeps {
  config: Pick<Config, 'cookieName' | 'isProduction' | 'absoluteTimeoutSeconds' | 'rememberMeIdleTimeoutSeconds'>;
  store: GatehouseSessionStore;
  users: UserModel;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  activity: Pick<ActivityLog, 'record'>;
  live: Pick<LiveBus, 'publishToSession'>;
  requireFreshAuth: RequestHandler;
  /** Ends every session of the account except one; returns how many ended. */
  endOtherSessions(userId: string, exceptSid: string, reason: string): Promise<number>;
}

const accountDisabled = () =>
  new HttpError(403, 'account_disabled', 'This account has been disabled. Contact an administrator.');

function clientIp(req: Request): string {
  return req.ip ?? 'unknown';
}

export function createAuthRouter(deps: AuthRouterDeps): Router {
  const { config, store, users, hasher, throttle, activity, live, requireFreshAuth } = deps;
  const router = Router();

  const context = (req: Request) => ({ device: parseDevice(req.get('user-agent')), ip: req.ip ?? null });

  /** One structured line per auth event (S30): ids only, never an email, password or cookie. */
  const logAuthEvent = (req: Request, authEvent: string, userId?: string) => {
    req.log.info({ authEvent, ...(userId ? { userId } : {}) }, `auth: ${authEvent}`);
  };

  /** Failed sign-ins are recorded for the owner to see, off the response path so timing stays alike (S18). */
  const recordQuietly = (req: Request, event: Parameters<ActivityLog['record']>[0]) => {
    activity.record(event).catch((error: unknown) => req.log.warn({ err: { message: String(error) } }, 'could not record activity'));
  };

  const checkThrottle = async (req: Request, email: string, ip: string) => {
    const wait = await throttle.retryAfter(email, ip);
    if (wait === null) return;
    logAuthEvent(req, 'throttled');
    throw tooManyRequests(wait);
  };

  router.post('/register', async (req, res) => {
    const input = RegisterRequestSchema.parse(req.body);
    const problem = passwordProblem(input.password, { email: input.email });
    if (problem) throw validationFailed({ password: problem });
    const wait = await throttle.consumeRegistration(clientIp(req));
    if (wait !== null) throw tooManyRequests(wait);

    const passwordHash = await hasher.hash(input.password);
    let created;
    try {
      created = await users.create({ name: input.name, email: input.email, passwordHash, role: 'user', disabledAt: null });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new HttpError(409, 'email_taken', 'An account with this email already exists.');
      throw error;
    }
    const user = toUserView(created);
    await beginSession(req, { store, config, user, rememberMe: false });
    await activity.record({ userId: user.id, type: 'registered', ...context(req) });
    logAuthEvent(req, 'registered', user.id);
    const body: RegisterResponse = { user };
    res.status(201).json(body);
  });

  router.post('/login', async (req, res) => {
    const input = LoginRequestSchema.parse(req.body);
    const ip = clientIp(req);
    await checkThrottle(req, input.email, ip);

    const account = await users.findOne({ email: input.email }).exec();
    if (!account) {
      await hasher.verifyAgainstDummy(input.password);
      await throttle.recordFailure(input.email, ip);
      logAuthEvent(req, 'sign_in_failed');
      throw invalidCredentials();
    }
    if (!(await hasher.verify(account.passwordHash, input.password))) {
      await throttle.recordFailure(input.email, ip);
      recordQuietly(req, { userId: account.id, type: 'sign_in_failed', ...context(req) });
      logAuthEvent(req, 'sign_in_failed', account.id);
      throw invalidCredentials();
    }
    if (account.disabledAt) {
      logAuthEvent(req, 'sign_in_refused_disabled', account.id);
      throw accountDisabled();
    }

    await throttle.recordSuccess(input.email, ip);
    const user = toUserView(account);
    await beginSession(req, { store, config, user, rememberMe: input.rememberMe });
    await activity.record({ userId: user.id, type: 'sign_in', ...context(req) });
    logAuthEvent(req, 'sign_in', user.id);
    const body: LoginResponse = { user };
    res.json(body);
  });

  router.post('/logout', async (req, res) => {
    const { userId } = req.session;
    if (userId) {
      const sid = req.sessionID;
      await destroySession(req);
      live.publishToSession(sid, { type: 'session_ended', reason: 'signed_out' });
      await activity.record({ userId, type: 'sign_out', ...context(req) });
      logAuthEvent(req, 'sign_out', userId);
    }
    clearSessionCookie(res, config);
    res.set('Clear-Site-Data', '"cookies"');
    res.status(204).end();
  });

  router.get('/me', requireUser, (req, res) => {
    const { user } = req.session;
    if (!user) throw unauthenticated();
    const body: MeResponse = { user, session: sessionSummary(req, store) };
    res.json(body);
  });

  /** Proves the password again (sudo mode, S13) and moves the session to a new id (S4). */
  router.post('/reauth', requireUser, async (req, res) => {
    const input = ReauthRequestSchema.parse(req.body);
    const { user } = req.session;
    if (!user) throw unauthenticated();
    const ip = clientIp(req);
    await checkThrottle(req, user.email, ip);
    const account = await users.findById(user.id).exec();
    if (!account || !(await hasher.verify(account.passwordHash, input.password))) {
      await throttle.recordFailure(user.email, ip);
      logAuthEvent(req, 'reauth_failed', user.id);
      throw invalidCredentials();
    }
    await throttle.recordSuccess(user.email, ip);
    await rotateSession(req, { store, config });
    logAuthEvent(req, 'reauth', user.id);
    const body: MeResponse = { user: req.session.user ?? user, session: sessionSummary(req, store) };
    res.json(body);
  });

  router.post('/password', requireUser, requireFreshAuth, async (req, res) => {
    const input = ChangePasswordRequestSchema.parse(req.body);
    const { user } = req.session;
    if (!user) throw unauthenticated();
    const ip = clientIp(req);
    await checkThrottle(req, user.email, ip);
    const account = await users.findById(user.id).exec();
    if (!account || !(await hasher.verify(account.passwordHash, input.currentPassword))) {
      await throttle.recordFailure(user.email, ip);
      logAuthEvent(req, 'password_change_failed', user.id);
      throw invalidCredentials();
    }
    const problem = passwordProblem(input.newPassword, { email: account.email });
    if (problem) throw validationFailed({ newPassword: problem });

    account.passwordHash = await hasher.hash(input.newPassword);
    await account.save();
    await throttle.recordSuccess(user.email, ip);
    await rotateSession(req, { store, config });
    const endedSessions = await deps.endOtherSessions(user.id, req.sessionID, 'password_changed');
    await activity.record({ userId: user.id, type: 'password_changed', ...context(req) });
    logAuthEvent(req, 'password_changed', user.id);
    const body: ChangePasswordResponse = { endedSessions };
    res.json(body);
  });

  return router;
}

import { Router } from 'express';
import type { Request, RequestHandler } from 'express';
import { ChangePasswordRequestSchema, LoginRequestSchema, ReauthRequestSchema } from '@gatehouse/types/auth';
import type { ChangePasswordResponse, LoginResponse, MeResponse } from '@gatehouse/types/auth';
import type { SecondFactorRequiredResponse } from '@gatehouse/types/second-factor';
import type { ActivityLog } from '../activity/activity-log';
import type { Config } from '../config';
import { presentedDeviceKey } from '../devices/device-cookie';
import type { KnownDevices } from '../devices/known-devices';
import { accountDisabled, HttpError, invalidCredentials, validationFailed, wrongPassword } from '../http/errors';
import { parseDevice } from '../sessions/device';
import type { AccountState, SessionRegistry } from '../sessions/registry';
import { becomeAnonymous, forgetClientState, requireUser, signedInUser, signedInUserOf } from '../sessions/session-middleware';
import { sessionSummary } from '../sessions/views';
import { accountStateOf } from '../users/accounts';
import type { AccountChanges } from '../users/accounts';
import type { UserModel } from '../users/user-model';
import type { PasswordHasher } from './passwords';
import { passwordProblem } from './password-policy';
import type { SignIn } from './sign-in';
import { settleAttempt } from './attempt-budget';
import type { Attempt } from './attempt-budget';
import type { LoginThrottle } from './throttle';

export interface AuthRouterDeps {
  config: Pick<Config, 'cookieName' | 'deviceCookieName' | 'sessionSecrets' | 'isProduction'>;
  registry: Pick<SessionRegistry, 'rotate' | 'endSession' | 'cancelPending' | 'store'>;
  users: UserModel;
  accounts: Pick<AccountChanges, 'changePassword'>;
  devices: Pick<KnownDevices, 'isKnown'>;
  /** New session, device cookie, device remembered (auth/sign-in.ts): shared with the link sign-in. */
  signIn: SignIn;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  activity: Pick<ActivityLog, 'record'>;
  requireFreshAuth: RequestHandler;
  /** After a right password: a pending sign-in for an account with a second factor (second-factor/second-step.ts). */
  secondStep: { begin(req: Request, account: AccountState, options: { rememberMe: boolean }): Promise<SecondFactorRequiredResponse | null> };
}

function clientIp(req: Request): string {
  return req.ip ?? 'unknown';
}

/** Settles the throttle's attempt with the outcome of the password check, whatever happens during it. */
function checkedPassword(attempt: Attempt, check: () => Promise<boolean>): Promise<boolean> {
  return settleAttempt(attempt, check, (isValid) => isValid);
}

export function createAuthRouter(deps: AuthRouterDeps): Router {
  const { config, registry, users, accounts, devices, signIn, hasher, throttle, activity, requireFreshAuth, secondStep } = deps;
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

  const beginPasswordCheck = async (req: Request, key: Parameters<LoginThrottle['beginPasswordCheck']>[0]) => {
    try {
      return await throttle.beginPasswordCheck(key);
    } catch (error) {
      if (error instanceof HttpError && error.status === 429) logAuthEvent(req, 'throttled');
      throw error;
    }
  };

  router.post('/login', async (req, res) => {
    const input = LoginRequestSchema.parse(req.body);
    const account = await users.findOne({ email: input.email }).exec();
    const presentedKey = presentedDeviceKey(req, config);
    const isKnownDevice = account !== null && presentedKey !== null && (await devices.isKnown(account.id as string, presentedKey));
    const attempt = await beginPasswordCheck(req, { email: input.email, ip: clientIp(req), knownDeviceKey: isKnownDevice ? presentedKey : null });

    const isValid = await checkedPassword(attempt, () =>
      account ? hasher.verify(account.passwordHash, input.password) : hasher.verifyAgainstDummy(input.password),
    );
    if (!account || !isValid) {
      if (account) recordQuietly(req, { userId: account.id as string, type: 'sign_in_failed', ...context(req) });
      logAuthEvent(req, 'sign_in_failed', account?.id as string | undefined);
      throw invalidCredentials();
    }
    const state = accountStateOf(account);
    if (state.isDisabled) {
      logAuthEvent(req, 'sign_in_refused_disabled', state.user.id);
      throw accountDisabled();
    }

    const pending = await secondStep.begin(req, state, { rememberMe: input.rememberMe });
    if (pending) {
      logAuthEvent(req, 'second_factor_required', state.user.id);
      res.json(pending);
      return;
    }

    await signIn(req, res, state, { rememberMe: input.rememberMe, authMethods: ['password'] });
    await activity.record({ userId: state.user.id, type: 'sign_in', authMethods: ['password'], ...context(req) });
    logAuthEvent(req, 'sign_in', state.user.id);
    const body: LoginResponse = { user: state.user };
    res.json(body);
  });

  router.post('/logout', async (req, res) => {
    const person = signedInUserOf(req);
    if (person) {
      await registry.endSession(person.sid, { reason: 'signed_out', actor: 'self' }, { isHolderTold: true });
      await becomeAnonymous(req);
      logAuthEvent(req, 'sign_out', person.userId);
    } else {
      await registry.cancelPending(req);
    }
    forgetClientState(res, config);
    res.status(204).end();
  });

  router.get('/me', requireUser, (req, res) => {
    const body: MeResponse = { user: signedInUser(req).user, session: sessionSummary(req, registry.store) };
    res.json(body);
  });

  /** Proves the password again (sudo mode, S13) and moves the session to a new id (S4). */
  router.post('/reauth', requireUser, async (req, res) => {
    const person = signedInUser(req);
    const input = ReauthRequestSchema.parse(req.body);
    const attempt = await beginPasswordCheck(req, { email: person.user.email, ip: clientIp(req), knownDeviceKey: person.deviceKey });
    const account = await users.findById(person.userId).exec();
    const isValid = await checkedPassword(attempt, async () => account !== null && (await hasher.verify(account.passwordHash, input.password)));
    if (!account || !isValid) {
      logAuthEvent(req, 'reauth_failed', person.userId);
      throw wrongPassword();
    }
    const state = accountStateOf(account);
    if (state.isDisabled) throw accountDisabled();
    await registry.rotate(req, { account: state, isProof: true });
    logAuthEvent(req, 'reauth', person.userId);
    const body: MeResponse = { user: state.user, session: sessionSummary(req, registry.store) };
    res.json(body);
  });

  router.post('/password', requireUser, requireFreshAuth, async (req, res) => {
    const person = signedInUser(req);
    const input = ChangePasswordRequestSchema.parse(req.body);
    const attempt = await beginPasswordCheck(req, { email: person.user.email, ip: clientIp(req), knownDeviceKey: person.deviceKey });
    const account = await users.findById(person.userId).exec();
    const isValid = await checkedPassword(attempt, async () => account !== null && (await hasher.verify(account.passwordHash, input.currentPassword)));
    if (!account || !isValid) {
      logAuthEvent(req, 'password_change_failed', person.userId);
      throw wrongPassword('The current password is not correct.');
    }
    const problem = passwordProblem(input.newPassword, { email: account.email });
    if (problem) throw validationFailed({ newPassword: problem });

    const { endedSessions, account: changed } = await accounts.changePassword(person.userId, await hasher.hash(input.newPassword), person.sid);
    // This session was kept through the change, at the account's new version.
    await registry.rotate(req, { account: changed, isProof: true, expectedVersion: changed.version });
    logAuthEvent(req, 'password_changed', person.userId);
    const body: ChangePasswordResponse = { endedSessions };
    res.json(body);
  });

  return router;
}

import type { Request, Response } from 'express';
import type { SecondFactorMethod } from '@gatehouse/types/second-factor';
import type { Assurance, AuthMethod, SessionChoice, SessionLimitResolveRequest } from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';
import type { PasswordHasher } from '../auth/passwords';
import type { BreachedPasswords } from '../breached-passwords/range-lookup';
import type { Config } from '../config';
import { deviceIdentity, issueDeviceCookie, presentedDeviceKey } from '../devices/device-cookie';
import type { KnownDevices } from '../devices/known-devices';
import type { DeviceBindingService } from '../device-binding/device-binding';
import {
  accountChanged,
  accountDisabled,
  emailUnverified,
  HttpError,
  invalidCode,
  invalidCredentials,
  reauthPasskeyRequired,
  reauthSecondFactorRequired,
  sessionLimitReached,
  sessionLimitTicketInvalid,
  unauthenticated,
  wrongPassword,
} from '../http/errors';
import type { PasskeyStore } from '../passkeys/passkey-store';
import type { CodeMatch, SecondFactors } from '../second-factor/second-factors';
import { assuranceOf } from '../sessions/assurance';
import { seenFrom } from '../sessions/device';
import type { SeenFrom } from '../sessions/device';
import type { AccountState, SessionRecord, SessionRegistry } from '../sessions/registry';
import { SessionLimitReached } from '../sessions/session-cap';
import { settleAttempt } from '../throttle/attempt-budget';
import { checkedCode } from '../throttle/code-throttle';
import type { CodeThrottle } from '../throttle/code-throttle';
import type { LoginThrottle } from '../throttle/login-throttle';
import type { AccountDirectory } from '../users/accounts';
import type { SessionLimitTickets } from './session-limit-tickets';

export interface SignInAuthorityDeps {
  config: Pick<Config, 'deviceCookieName' | 'sessionSecrets' | 'isProduction' | 'requireVerifiedEmail' | 'secondFactorTimeoutSeconds'>;
  registry: Pick<SessionRegistry, 'start' | 'startPending' | 'rotate' | 'findForUser' | 'endSession'>;
  accounts: Pick<AccountDirectory, 'credentialsByEmail' | 'credentialsById'>;
  hasher: Pick<PasswordHasher, 'verify' | 'verifyAgainstDummy'>;
  /** Sign-in looks the password up in breach corpora while it is hashed (S48). */
  breaches: Pick<BreachedPasswords, 'check'>;
  passwordThrottle: Pick<LoginThrottle, 'beginPasswordCheck'>;
  codeThrottle: Pick<CodeThrottle, 'beginCodeCheck'>;
  secondFactors: Pick<SecondFactors, 'isEnabled' | 'matchCode' | 'spendCode'>;
  passkeys: Pick<PasskeyStore, 'countForUser'>;
  devices: Pick<KnownDevices, 'isKnown' | 'recordSignIn' | 'countForUser'>;
  activity: Pick<ActivityLog, 'record'>;
  /** Sign-ins refused at the session cap (SESSION_LIMIT_POLICY=refuse), waiting for the person to end a session. */
  sessionLimitTickets: Pick<SessionLimitTickets, 'issue' | 'take'>;
  /** Asks the browser to bind each new session to a device key (browsers without DBSC ignore it). */
  deviceBinding: Pick<DeviceBindingService, 'offer'>;
  /** A browser the account had never used, and not its first: the owner gets a mail. */
  onNewDevice(account: AccountState, seen: SeenFrom & { at: Date }): Promise<void>;
  /** REQUIRE_VERIFIED_EMAIL refused a sign-in: a fresh link goes to the address. */
  onUnverified(account: AccountState): Promise<void>;
}

/**
 * What proved a sign-in. `assurance` is a level vouched for elsewhere (a provider's `amr: mfa`): it can
 * raise the session of an account without a second factor, never replace the account's own second step.
 */
export interface SignInProof {
  authMethods: AuthMethod[];
  rememberMe: boolean;
  signInProvider?: string | undefined;
  assurance?: Assurance | undefined;
  /** The password given is in a breach corpus (S48): the session says so. */
  passwordBreached?: boolean | undefined;
}

export type PasswordPurpose = 'sign_in' | 'reauth' | 'password_change';

/** Who the password is checked for: a person signing in names an address; a signed-in one is known by id. */
export type PasswordSubject = { email: string } | { userId: string; deviceKey: string | null };

/** How a sign-in ended: a session, or a pending sign-in waiting for the account's second factor. */
export type SignInOutcome =
  { kind: 'signed_in'; account: AccountState } | { kind: 'second_factor_required'; account: AccountState; methods: SecondFactorMethod[] };

export type SignInAuthority = ReturnType<typeof createSignInAuthority>;

const FAILED_EVENT: Record<PasswordPurpose, string> = { sign_in: 'sign_in_failed', reauth: 'reauth_failed', password_change: 'password_change_failed' };

/** One of the account's sessions as a refused sign-in offers it to be ended. */
function toSessionChoice(record: SessionRecord): SessionChoice {
  return {
    handle: record.handle,
    device: record.device,
    ip: record.ip,
    createdAt: record.createdAt.toISOString(),
    lastActiveAt: record.lastActiveAt.toISOString(),
  };
}

/** One structured line per auth event (S30): ids only, never an email, password or cookie. */
export function logAuthEvent(req: Request, authEvent: string, details: { userId?: string; authMethods?: AuthMethod[] } = {}): void {
  req.log.info({ authEvent, ...details }, `auth: ${authEvent}`);
}

/**
 * The one module that decides how well a person is proven and what that proof may open (S41–S44).
 * Every path that creates or raises a session goes through it: the password (`checkPassword`), codes
 * (`checkCode`), finishing a sign-in whatever proved it (`finish`: an account with a second factor gets a
 * pending sign-in until the proofs reach `aal2`, never a weaker session), and re-authentication
 * (`reauthenticate`, `stepUp`), which must prove the account's strongest level.
 */
export function createSignInAuthority(deps: SignInAuthorityDeps) {
  const {
    config,
    registry,
    accounts,
    hasher,
    breaches,
    passwordThrottle,
    codeThrottle,
    secondFactors,
    passkeys,
    devices,
    activity,
    sessionLimitTickets,
    deviceBinding,
    onNewDevice,
    onUnverified,
  } = deps;

  /** Failed proofs are recorded for the owner to see, off the response path so timing stays alike (S18). */
  const recordQuietly = (req: Request, event: Parameters<ActivityLog['record']>[0]) => {
    activity.record(event).catch((error: unknown) => req.log.warn({ err: { message: String(error) } }, 'could not record activity'));
  };

  /** The account's second factors, as the second step offers them (empty: one factor is all it has). */
  async function methodsOf(userId: string): Promise<SecondFactorMethod[]> {
    const [hasTotp, passkeyCount] = await Promise.all([secondFactors.isEnabled(userId), passkeys.countForUser(userId)]);
    return [...(hasTotp ? (['totp', 'recovery_code'] as const) : []), ...(passkeyCount > 0 ? (['passkey'] as const) : [])];
  }

  /** The browser's device key if it signed in to this account before (its own throttle budgets, S32/S44). */
  async function knownDeviceOf(req: Request, userId: string): Promise<string | null> {
    const presented = presentedDeviceKey(req, config);
    return presented !== null && (await devices.isKnown(userId, presented)) ? presented : null;
  }

  /**
   * The one password check. The throttle takes its points before the hash is computed (S32); an unknown
   * address costs the same hashing as a known one (S18). Returns the account on the right password.
   */
  async function checkPassword(req: Request, subject: PasswordSubject, password: string, purpose: PasswordPurpose): Promise<AccountState> {
    return (await provePassword(req, subject, password, purpose, { lookUpBreach: false })).account;
  }

  /**
   * Sign-in's password check, with the breached-password look-up (S48) running while the hash is computed,
   * so it adds to the response only what it takes beyond the hashing. It starts once the throttle admitted
   * the attempt (so guessing cannot drive look-ups past the limits), and only a right password waits for
   * it: a wrong one answers as fast as before, whatever the range API does.
   */
  async function checkSignInPassword(req: Request, email: string, password: string): Promise<{ account: AccountState; passwordBreached: boolean }> {
    return provePassword(req, { email }, password, 'sign_in', { lookUpBreach: true });
  }

  async function provePassword(
    req: Request,
    subject: PasswordSubject,
    password: string,
    purpose: PasswordPurpose,
    { lookUpBreach }: { lookUpBreach: boolean },
  ): Promise<{ account: AccountState; passwordBreached: boolean }> {
    const credentials = 'email' in subject ? await accounts.credentialsByEmail(subject.email) : await accounts.credentialsById(subject.userId);
    if (!credentials && 'userId' in subject) throw unauthenticated();
    const userId = credentials?.account.user.id;
    const email = 'email' in subject ? subject.email : (credentials?.account.user.email ?? '');
    const knownDeviceKey = 'deviceKey' in subject ? subject.deviceKey : userId ? await knownDeviceOf(req, userId) : null;

    let attempt;
    try {
      attempt = await passwordThrottle.beginPasswordCheck({ email, ip: req.ip ?? 'unknown', knownDeviceKey });
    } catch (error) {
      if (error instanceof HttpError && error.status === 429) logAuthEvent(req, 'throttled');
      throw error;
    }
    // Never rejects (a failed look-up is `unknown`), so leaving it unawaited on a wrong password is safe.
    const breachVerdict = lookUpBreach ? breaches.check(password) : null;
    const isValid = await settleAttempt(
      attempt,
      // No account, or one without a password (made through a provider): the same hashing, and a failure.
      () => (credentials?.passwordHash ? hasher.verify(credentials.passwordHash, password) : hasher.verifyAgainstDummy(password).then(() => false)),
      (valid) => valid,
    );
    if (!credentials || !isValid) {
      if (credentials && purpose === 'sign_in') recordQuietly(req, { userId: credentials.account.user.id, type: 'sign_in_failed', ...seenFrom(req) });
      logAuthEvent(req, FAILED_EVENT[purpose], userId ? { userId } : {});
      if (purpose === 'sign_in') throw invalidCredentials();
      throw wrongPassword(purpose === 'password_change' ? 'The current password is not correct.' : undefined);
    }
    const passwordBreached = breachVerdict !== null && (await breachVerdict) === 'breached';
    if (passwordBreached) logAuthEvent(req, 'breached_password_signed_in', { userId: credentials.account.user.id });
    return { account: credentials.account, passwordBreached };
  }

  /**
   * An authenticator-app or recovery code, throttled per account, address, pending sign-in and known
   * browser (S36, S44). The match spends nothing: the caller spends it once it owns the outcome.
   */
  async function checkCode(
    req: Request,
    userId: string,
    code: string,
    { pendingSignIn = null, deviceKey }: { pendingSignIn?: string | null; deviceKey?: string | null } = {},
  ) {
    const knownDeviceKey = deviceKey !== undefined ? deviceKey : await knownDeviceOf(req, userId);
    const attempt = await codeThrottle.beginCodeCheck({ userId, ip: req.ip ?? 'unknown', pendingSignIn, knownDeviceKey });
    return checkedCode<CodeMatch>(attempt, () => secondFactors.matchCode(userId, code));
  }

  /** A new session for a proof that reached the account's level (S3), with the browser's device cookie. */
  async function startSession(
    req: Request,
    res: Response,
    account: AccountState,
    { authMethods, rememberMe, signInProvider, assurance: asserted, passwordBreached }: SignInProof,
  ) {
    // A link from the mail proves the address; any other proof needs it proven before, if so configured.
    if (config.requireVerifiedEmail && !account.user.emailVerified && !authMethods.includes('email_link')) {
      await onUnverified(account);
      throw emailUnverified();
    }
    const identity = deviceIdentity(req, config);
    const seen = seenFrom(req);
    const assurance = asserted === 'aal2' ? 'aal2' : assuranceOf(authMethods);
    // A one-factor session is only as good as the account's "no second factor" when it lands: one
    // enrolled between the check in `finish` and the insert takes the new session back (S41).
    const isStillEnough = assuranceOf(authMethods) === 'aal1' ? async () => (await methodsOf(account.user.id)).length === 0 : undefined;
    try {
      await registry.start(req, {
        account,
        authMethods,
        assurance,
        signInProvider,
        rememberMe,
        passwordBreached: passwordBreached === true,
        deviceKey: identity.key,
        ...seen,
        ...(isStillEnough ? { isStillEnough } : {}),
      });
    } catch (error) {
      if (!(error instanceof SessionLimitReached)) throw error;
      // The proof is complete: the browser may keep it, for one choice of a session to end.
      issueDeviceCookie(res, identity, config);
      const { ticket, expiresAt } = await sessionLimitTickets.issue({
        userId: account.user.id,
        accountVersion: account.version,
        deviceKey: identity.key,
        authMethods,
        rememberMe,
        signInProvider,
        assurance: asserted,
      });
      logAuthEvent(req, 'sign_in_refused_session_limit', { userId: account.user.id, authMethods });
      throw sessionLimitReached({ max: error.max, ticket, expiresAt: expiresAt.toISOString(), sessions: error.others.map(toSessionChoice) });
    }
    issueDeviceCookie(res, identity, config);
    deviceBinding.offer(req, res);
    const { isNew } = await devices.recordSignIn(account.user.id, identity.key, seen);
    if (isNew && (await devices.countForUser(account.user.id)) > 1) await onNewDevice(account, { ...seen, at: new Date() });
    await activity.record({ userId: account.user.id, type: 'sign_in', authMethods, ...(signInProvider ? { providerName: signInProvider } : {}), ...seen });
    logAuthEvent(req, 'sign_in', { userId: account.user.id, authMethods });
  }

  /**
   * The one way a sign-in ends, whatever proved it (password, second step, passkey, e-mailed link, and
   * anything added later). Proofs short of `aal2` on an account with a second factor start a pending
   * sign-in that grants nothing (S37, S41); the second step completes it through here again.
   */
  async function finish(req: Request, res: Response, account: AccountState, proof: SignInProof): Promise<SignInOutcome> {
    if (account.isDisabled) {
      logAuthEvent(req, 'sign_in_refused_disabled', { userId: account.user.id });
      throw accountDisabled();
    }
    if (assuranceOf(proof.authMethods) === 'aal1') {
      const methods = await methodsOf(account.user.id);
      if (methods.length > 0) {
        await registry.startPending(req, {
          userId: account.user.id,
          accountVersion: account.version,
          authMethods: proof.authMethods,
          methods,
          rememberMe: proof.rememberMe,
          ...(proof.signInProvider ? { signInProvider: proof.signInProvider } : {}),
          ...(proof.passwordBreached ? { passwordBreached: true } : {}),
          expiresAt: Date.now() + config.secondFactorTimeoutSeconds * 1000,
        });
        logAuthEvent(req, 'second_factor_required', { userId: account.user.id, authMethods: proof.authMethods });
        return { kind: 'second_factor_required', account, methods };
      }
    }
    await startSession(req, res, account, proof);
    return { kind: 'signed_in', account };
  }

  return {
    methodsOf,
    checkPassword,
    checkSignInPassword,
    checkCode,

    /** Spends a matched code; false when another request spent it first (a replay lost the race). */
    spendCode: (match: CodeMatch) => secondFactors.spendCode(match),

    finish,

    /**
     * A sign-in refused at the session cap goes on (SESSION_LIMIT_POLICY=refuse): the ticket, taken once,
     * in the browser that proved the sign-in and while the account is as it was proven, ends the session
     * the person chose and finishes the sign-in with the proof it was given for. The cap is checked
     * again on the way (a sign-in elsewhere may have taken the freed place: 409 with a new ticket).
     */
    async finishAfterChoice(req: Request, res: Response, { ticket, endSession }: SessionLimitResolveRequest): Promise<SignInOutcome> {
      const proven = await sessionLimitTickets.take(ticket);
      if (!proven || proven.deviceKey !== presentedDeviceKey(req, config)) throw sessionLimitTicketInvalid();
      const credentials = await accounts.credentialsById(proven.userId);
      if (!credentials) throw sessionLimitTicketInvalid();
      const { account } = credentials;
      if (account.isDisabled) throw accountDisabled();
      if (account.version !== proven.accountVersion) throw accountChanged();
      // Another account's handle, or a session that ended meanwhile, ends nothing: the cap still decides.
      const chosen = await registry.findForUser(account.user.id, endSession);
      if (chosen) await registry.endSession(chosen.sid, { reason: 'revoked', actor: 'self' });
      return finish(req, res, account, {
        authMethods: proven.authMethods,
        rememberMe: proven.rememberMe,
        signInProvider: proven.signInProvider,
        assurance: proven.assurance,
      });
    },

    /**
     * Re-authentication with the password (sudo mode, S13): it must prove the account's strongest level
     * (S42). With an authenticator app the code comes along; with passkeys only, the passkey does it.
     * The session moves to a new id (S4), fresh at the level proven.
     */
    async reauthenticate(
      req: Request,
      person: { userId: string; deviceKey: string | null },
      input: { password: string; code?: string | undefined },
    ): Promise<AccountState> {
      const account = await checkPassword(req, { userId: person.userId, deviceKey: person.deviceKey }, input.password, 'reauth');
      const methods = await methodsOf(person.userId);
      let proof: Assurance = 'aal1';
      if (methods.includes('totp')) {
        if (input.code === undefined) throw reauthSecondFactorRequired();
        const match = await checkCode(req, person.userId, input.code, { deviceKey: person.deviceKey });
        if (!match || !(await secondFactors.spendCode(match))) {
          logAuthEvent(req, 'reauth_failed', { userId: person.userId });
          throw invalidCode();
        }
        proof = 'aal2';
      } else if (methods.includes('passkey')) {
        throw reauthPasskeyRequired();
      }
      if (account.isDisabled) throw accountDisabled();
      await registry.rotate(req, { account, proof });
      logAuthEvent(req, 'reauth', { userId: person.userId });
      return account;
    },

    /**
     * A proof made elsewhere (a passkey, a password change) refreshes the session at its level. A password
     * change passes `passwordBreached: false`: the breached password is no longer the account's.
     */
    async stepUp(
      req: Request,
      account: AccountState,
      proof: Assurance,
      { expectedVersion, passwordBreached }: { expectedVersion?: number; passwordBreached?: boolean } = {},
    ): Promise<void> {
      if (account.isDisabled) throw accountDisabled();
      await registry.rotate(req, {
        account,
        proof,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
        ...(passwordBreached === undefined ? {} : { passwordBreached }),
      });
    },
  };
}

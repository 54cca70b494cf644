import { Router } from 'express';
import type { Request } from 'express';
import { SecondFactorLoginRequestSchema } from '@gatehouse/types/second-factor';
import type {
  SecondFactorLoginResponse,
  SecondFactorMethod,
  SecondFactorPasskeyOptionsResponse,
  SecondFactorRequiredResponse,
} from '@gatehouse/types/second-factor';
import type { AuthMethod } from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';
import type { SignIn } from '../auth/sign-in';
import { seenFrom } from '../auth/sign-in';
import type { Config } from '../config';
import { accountChanged, accountDisabled, invalidCode, signInExpired } from '../http/errors';
import type { PasskeyAssertions } from '../passkeys/assertions';
import type { PasskeyStore } from '../passkeys/passkey-store';
import type { RelyingParty } from '../passkeys/relying-party';
import type { AccountSource, AccountState, SessionRegistry } from '../sessions/registry';
import type { PendingSignIn } from '../sessions/session-data';
import { checkedCode } from './code-throttle';
import type { CodeThrottle } from './code-throttle';
import type { SecondFactorNotices } from './notices';
import type { SecondFactors } from './second-factors';

export interface SecondStepDeps {
  config: Pick<Config, 'secondFactorTimeoutSeconds'>;
  registry: Pick<SessionRegistry, 'startPending' | 'pendingSignInOf' | 'claimPending'>;
  accounts: Pick<AccountSource, 'load'>;
  secondFactors: Pick<SecondFactors, 'isEnabled' | 'useCode' | 'status'>;
  passkeys: Pick<PasskeyStore, 'countForUser' | 'credentialsOf'>;
  assertions: PasskeyAssertions;
  relyingParty: Pick<RelyingParty, 'authenticationOptions'>;
  throttle: Pick<CodeThrottle, 'beginCodeCheck'>;
  activity: Pick<ActivityLog, 'record'>;
  notices: SecondFactorNotices;
  signIn: SignIn;
}

export type SecondStep = ReturnType<typeof createSecondStep>;

/**
 * The second step of a password sign-in. `begin` runs after a right password: an account with an
 * authenticator app or a passkey gets a pending sign-in that grants nothing (S37); the router completes
 * it with a code or a passkey, once, into a brand-new session (S3), provided the account has not
 * changed since the password was checked (S31).
 */
export function createSecondStep(deps: SecondStepDeps) {
  const { config, registry, accounts, secondFactors, passkeys, assertions, relyingParty, throttle, activity, notices, signIn } = deps;

  async function methodsOf(userId: string): Promise<SecondFactorMethod[]> {
    const [hasTotp, passkeyCount] = await Promise.all([secondFactors.isEnabled(userId), passkeys.countForUser(userId)]);
    return [...(hasTotp ? (['totp', 'recovery_code'] as const) : []), ...(passkeyCount > 0 ? (['passkey'] as const) : [])];
  }

  /** The pending sign-in of this request, or 401: expired, never started, or already used. */
  function pendingOf(req: Request): PendingSignIn {
    const pending = registry.pendingSignInOf(req);
    if (!pending) throw signInExpired();
    return pending;
  }

  /** The account as it must still be: not disabled, and at the version the password was checked against. */
  async function unchangedAccount(pending: PendingSignIn): Promise<AccountState> {
    const account = await accounts.load(pending.userId);
    if (!account) throw signInExpired();
    if (account.isDisabled) throw accountDisabled();
    if (account.version !== pending.accountVersion) throw accountChanged();
    return account;
  }

  const router = Router();

  router.post('/passkey-options', async (req, res) => {
    const pending = pendingOf(req);
    if (!pending.methods.includes('passkey')) throw signInExpired();
    const options = await relyingParty.authenticationOptions('second_factor', pending.userId, await passkeys.credentialsOf(pending.userId));
    const body: SecondFactorPasskeyOptionsResponse = { options };
    res.json(body);
  });

  router.post('/', async (req, res) => {
    const pending = pendingOf(req);
    const input = SecondFactorLoginRequestSchema.parse(req.body);
    const seen = seenFrom(req);
    let method: AuthMethod;
    if ('code' in input) {
      const attempt = await throttle.beginCodeCheck({ userId: pending.userId, ip: req.ip ?? 'unknown' });
      const kind = await checkedCode(attempt, () => secondFactors.useCode(pending.userId, input.code));
      if (!kind) {
        // A failed sign-in like a wrong password; its methods say it failed at the second step.
        await activity.record({ userId: pending.userId, type: 'sign_in_failed', authMethods: [...pending.authMethods, 'totp'], ...seen });
        req.log.info({ authEvent: 'second_factor_failed', userId: pending.userId }, 'auth: second_factor_failed');
        throw invalidCode();
      }
      method = kind;
    } else {
      const passkey = await assertions.passkeyOf(input.credential, pending.userId);
      await assertions.prove('second_factor', pending.userId, input.credential, passkey);
      method = 'passkey';
    }

    // Single use: of two requests completing one pending sign-in, only the one that takes it goes on.
    const claimed = await registry.claimPending(req);
    if (!claimed) throw signInExpired();
    const account = await unchangedAccount(claimed);
    const authMethods = [...claimed.authMethods, method];
    await signIn(req, res, account, { rememberMe: claimed.rememberMe, authMethods });
    await activity.record({ userId: account.user.id, type: 'sign_in', authMethods, ...seen });
    if (method === 'recovery_code') {
      const { recoveryCodesLeft } = await secondFactors.status(account.user.id);
      await notices.recoveryCodeUsed({ userId: account.user.id, email: account.user.email, codesLeft: recoveryCodesLeft, ...seen });
    }
    req.log.info({ authEvent: 'sign_in', userId: account.user.id, authMethods }, 'auth: sign_in');
    const body: SecondFactorLoginResponse = { user: account.user };
    res.json(body);
  });

  return {
    methodsOf,
    router,

    /**
     * After a right password. Null when the account has no second factor (sign in now); otherwise the
     * request holds a pending sign-in under a new id, and the answer names the methods to continue with.
     */
    async begin(req: Request, account: AccountState, { rememberMe }: { rememberMe: boolean }): Promise<SecondFactorRequiredResponse | null> {
      const methods = await methodsOf(account.user.id);
      if (methods.length === 0) return null;
      await registry.startPending(req, {
        userId: account.user.id,
        accountVersion: account.version,
        authMethods: ['password'],
        methods,
        rememberMe,
        expiresAt: Date.now() + config.secondFactorTimeoutSeconds * 1000,
      });
      return { secondFactorRequired: true, methods };
    },
  };
}

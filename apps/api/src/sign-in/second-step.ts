import { Router } from 'express';
import type { Request } from 'express';
import { SecondFactorLoginRequestSchema } from '@gatehouse/types/second-factor';
import type { SecondFactorLoginResponse, SecondFactorPasskeyOptionsResponse, SecondFactorRequiredResponse } from '@gatehouse/types/second-factor';
import type { AuthMethod } from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';
import { accountChanged, accountDisabled, invalidCode, signInExpired } from '../http/errors';
import type { PasskeyAssertions } from '../passkeys/assertions';
import type { PasskeyStore } from '../passkeys/passkey-store';
import type { RelyingParty } from '../passkeys/relying-party';
import type { SecondFactorNotices } from '../second-factor/notices';
import type { SecondFactors } from '../second-factor/second-factors';
import { seenFrom } from '../sessions/device';
import { sessionHandle } from '../sessions/handle';
import type { AccountSource, AccountState, SessionRegistry } from '../sessions/registry';
import type { PendingSignIn } from '../sessions/session-data';
import type { SignInAuthority } from './authority';
import { logAuthEvent } from './authority';

export interface SecondStepDeps {
  authority: Pick<SignInAuthority, 'checkCode' | 'spendCode' | 'finish'>;
  registry: Pick<SessionRegistry, 'pendingSignInOf' | 'claimPending'>;
  accounts: Pick<AccountSource, 'load'>;
  secondFactors: Pick<SecondFactors, 'status'>;
  passkeys: Pick<PasskeyStore, 'credentialsOf'>;
  assertions: PasskeyAssertions;
  relyingParty: Pick<RelyingParty, 'authenticationOptions'>;
  activity: Pick<ActivityLog, 'record'>;
  notices: SecondFactorNotices;
}

/**
 * Mounted at /api/auth/login/second-step… (the only route a pending sign-in can use, S37). Whatever
 * started the pending sign-in (a password, an e-mailed link), a code or a passkey completes it, once,
 * into a brand-new `aal2` session (S3), provided the account has not changed since (S31). A recovery
 * code is spent only by the request that wins the pending sign-in (S44).
 */
export function createSecondStepRouter({
  authority,
  registry,
  accounts,
  secondFactors,
  passkeys,
  assertions,
  relyingParty,
  activity,
  notices,
}: SecondStepDeps) {
  /** The pending sign-in of this request, or 401: expired, never started, or already used. */
  function pendingOf(req: Request): PendingSignIn {
    const pending = registry.pendingSignInOf(req);
    if (!pending) throw signInExpired();
    return pending;
  }

  /** The account as it must still be: not disabled, and at the version the first proof was checked against. */
  async function unchangedAccount(pending: PendingSignIn): Promise<AccountState> {
    const account = await accounts.load(pending.userId);
    if (!account) throw signInExpired();
    if (account.isDisabled) throw accountDisabled();
    if (account.version !== pending.accountVersion) throw accountChanged();
    return account;
  }

  const router = Router();

  /** Whether this browser holds a pending sign-in, and how to go on (a provider's sign-in lands on /login with one). */
  router.get('/', (req, res) => {
    const pending = pendingOf(req);
    const body: SecondFactorRequiredResponse = { secondFactorRequired: true, methods: pending.methods };
    res.json(body);
  });

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
    let spend: () => Promise<boolean> = () => Promise.resolve(true);
    let method: AuthMethod;
    if ('code' in input) {
      const match = await authority.checkCode(req, pending.userId, input.code, { pendingSignIn: sessionHandle(req.sessionID) });
      if (!match) {
        // A failed sign-in like a wrong password; its methods say it failed at the second step.
        await activity.record({ userId: pending.userId, type: 'sign_in_failed', authMethods: [...pending.authMethods, 'totp'], ...seen });
        logAuthEvent(req, 'second_factor_failed', { userId: pending.userId });
        throw invalidCode();
      }
      method = match.kind;
      spend = () => authority.spendCode(match);
    } else {
      const passkey = await assertions.passkeyOf(input.credential, pending.userId);
      await assertions.prove('second_factor', pending.userId, input.credential, passkey);
      method = 'passkey';
    }

    // Single use: of two requests completing one pending sign-in, only the one that takes it goes on,
    // and only then is the code spent.
    const claimed = await registry.claimPending(req);
    if (!claimed) throw signInExpired();
    if (!(await spend())) throw invalidCode();
    const account = await unchangedAccount(claimed);
    const authMethods = [...claimed.authMethods, method];
    await authority.finish(req, res, account, {
      authMethods,
      rememberMe: claimed.rememberMe,
      signInProvider: claimed.signInProvider,
      passwordBreached: claimed.passwordBreached,
    });
    if (method === 'recovery_code') {
      const { recoveryCodesLeft } = await secondFactors.status(account.user.id);
      await notices.recoveryCodeUsed({ userId: account.user.id, email: account.user.email, codesLeft: recoveryCodesLeft, ...seen });
    }
    const body: SecondFactorLoginResponse = { user: account.user };
    res.json(body);
  });

  return router;
}

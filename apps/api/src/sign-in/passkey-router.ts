import { Router } from 'express';
import { PasskeyLoginRequestSchema, PasskeyReauthRequestSchema } from '@gatehouse/types/passkeys';
import type { PasskeyAuthenticationOptionsResponse, PasskeyLoginResponse, PasskeyReauthResponse } from '@gatehouse/types/passkeys';
import type { ActivityLog } from '../activity/activity-log';
import { passkeyRejected, unauthenticated } from '../http/errors';
import { seenFrom } from '../sessions/device';
import type { CodeThrottle } from '../throttle/code-throttle';
import type { AccountSource, SessionRegistry } from '../sessions/registry';
import { currentUserOf, requireUser, signedInUser } from '../sessions/signed-in';
import type { PasskeyAssertions } from '../passkeys/assertions';
import type { PasskeyStore } from '../passkeys/passkey-store';
import type { RelyingParty } from '../passkeys/relying-party';
import type { SignInAuthority } from './authority';

export interface PasskeySignInRouterDeps {
  registry: Pick<SessionRegistry, 'summaryOf'>;
  authority: Pick<SignInAuthority, 'finish' | 'stepUp'>;
  accounts: Pick<AccountSource, 'load'>;
  store: Pick<PasskeyStore, 'credentialsOf'>;
  relyingParty: Pick<RelyingParty, 'authenticationOptions'>;
  assertions: PasskeyAssertions;
  throttle: Pick<CodeThrottle, 'takePasskeyChallenge'>;
  activity: Pick<ActivityLog, 'record'>;
}

/**
 * Mounted at /api/auth/passkey. Passwordless sign-in with a discoverable passkey (it names the account;
 * with user verification it is two factors in one, so no second step follows), and re-authentication
 * (sudo mode) with one of the account's passkeys. Each reads the account before the proof (S31).
 */
export function createPasskeySignInRouter({
  registry,
  accounts,
  store,
  relyingParty,
  assertions,
  throttle,
  activity,
  authority,
}: PasskeySignInRouterDeps): Router {
  const router = Router();

  router.post('/options', async (req, res) => {
    await throttle.takePasskeyChallenge(req.ip ?? 'unknown');
    const body: PasskeyAuthenticationOptionsResponse = { options: await relyingParty.authenticationOptions('sign_in', null, []) };
    res.json(body);
  });

  router.post('/', async (req, res) => {
    const { credential, rememberMe } = PasskeyLoginRequestSchema.parse(req.body);
    const passkey = await assertions.passkeyOf(credential, null);
    const account = await accounts.load(passkey.userId);
    if (!account) throw passkeyRejected();
    const seen = seenFrom(req);
    try {
      await assertions.prove('sign_in', null, credential, passkey);
    } catch (error) {
      await activity.record({ userId: account.user.id, type: 'sign_in_failed', authMethods: ['passkey'], ...seen });
      throw error;
    }
    // A passkey with user verification is two factors in one: `aal2` at once.
    await authority.finish(req, res, account, { rememberMe, authMethods: ['passkey'] });
    const body: PasskeyLoginResponse = { user: account.user };
    res.json(body);
  });

  router.post('/reauth/options', requireUser, async (req, res) => {
    const { userId } = signedInUser(req);
    const passkeys = await store.credentialsOf(userId);
    if (passkeys.length === 0) throw passkeyRejected();
    const body: PasskeyAuthenticationOptionsResponse = { options: await relyingParty.authenticationOptions('reauth', userId, passkeys) };
    res.json(body);
  });

  /** As POST /api/auth/reauth with the password: the proof is fresh again and the session id changes (S4, S13). */
  router.post('/reauth', requireUser, async (req, res) => {
    const person = signedInUser(req);
    const { credential } = PasskeyReauthRequestSchema.parse(req.body);
    const passkey = await assertions.passkeyOf(credential, person.userId);
    const account = await accounts.load(person.userId);
    if (!account) throw unauthenticated();
    await assertions.prove('reauth', person.userId, credential, passkey);
    await authority.stepUp(req, account, 'aal2');
    req.log.info({ authEvent: 'reauth', userId: person.userId, authMethods: ['passkey'] }, 'auth: reauth');
    const body: PasskeyReauthResponse = {
      user: currentUserOf({ user: account.user, passwordBreached: signedInUser(req).passwordBreached }),
      session: registry.summaryOf(req),
    };
    res.json(body);
  });

  return router;
}

import type { RequestHandler, Router } from 'express';
import { ChangePasswordRequestSchema } from '@gatehouse/types/auth';
import type { ChangePasswordResponse, MeResponse } from '@gatehouse/types/auth';
import type { Config } from '../config';
import type { BreachedPasswords } from '../breached-passwords/range-lookup';
import { passwordBreached, validationFailed } from '../http/errors';
import { forgetClientState } from '../sessions/cookie-session';
import type { SessionRegistry } from '../sessions/registry';
import { currentUserOf, requireUser, signedInUser, signedInUserOf } from '../sessions/signed-in';
import type { SignInAuthority } from '../sign-in/authority';
import { logAuthEvent } from '../sign-in/authority';
import type { AccountChanges } from '../users/accounts';
import type { PasswordHasher } from './passwords';
import { passwordProblem } from './password-policy';

export interface AuthRouterDeps {
  config: Pick<Config, 'cookieName' | 'isProduction'>;
  registry: Pick<SessionRegistry, 'endThisSession' | 'cancelPending' | 'summaryOf'>;
  accounts: Pick<AccountChanges, 'changePassword'>;
  authority: Pick<SignInAuthority, 'checkPassword' | 'stepUp'>;
  hasher: Pick<PasswordHasher, 'hash'>;
  breaches: Pick<BreachedPasswords, 'check'>;
  requireFreshAuth: RequestHandler;
}

/**
 * The signed-in session's own routes under /api/auth: signing out, who is signed in, and changing the
 * password (signing in is sign-in/). Added to the API router with their full paths rather than as a
 * router of their own: `/me` is asked on every page load, and every router it passes is entered, its
 * prefix trimmed from the URL and the URL parsed again.
 */
export function addAuthRoutes(router: Router, { config, registry, accounts, authority, hasher, breaches, requireFreshAuth }: AuthRouterDeps): void {
  router.post('/auth/logout', async (req, res) => {
    const person = signedInUserOf(req);
    if (person) {
      await registry.endThisSession(req, res, { reason: 'signed_out', actor: 'self' }, { forgetClient: true });
      logAuthEvent(req, 'sign_out', { userId: person.userId });
    } else {
      await registry.cancelPending(req);
      forgetClientState(res, config);
    }
    res.status(204).end();
  });

  router.get('/auth/me', requireUser, (req, res) => {
    const body: MeResponse = { user: currentUserOf(signedInUser(req)), session: registry.summaryOf(req) };
    res.json(body);
  });

  router.post('/auth/password', requireUser, requireFreshAuth, async (req, res) => {
    const person = signedInUser(req);
    const input = ChangePasswordRequestSchema.parse(req.body);
    const account = await authority.checkPassword(req, person, input.currentPassword, 'password_change');
    const problem = passwordProblem(input.newPassword, { email: account.user.email });
    if (problem) throw validationFailed({ newPassword: problem });
    // Looked up while the new password is hashed (S48); a look-up that fails lets it through.
    const [verdict, newHash] = await Promise.all([breaches.check(input.newPassword), hasher.hash(input.newPassword)]);
    if (verdict === 'breached') throw passwordBreached('newPassword');

    const { endedSessions, account: changed } = await accounts.changePassword(person.userId, newHash, person.sid);
    // This session was kept through the change, at the account's new version, as fresh as it was proven;
    // its password is no longer the breached one, if it was.
    await authority.stepUp(req, changed, person.authenticatedAssurance, { expectedVersion: changed.version, passwordBreached: false });
    logAuthEvent(req, 'password_changed', { userId: person.userId });
    const body: ChangePasswordResponse = { endedSessions };
    res.json(body);
  });
}

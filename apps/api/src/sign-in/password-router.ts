import { Router } from 'express';
import type { RequestHandler } from 'express';
import { LoginRequestSchema, ReauthRequestSchema } from '@gatehouse/types/auth';
import type { LoginResponse, MeResponse } from '@gatehouse/types/auth';
import type { SecondFactorRequiredResponse } from '@gatehouse/types/second-factor';
import type { SessionRegistry } from '../sessions/registry';
import { currentUserOf, signedInUser } from '../sessions/signed-in';
import type { SignInAuthority } from './authority';

export interface PasswordRouterDeps {
  authority: Pick<SignInAuthority, 'checkSignInPassword' | 'finish' | 'reauthenticate'>;
  registry: Pick<SessionRegistry, 'summaryOf'>;
  requireUser: RequestHandler;
}

/** Mounted at /api/auth: signing in with the password, and proving it again (sudo mode, S13). */
export function createPasswordRouter({ authority, registry, requireUser }: PasswordRouterDeps): Router {
  const router = Router();

  router.post('/login', async (req, res) => {
    const input = LoginRequestSchema.parse(req.body);
    const { account, passwordBreached } = await authority.checkSignInPassword(req, input.email, input.password);
    const outcome = await authority.finish(req, res, account, { authMethods: ['password'], rememberMe: input.rememberMe, passwordBreached });
    const body: LoginResponse | SecondFactorRequiredResponse =
      outcome.kind === 'signed_in' ? { user: outcome.account.user } : { secondFactorRequired: true, methods: outcome.methods };
    res.json(body);
  });

  /** Proves the account's strongest level again (S13, S42) and moves the session to a new id (S4). */
  router.post('/reauth', requireUser, async (req, res) => {
    const person = signedInUser(req);
    const input = ReauthRequestSchema.parse(req.body);
    const account = await authority.reauthenticate(req, person, input);
    const body: MeResponse = {
      user: currentUserOf({ user: account.user, passwordBreached: signedInUser(req).passwordBreached }),
      session: registry.summaryOf(req),
    };
    res.json(body);
  });

  return router;
}

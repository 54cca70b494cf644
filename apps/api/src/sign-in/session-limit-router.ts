import { Router } from 'express';
import { SessionLimitResolveRequestSchema } from '@gatehouse/types/sessions';
import type { LoginResponse } from '@gatehouse/types/auth';
import type { SecondFactorRequiredResponse } from '@gatehouse/types/second-factor';
import type { SignInAuthority } from './authority';

export interface SessionLimitRouterDeps {
  authority: Pick<SignInAuthority, 'finishAfterChoice'>;
}

/** Mounted at /api/auth: a sign-in refused at the session cap ends the session its person chose and goes on. */
export function createSessionLimitRouter({ authority }: SessionLimitRouterDeps): Router {
  const router = Router();

  router.post('/login/session-limit', async (req, res) => {
    const input = SessionLimitResolveRequestSchema.parse(req.body);
    const outcome = await authority.finishAfterChoice(req, res, input);
    const body: LoginResponse | SecondFactorRequiredResponse =
      outcome.kind === 'signed_in' ? { user: outcome.account.user } : { secondFactorRequired: true, methods: outcome.methods };
    res.json(body);
  });

  return router;
}

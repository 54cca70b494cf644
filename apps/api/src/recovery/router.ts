import { Router } from 'express';
import type { Request } from 'express';
import { CheckResetTokenRequestSchema, ForgotPasswordRequestSchema, ResetPasswordRequestSchema } from '@gatehouse/types/recovery';
import type { CheckResetTokenResponse, ForgotPasswordResponse, ResetPasswordResponse } from '@gatehouse/types/recovery';
import type { PasswordHasher } from '../auth/passwords';
import { passwordProblem } from '../auth/password-policy';
import { seenFrom } from '../sessions/device';
import type { SessionRegistry } from '../sessions/registry';
import type { BreachedPasswords } from '../breached-passwords/range-lookup';
import { invalidToken, passwordBreached, validationFailed } from '../http/errors';
import type { MailService } from '../mail/mail-service';
import type { MailThrottle } from '../throttle/mail-throttle';
import { signedInUserOf } from '../sessions/signed-in';
import type { AccountTokens } from '../tokens/account-tokens';
import type { AccountChanges } from '../users/accounts';
import type { UserDirectory } from '../users/directory';
import type { PasswordResets } from './password-resets';

export interface RecoveryRouterDeps {
  registry: Pick<SessionRegistry, 'endThisSession'>;
  users: Pick<UserDirectory, 'emailOf'>;
  accounts: Pick<AccountChanges, 'resetPassword'>;
  tokens: Pick<AccountTokens, 'find' | 'consume'>;
  resets: PasswordResets;
  hasher: Pick<PasswordHasher, 'hash'>;
  breaches: Pick<BreachedPasswords, 'check'>;
  mail: MailService;
  mailThrottle: Pick<MailThrottle, 'takeMailRequest' | 'takeLinkCheck'>;
}

const FORGOT_ANSWER: ForgotPasswordResponse = {
  message: 'If an account exists for that address, we sent a link to set a new password. It works for 30 minutes.',
};

/** Mounted at /api/auth: forgot password and the reset link (S33–S35). */
export function createRecoveryRouter({ registry, users, accounts, tokens, resets, hasher, breaches, mail, mailThrottle }: RecoveryRouterDeps): Router {
  const router = Router();
  const clientIp = (req: Request) => req.ip ?? 'unknown';

  /** A live reset link whose account still has the address it was sent to; anything else is invalid_token. */
  async function liveResetLink(token: string) {
    const link = await tokens.find(token, ['password_reset']);
    const email = link ? await users.emailOf(link.userId) : null;
    if (!link || email !== link.email) throw invalidToken();
    return link;
  }

  router.post('/password/forgot', async (req, res) => {
    const { email } = ForgotPasswordRequestSchema.parse(req.body);
    mail.requireAvailable();
    await mailThrottle.takeMailRequest({ address: email, ip: clientIp(req) });
    resets.sendLinkLater(email, { byAdmin: false, seen: seenFrom(req) });
    req.log.info({ authEvent: 'password_reset_requested' }, 'auth: password_reset_requested');
    res.status(202).json(FORGOT_ANSWER);
  });

  router.post('/password/reset/check', async (req, res) => {
    const { token } = CheckResetTokenRequestSchema.parse(req.body);
    await mailThrottle.takeLinkCheck(clientIp(req));
    const link = await liveResetLink(token);
    const body: CheckResetTokenResponse = { email: link.email, expiresAt: link.expiresAt.toISOString() };
    res.json(body);
  });

  /**
   * Checks the link and the new password before using the link up, so a refused password leaves the
   * link working; then one atomic use, the new hash with the account version moved on, and every
   * session ended, this browser's too (S35).
   */
  router.post('/password/reset', async (req, res) => {
    const input = ResetPasswordRequestSchema.parse(req.body);
    await mailThrottle.takeLinkCheck(clientIp(req));
    const link = await liveResetLink(input.token);
    const problem = passwordProblem(input.password, { email: link.email });
    if (problem) throw validationFailed({ password: problem });
    // Refused before the link is used up, so the person can pick another password with the same link (S48).
    const [verdict, passwordHash] = await Promise.all([breaches.check(input.password), hasher.hash(input.password)]);
    if (verdict === 'breached') throw passwordBreached('password');
    if (!(await tokens.consume(input.token, ['password_reset']))) throw invalidToken();

    const { endedSessions } = await accounts.resetPassword(link.userId, passwordHash, { proofOfAddress: link.email });
    if (signedInUserOf(req)?.userId === link.userId) {
      // This browser's session was ended with the others: forget it here rather than replay it next time.
      await registry.endThisSession(req, res, { reason: 'password_changed', actor: 'self' }, { forgetClient: true });
    }
    req.log.info({ authEvent: 'password_reset', userId: link.userId }, 'auth: password_reset');
    mail.sendLater(mail.messages.passwordResetNotice(link.email, link.userId, endedSessions));
    const body: ResetPasswordResponse = { endedSessions };
    res.json(body);
  });

  return router;
}

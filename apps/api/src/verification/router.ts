import { Router } from 'express';
import type { Request, RequestHandler } from 'express';
import { CancelEmailChangeRequestSchema, ChangeEmailRequestSchema, VerifyEmailRequestSchema } from '@gatehouse/types/email';
import type { CancelEmailChangeResponse, ChangeEmailResponse, ResendVerificationResponse, VerifyEmailResponse } from '@gatehouse/types/email';
import type { ActivityLog } from '../activity/activity-log';
import type { EmailLinkSignIn } from '../sign-in/email-link';
import { seenFrom } from '../sessions/device';
import type { Config } from '../config';
import { HttpError, invalidToken, unauthenticated, validationFailed } from '../http/errors';
import type { BackgroundJobs } from '../jobs/background-jobs';
import type { MailService } from '../mail/mail-service';
import type { MailThrottle } from '../throttle/mail-throttle';
import type { AccountSource } from '../sessions/registry';
import { requireUser, signedInUser, signedInUserOf } from '../sessions/signed-in';
import type { AccountToken, AccountTokens } from '../tokens/account-tokens';
import type { AccountChanges } from '../users/accounts';
import type { UserDirectory } from '../users/directory';
import type { EmailVerification } from './email-verification';

export interface VerificationRouterDeps {
  config: Pick<Config, 'emailVerificationTtlSeconds'>;
  users: Pick<UserDirectory, 'contactByEmail'>;
  accountSource: Pick<AccountSource, 'load'>;
  accounts: Pick<AccountChanges, 'markEmailVerified' | 'changeEmail'>;
  tokens: Pick<AccountTokens, 'find' | 'consume' | 'issue' | 'revoke'>;
  verification: EmailVerification;
  emailLink: EmailLinkSignIn;
  mail: MailService;
  mailThrottle: Pick<MailThrottle, 'takeMailRequest' | 'takeLinkCheck'>;
  activity: Pick<ActivityLog, 'record'>;
  jobs: BackgroundJobs;
  requireFreshAuth: RequestHandler;
}

/** Mounted at /api/auth: following verification links, asking for a new one, changing the address. */
export function createVerificationRouter(deps: VerificationRouterDeps): Router {
  const { config, users, accountSource, accounts, tokens, verification, emailLink, mail, mailThrottle, activity, jobs, requireFreshAuth } = deps;
  const router = Router();
  const clientIp = (req: Request) => req.ip ?? 'unknown';
  const logAuthEvent = (req: Request, authEvent: string, userId: string) => req.log.info({ authEvent, userId }, `auth: ${authEvent}`);

  async function applyEmailChange(req: Request, link: AccountToken): Promise<VerifyEmailResponse> {
    if (!link.newEmail) throw invalidToken();
    const result = await accounts.changeEmail(link.userId, link.email, link.newEmail);
    if (result.status === 'stale') throw invalidToken();
    if (result.status !== 'changed') throw new HttpError(409, 'email_taken', 'Another account has this address now, so the change cannot apply.');
    mail.sendLater(mail.messages.emailChangedNotice(link.email, link.userId, link.newEmail));
    logAuthEvent(req, 'email_changed', link.userId);
    return {
      outcome: 'email_changed',
      user: result.account.user,
      isSignedIn: signedInUserOf(req)?.userId === link.userId,
      secondFactorRequired: false,
      methods: [],
    };
  }

  router.post('/email/verify', async (req, res) => {
    const { token } = VerifyEmailRequestSchema.parse(req.body);
    await mailThrottle.takeLinkCheck(clientIp(req));
    const found = await tokens.find(token, ['email_verification', 'email_change']);
    // A confirmation link for one account never switches a browser signed in to another (S44): refused
    // before the link is used up, so its owner can still follow it after signing out.
    if (found?.purpose === 'email_verification') emailLink.refuseOtherAccount(req, found.userId);
    const before = found ? await accountSource.load(found.userId) : null;
    const link = before ? await tokens.consume(token, ['email_verification', 'email_change']) : null;
    if (!found || !before || !link) throw invalidToken();
    const body = link.purpose === 'email_change' ? await applyEmailChange(req, link) : await emailLink.confirmAndSignIn(req, res, link, before.version);
    res.json(body);
  });

  router.post('/email/verification', requireUser, async (req, res) => {
    const person = signedInUser(req);
    mail.requireAvailable();
    const account = await accountSource.load(person.userId);
    if (!account) throw unauthenticated();
    if (account.user.emailVerified) {
      const body: ResendVerificationResponse = { isAlreadyVerified: true, message: 'Your address is already confirmed.' };
      res.json(body);
      return;
    }
    await mailThrottle.takeMailRequest({ address: account.user.email, ip: clientIp(req) });
    verification.sendLinkLater({ userId: person.userId, email: account.user.email });
    const body: ResendVerificationResponse = {
      isAlreadyVerified: false,
      message: `We sent a new link to ${account.user.email}. Links sent before it no longer work.`,
    };
    res.status(202).json(body);
  });

  /**
   * Re-authentication first (sudo mode, S13). The new address applies only once its link is followed
   * (S35), and the current address hears at once, with a link to call the change off. If another account
   * already has the new address, that account's owner is told instead; the answer here (and the mail to
   * the current address) is the same either way, so this cannot be used to find out who has an account.
   */
  router.post('/email/change', requireUser, requireFreshAuth, async (req, res) => {
    const person = signedInUser(req);
    const { email: newEmail } = ChangeEmailRequestSchema.parse(req.body);
    mail.requireAvailable();
    const account = await accountSource.load(person.userId);
    if (!account) throw unauthenticated();
    if (newEmail === account.user.email) throw validationFailed({ email: 'This is already your address.' });
    await mailThrottle.takeMailRequest({ address: newEmail, ip: clientIp(req) });

    const userId = person.userId;
    const currentEmail = account.user.email;
    jobs.run('email change links', async () => {
      const holder = await users.contactByEmail(newEmail);
      const ttlSeconds = config.emailVerificationTtlSeconds;
      const changeLinkMail = async () => {
        const token = await tokens.issue(userId, 'email_change', { email: currentEmail, newEmail, ttlSeconds });
        return mail.messages.emailChangeVerification(newEmail, userId, token, ttlSeconds);
      };
      const toNewAddress = holder ? mail.messages.emailChangeConflict(newEmail, String(holder.id)) : await changeLinkMail();
      // Issued after the change link, so following the cancel link always finds the change link to revoke.
      const cancelToken = await tokens.issue(userId, 'email_change_cancel', { email: currentEmail, newEmail, ttlSeconds });
      await mail.mailer.deliver(mail.messages.emailChangeRequestedNotice(currentEmail, userId, newEmail, cancelToken, ttlSeconds));
      await mail.mailer.deliver(toNewAddress);
    });
    await activity.record({ userId, type: 'email_change_requested', ...seenFrom(req) });
    logAuthEvent(req, 'email_change_requested', userId);
    const body: ChangeEmailResponse = { message: `We sent a link to ${newEmail}. Your address changes once you follow it.`, pendingEmail: newEmail };
    res.status(202).json(body);
  });

  /**
   * The link mailed to the current address (S35): following it is the proof, so no session is needed.
   * The change link stops working; a change that already applied is not undone here (the link is then
   * `invalid_token`, like one used up).
   */
  router.post('/email/change/cancel', async (req, res) => {
    const { token } = CancelEmailChangeRequestSchema.parse(req.body);
    await mailThrottle.takeLinkCheck(clientIp(req));
    const link = await tokens.consume(token, ['email_change_cancel']);
    const account = link ? await accountSource.load(link.userId) : null;
    if (!link || !account || account.user.email !== link.email) throw invalidToken();
    await tokens.revoke(link.userId, 'email_change');
    await activity.record({ userId: link.userId, type: 'email_change_cancelled', ...seenFrom(req) });
    logAuthEvent(req, 'email_change_cancelled', link.userId);
    const body: CancelEmailChangeResponse = {
      message: `The change of address was called off: the account keeps ${link.email}. If you did not ask for it, change your password now.`,
    };
    res.json(body);
  });

  return router;
}

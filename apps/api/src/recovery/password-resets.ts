import type { ActivityLog } from '../activity/activity-log';
import type { SeenFrom } from '../sessions/device';
import { PASSWORD_RESET_TTL_SECONDS } from '../config';
import type { BackgroundJobs } from '../jobs/background-jobs';
import type { MailService } from '../mail/mail-service';
import type { AccountTokens } from '../tokens/account-tokens';
import type { UserDirectory } from '../users/directory';

export interface PasswordResets {
  /**
   * Looks the address up, and if an enabled account has it, issues a link (replacing any earlier one)
   * and mails it, all after the response: whether an account exists shows neither in the answer nor
   * in its timing (S18, S34).
   */
  sendLinkLater(email: string, options: { byAdmin: boolean; seen?: SeenFrom }): void;
}

export function createPasswordResets({
  users,
  tokens,
  mail,
  activity,
  jobs,
}: {
  users: Pick<UserDirectory, 'contactByEmail'>;
  tokens: Pick<AccountTokens, 'issue'>;
  mail: MailService;
  activity: Pick<ActivityLog, 'record'>;
  jobs: BackgroundJobs;
}): PasswordResets {
  return {
    sendLinkLater(email, { byAdmin, seen }) {
      jobs.run('password reset link', async () => {
        const user = await users.contactByEmail(email);
        // A disabled account could not sign in with a new password anyway.
        if (!user || user.isDisabled) return;
        const userId = user.id;
        const token = await tokens.issue(userId, 'password_reset', { email: user.email, ttlSeconds: PASSWORD_RESET_TTL_SECONDS });
        await mail.mailer.deliver(mail.messages.passwordReset(user.email, userId, token, { byAdmin }));
        await activity.record({ userId, type: 'password_reset_requested', actor: byAdmin ? 'admin' : 'self', ...(seen ?? {}) });
      });
    },
  };
}

import type { ActivityLog } from '../activity/activity-log';
import type { Config } from '../config';
import type { BackgroundJobs } from '../jobs/background-jobs';
import type { MailService } from '../mail/mail-service';
import type { AccountTokens } from '../tokens/account-tokens';

export interface EmailVerification {
  /** A fresh link to the address (the older one stops working), issued and mailed after the response. */
  sendLinkLater(account: { userId: string; email: string }): void;
}

export function createEmailVerification({
  config,
  tokens,
  mail,
  activity,
  jobs,
}: {
  config: Pick<Config, 'emailVerificationTtlSeconds'>;
  tokens: Pick<AccountTokens, 'issue'>;
  mail: MailService;
  activity: Pick<ActivityLog, 'record'>;
  jobs: BackgroundJobs;
}): EmailVerification {
  const ttlSeconds = config.emailVerificationTtlSeconds;
  return {
    sendLinkLater({ userId, email }) {
      if (!mail.mailer.isAvailable) return;
      jobs.run('email verification link', async () => {
        const token = await tokens.issue(userId, 'email_verification', { email, ttlSeconds });
        await mail.mailer.deliver(mail.messages.emailVerification(email, userId, token, ttlSeconds));
        await activity.record({ userId, type: 'email_verification_sent', actor: 'system' });
      });
    },
  };
}

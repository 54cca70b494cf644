import type { Device } from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';
import type { MailService } from '../mail/mail-service';

export interface RecoveryCodeUse {
  userId: string;
  email: string;
  codesLeft: number;
  device: Device;
  ip: string | null;
}

/**
 * What the account's owner is told when a second factor is bypassed with a recovery code: an activity
 * entry flagged for attention, and a mail (when the app can send mail), as for a sign-in from a new device.
 */
export interface SecondFactorNotices {
  recoveryCodeUsed(use: RecoveryCodeUse): Promise<void>;
}

export function createSecondFactorNotices({
  activity,
  mail,
}: {
  activity: Pick<ActivityLog, 'record'>;
  mail: Pick<MailService, 'mailer' | 'sendLater' | 'messages'>;
}): SecondFactorNotices {
  return {
    async recoveryCodeUsed({ userId, email, codesLeft, device, ip }) {
      await activity.record({ userId, type: 'recovery_code_used', device, ip, isSuspicious: true });
      if (mail.mailer.isAvailable) mail.sendLater(mail.messages.recoveryCodeUsed(email, userId, { device, ip, at: new Date(), codesLeft }));
    },
  };
}

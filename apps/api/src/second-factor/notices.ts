import type { Device } from '@gatehouse/types/sessions';
import type { ActivityLog } from '../activity/activity-log';

export interface RecoveryCodeUse {
  userId: string;
  codesLeft: number;
  device: Device;
  ip: string | null;
}

/**
 * What the account's owner is told when a second factor is bypassed with a recovery code. The activity
 * entry is flagged for attention; a mail notice, once the app sends mail, belongs in this same place.
 */
export interface SecondFactorNotices {
  recoveryCodeUsed(use: RecoveryCodeUse): Promise<void>;
}

export function createSecondFactorNotices({ activity }: { activity: Pick<ActivityLog, 'record'> }): SecondFactorNotices {
  return {
    async recoveryCodeUsed({ userId, device, ip }) {
      await activity.record({ userId, type: 'recovery_code_used', device, ip, isSuspicious: true });
    },
  };
}

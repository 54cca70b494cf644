import type { PasskeyStore } from '../passkeys/passkey-store';
import type { SecondFactors } from './second-factors';

/** Whether accounts have a second factor: an authenticator app or at least one passkey. */
export interface SecondFactorEnrolment {
  isEnrolled(userId: string): Promise<boolean>;
  enrolledAmong(userIds: string[]): Promise<Set<string>>;
}

export function createSecondFactorEnrolment({
  secondFactors,
  passkeys,
}: {
  secondFactors: Pick<SecondFactors, 'isEnabled' | 'enabledAmong'>;
  passkeys: Pick<PasskeyStore, 'countForUser' | 'ownersAmong'>;
}): SecondFactorEnrolment {
  return {
    async isEnrolled(userId) {
      return (await secondFactors.isEnabled(userId)) || (await passkeys.countForUser(userId)) > 0;
    },
    async enrolledAmong(userIds) {
      const [withTotp, withPasskeys] = await Promise.all([secondFactors.enabledAmong(userIds), passkeys.ownersAmong(userIds)]);
      return new Set([...withTotp, ...withPasskeys]);
    },
  };
}

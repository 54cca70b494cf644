import type { Connection } from 'mongoose';
import type { ThrottleLimits } from '../config';
import { beginAttempt, createCheckSlots, rateLimiter, settleAttempt, takeOrRefuse } from '../auth/attempt-budget';
import type { Attempt } from '../auth/attempt-budget';

export interface CodeThrottle {
  /**
   * Takes a point per account and per address *before* the code is checked (S36, as S32 for passwords),
   * and allows only a few checks of one account at a time; 429 with Retry-After when spent.
   */
  beginCodeCheck(key: { userId: string; ip: string }): Promise<Attempt>;
  /** One passkey challenge for this address, or 429 (each challenge is stored until it expires). */
  takePasskeyChallenge(ip: string): Promise<void>;
}

/**
 * The sign-in throttle's pattern for one-time codes (auth/attempt-budget.ts). Whoever guesses a code
 * already has the password, so the account is what is counted (a device cookie earns no trust here); a
 * right code gives the points back. A million codes with a window of three steps: 10 guesses per 15
 * minutes make a hit take years.
 */
export function createCodeThrottle(
  connection: Connection,
  limits: Pick<ThrottleLimits, 'secondFactorPerAccount' | 'secondFactorPerIp' | 'passkeyChallengesPerIp' | 'concurrentChecksPerAccount'>,
): CodeThrottle {
  const byAccount = rateLimiter(connection, 'throttle_code_account', limits.secondFactorPerAccount, { blockForWindow: true });
  const byIp = rateLimiter(connection, 'throttle_code_ip', limits.secondFactorPerIp);
  const challenges = rateLimiter(connection, 'throttle_passkey_challenge_ip', limits.passkeyChallengesPerIp);
  const slots = createCheckSlots({ perKey: limits.concurrentChecksPerAccount });

  return {
    beginCodeCheck: ({ userId, ip }) =>
      beginAttempt({
        slots,
        slotKey: userId,
        counters: [
          [byAccount, userId],
          [byIp, ip],
        ],
      }),
    takePasskeyChallenge: (ip) => takeOrRefuse([[challenges, ip]]),
  };
}

/** Settles the attempt: a code check succeeded when it found something (a code kind, recovery codes). */
export function checkedCode<T>(attempt: Attempt, check: () => Promise<T | null>): Promise<T | null> {
  return settleAttempt(attempt, check, (result) => result !== null);
}

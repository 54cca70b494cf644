import type { Connection } from 'mongoose';
import type { ThrottleLimits } from '../config';
import { beginAttempt, createCheckSlots, forgetCountersOf, rateLimiter, settleAttempt, takeOrRefuse } from './attempt-budget';
import type { Attempt, Counter, CounterOwner } from './attempt-budget';

export interface CodeAttemptKey {
  userId: string;
  ip: string;
  /** The pending sign-in the code is tried in (its handle), if any: each has a small budget of its own. */
  pendingSignIn: string | null;
  /**
   * The device key of a browser that signed in to this account before: like a password (S32), its codes
   * are counted apart, so strangers who know the password cannot lock the owner's browser out (S44).
   */
  knownDeviceKey: string | null;
}

export interface CodeThrottle {
  /**
   * Takes a point from every counter that applies *before* the code is checked (S36, as S32 for
   * passwords), and allows only a few checks at a time; 429 with Retry-After when one is spent.
   */
  beginCodeCheck(key: CodeAttemptKey): Promise<Attempt>;
  /** One passkey challenge for this address, or 429 (each challenge is stored until it expires). */
  takePasskeyChallenge(ip: string): Promise<void>;
  /** One trip to an OpenID Connect provider begun from this address, or 429 (each flow is stored until it expires). */
  takeProviderStart(ip: string): Promise<void>;
  /** Drops the counters that name a deleted account. */
  forget(owner: CounterOwner): Promise<number>;
}

/**
 * The sign-in throttle's pattern for one-time codes (attempt-budget.ts). Whoever guesses a code already
 * has the password, so the account is what is counted, with the address and the pending sign-in; a
 * browser the account signed in from before is judged only by its own failures. A right code gives the
 * points back. A million codes with a window of three steps: 10 guesses per 15 minutes make a hit take years.
 */
export function createCodeThrottle(
  connection: Connection,
  limits: Pick<
    ThrottleLimits,
    | 'secondFactorPerAccount'
    | 'secondFactorPerIp'
    | 'secondFactorPerPendingSignIn'
    | 'secondFactorPerKnownDevice'
    | 'passkeyChallengesPerIp'
    | 'concurrentChecksPerAccount'
  >,
): CodeThrottle {
  const byAccount = rateLimiter(connection, 'throttle_code_account', limits.secondFactorPerAccount, { blockForWindow: true });
  const byIp = rateLimiter(connection, 'throttle_code_ip', limits.secondFactorPerIp);
  const byPendingSignIn = rateLimiter(connection, 'throttle_code_pending', limits.secondFactorPerPendingSignIn, { blockForWindow: true });
  const byKnownDevice = rateLimiter(connection, 'throttle_code_device', limits.secondFactorPerKnownDevice, { blockForWindow: true });
  const challenges = rateLimiter(connection, 'throttle_passkey_challenge_ip', limits.passkeyChallengesPerIp);
  // As many stored flows per address as passkey challenges: both are documents a stranger could pile up.
  const providerStarts = rateLimiter(connection, 'throttle_oidc_start_ip', limits.passkeyChallengesPerIp);
  const slots = createCheckSlots({ perKey: limits.concurrentChecksPerAccount });

  return {
    forget: (owner) => forgetCountersOf(connection, ['throttle_code_account', 'throttle_code_pending', 'throttle_code_device'], owner),

    beginCodeCheck({ userId, ip, pendingSignIn, knownDeviceKey }) {
      const pendingCounters: Counter[] = pendingSignIn ? [[byPendingSignIn, pendingSignIn]] : [];
      if (knownDeviceKey) {
        const deviceKey = `${userId}|${knownDeviceKey}`;
        return beginAttempt({ slots, slotKey: deviceKey, counters: [[byKnownDevice, deviceKey], ...pendingCounters] });
      }
      return beginAttempt({
        slots,
        slotKey: userId,
        counters: [[byAccount, userId], [byIp, ip], ...pendingCounters],
      });
    },
    takePasskeyChallenge: (ip) => takeOrRefuse([[challenges, ip]]),
    takeProviderStart: (ip) => takeOrRefuse([[providerStarts, ip]]),
  };
}

/** Settles the attempt: a code check succeeded when it found something (a code kind, recovery codes). */
export function checkedCode<T>(attempt: Attempt, check: () => Promise<T | null>): Promise<T | null> {
  return settleAttempt(attempt, check, (result) => result !== null);
}

import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Connection } from 'mongoose';
import type { RateLimit, ThrottleLimits } from '../config';
import { tooManyRequests } from '../http/errors';

/** A code check that was let through; settle it once the answer is known (as auth/throttle.ts's password attempts). */
export interface CodeAttempt {
  succeeded(): Promise<void>;
  failed(): void;
}

export interface CodeThrottle {
  /**
   * Takes a point per account and per address *before* the code is checked (S36, as S32 for passwords),
   * and allows only a few checks of one account at a time; 429 with Retry-After when spent.
   */
  beginCodeCheck(key: { userId: string; ip: string }): Promise<CodeAttempt>;
  /** One passkey challenge for this address, or 429 (each challenge is stored until it expires). */
  takePasskeyChallenge(ip: string): Promise<void>;
}

type Counter = [RateLimiterMongo, string];

/**
 * The sign-in throttle's pattern for one-time codes. Whoever guesses a code already has the password,
 * so the account is what is counted (a device cookie earns no trust here); a right code gives the
 * points back. A million codes with a window of three steps: 10 guesses per 15 minutes make a hit
 * take years.
 */
export function createCodeThrottle(connection: Connection, limits: Pick<ThrottleLimits, 'secondFactorPerAccount' | 'secondFactorPerIp' | 'passkeyChallengesPerIp' | 'concurrentChecksPerAccount'>): CodeThrottle {
  const limiter = (tableName: string, { points, durationSeconds }: RateLimit, blockDuration = 0) =>
    new RateLimiterMongo({ storeClient: connection, tableName, keyPrefix: tableName, points, duration: durationSeconds, blockDuration });
  const byAccount = limiter('throttle_code_account', limits.secondFactorPerAccount, limits.secondFactorPerAccount.durationSeconds);
  const byIp = limiter('throttle_code_ip', limits.secondFactorPerIp);
  const challenges = limiter('throttle_passkey_challenge_ip', limits.passkeyChallengesPerIp);
  const running = new Map<string, number>();

  async function takeAll(counters: Counter[]): Promise<number | null> {
    const results = await Promise.allSettled(counters.map(([rateLimiter, key]) => rateLimiter.consume(key)));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (refused.length === 0) return null;
    const storeFailure = refused.find((reason) => !(reason instanceof RateLimiterRes));
    await Promise.all(counters.map(([rateLimiter, key], index) => (results[index]?.status === 'fulfilled' ? rateLimiter.reward(key) : undefined)));
    if (storeFailure !== undefined) throw storeFailure;
    return Math.max(...refused.map((reason) => (reason as RateLimiterRes).msBeforeNext / 1000));
  }

  function claimSlot(userId: string): (() => void) | null {
    const current = running.get(userId) ?? 0;
    if (current >= limits.concurrentChecksPerAccount) return null;
    running.set(userId, current + 1);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const left = (running.get(userId) ?? 1) - 1;
      if (left === 0) running.delete(userId);
      else running.set(userId, left);
    };
  }

  return {
    async beginCodeCheck({ userId, ip }) {
      const release = claimSlot(userId);
      if (!release) throw tooManyRequests(1);
      const counters: Counter[] = [
        [byAccount, userId],
        [byIp, ip],
      ];
      let wait: number | null;
      try {
        wait = await takeAll(counters);
      } catch (error) {
        release();
        throw error;
      }
      if (wait !== null) {
        release();
        throw tooManyRequests(wait);
      }
      return {
        async succeeded() {
          release();
          await Promise.all(counters.map(([rateLimiter, key]) => rateLimiter.reward(key)));
        },
        failed: release,
      };
    },

    async takePasskeyChallenge(ip) {
      const wait = await takeAll([[challenges, ip]]);
      if (wait !== null) throw tooManyRequests(wait);
    },
  };
}

/** Settles the attempt with the outcome of the check, whatever happens during it. */
export async function checkedCode<T>(attempt: CodeAttempt, check: () => Promise<T | null>): Promise<T | null> {
  let result: T | null = null;
  try {
    result = await check();
  } finally {
    if (result === null) attempt.failed();
  }
  if (result !== null) await attempt.succeeded();
  return result;
}

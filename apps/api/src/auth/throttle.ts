import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Connection } from 'mongoose';
import type { RateLimit, ThrottleLimits } from '../config';
import { tooManyRequests } from '../http/errors';

export type { ThrottleLimits };

/** A password check that was let through; settle it once the answer is known. */
export interface PasswordAttempt {
  /** The password was right: the points this attempt took are given back and the email+IP streak ends. */
  succeeded(): Promise<void>;
  failed(): void;
}

export interface PasswordAttemptKey {
  /** The account's email as typed (normalised): unknown and existing accounts count alike (S18). */
  email: string;
  ip: string;
  /**
   * The device key of a browser that signed in to this account before (OWASP "device cookies"): it has
   * a budget of its own and is not held back by failures from anywhere else, so strangers guessing the
   * password cannot lock the owner out (S17, S32).
   */
  knownDeviceKey: string | null;
}

export interface LoginThrottle {
  /**
   * Takes a point from every counter that applies *before* the password is checked, so N parallel
   * guesses cost at most the limit in hashing work (S32); throws 429 with Retry-After when one is spent
   * or too many checks are already running.
   */
  beginPasswordCheck(key: PasswordAttemptKey): Promise<PasswordAttempt>;
  /** Takes one registration from the IP's budget, or throws 429. */
  takeRegistration(ip: string): Promise<void>;
}

type Counter = [RateLimiterMongo, string];

/**
 * Counters live in the database (RateLimiterMongo on the app's connection), so every instance sees the
 * same numbers (S16, R4); the cap on checks running at once is per process, where the CPU is.
 * - per email+IP: the classic guessing limit; when spent, that pair waits out the window;
 * - per email, from browsers the account has never signed in from: bounds a distributed attack;
 * - per IP: bounds one address trying many accounts;
 * - per known device: a browser the account signed in from before is judged only by its own failures.
 */
export function createLoginThrottle(connection: Connection, limits: ThrottleLimits): LoginThrottle {
  const limiter = (tableName: string, { points, durationSeconds }: RateLimit, blockDuration = 0) =>
    new RateLimiterMongo({ storeClient: connection, tableName, keyPrefix: tableName, points, duration: durationSeconds, blockDuration });

  const byEmailAndIp = limiter('throttle_login_email_ip', limits.signInPerEmailAndIp, limits.signInPerEmailAndIp.durationSeconds);
  const byEmail = limiter('throttle_login_email', limits.signInPerEmail);
  const byIp = limiter('throttle_login_ip', limits.signInPerIp);
  const byKnownDevice = limiter('throttle_login_device', limits.signInPerKnownDevice, limits.signInPerKnownDevice.durationSeconds);
  const registrations = limiter('throttle_register_ip', limits.registrationsPerIp);

  const running = new Map<string, number>();
  let runningInProcess = 0;

  /**
   * A slot for one check, or null when the account or the process is at its cap. A known device checks in
   * slots of its own, so strangers keeping the account's slots busy do not hold the owner back.
   */
  function claimSlot(slotKey: string): (() => void) | null {
    const forAccount = running.get(slotKey) ?? 0;
    if (forAccount >= limits.concurrentChecksPerAccount || runningInProcess >= limits.concurrentChecksPerProcess) return null;
    running.set(slotKey, forAccount + 1);
    runningInProcess += 1;
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      runningInProcess -= 1;
      const left = (running.get(slotKey) ?? 1) - 1;
      if (left === 0) running.delete(slotKey);
      else running.set(slotKey, left);
    };
  }

  /** Takes a point from each counter; if any is spent, gives back the others and reports the longest wait. */
  async function takeAll(counters: Counter[]): Promise<number | null> {
    const results = await Promise.allSettled(counters.map(([rateLimiter, key]) => rateLimiter.consume(key)));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (refused.length === 0) return null;
    const storeFailure = refused.find((reason) => !(reason instanceof RateLimiterRes));
    await Promise.all(counters.map(([rateLimiter, key], index) => (results[index]?.status === 'fulfilled' ? rateLimiter.reward(key) : undefined)));
    if (storeFailure !== undefined) throw storeFailure;
    return Math.max(...refused.map((reason) => (reason as RateLimiterRes).msBeforeNext / 1000));
  }

  return {
    async beginPasswordCheck({ email, ip, knownDeviceKey }) {
      const release = claimSlot(knownDeviceKey ? `${email}|${knownDeviceKey}` : email);
      // Already checking this account (or at the process's cap): a second guess now can only be an attack.
      if (!release) throw tooManyRequests(1);
      const counters: Counter[] = knownDeviceKey
        ? [[byKnownDevice, `${email}|${knownDeviceKey}`]]
        : [
            [byEmailAndIp, `${email}|${ip}`],
            [byEmail, email],
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
          await Promise.all(counters.map(([rateLimiter, key]) => (rateLimiter === byEmailAndIp ? rateLimiter.delete(key) : rateLimiter.reward(key))));
        },
        failed: release,
      };
    },

    async takeRegistration(ip) {
      const wait = await takeAll([[registrations, ip]]);
      if (wait !== null) throw tooManyRequests(wait);
    },
  };
}

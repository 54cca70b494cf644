import type { Connection } from 'mongoose';
import type { ThrottleLimits } from '../config';
import { beginAttempt, createCheckSlots, forgetCountersOf, rateLimiter, takeOrRefuse } from './attempt-budget';
import type { Attempt, Counter, CounterOwner } from './attempt-budget';

export type { ThrottleLimits };

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
  beginPasswordCheck(key: PasswordAttemptKey): Promise<Attempt>;
  /** Takes one registration from the IP's budget, or throws 429. */
  takeRegistration(ip: string): Promise<void>;
  /** Drops the counters that name a deleted account's address. */
  forget(owner: CounterOwner): Promise<number>;
}

/**
 * The sign-in throttle (attempt-budget.ts has the shared machinery):
 * - per email+IP: the classic guessing limit; when spent, that pair waits out the window;
 * - per email, from browsers the account has never signed in from: bounds a distributed attack;
 * - per IP: bounds one address trying many accounts;
 * - per known device: a browser the account signed in from before is judged only by its own failures,
 *   and checks in slots of its own, so strangers keeping the account's slots busy do not hold it back.
 */
export function createLoginThrottle(connection: Connection, limits: ThrottleLimits): LoginThrottle {
  const byEmailAndIp = rateLimiter(connection, 'throttle_login_email_ip', limits.signInPerEmailAndIp, { blockForWindow: true });
  const byEmail = rateLimiter(connection, 'throttle_login_email', limits.signInPerEmail);
  const byIp = rateLimiter(connection, 'throttle_login_ip', limits.signInPerIp);
  const byKnownDevice = rateLimiter(connection, 'throttle_login_device', limits.signInPerKnownDevice, { blockForWindow: true });
  const registrations = rateLimiter(connection, 'throttle_register_ip', limits.registrationsPerIp);
  const slots = createCheckSlots({ perKey: limits.concurrentChecksPerAccount, perProcess: limits.concurrentChecksPerProcess });

  return {
    forget: (owner) => forgetCountersOf(connection, ['throttle_login_email_ip', 'throttle_login_email', 'throttle_login_device'], owner),

    beginPasswordCheck({ email, ip, knownDeviceKey }) {
      if (knownDeviceKey) {
        const deviceKey = `${email}|${knownDeviceKey}`;
        return beginAttempt({ slots, slotKey: deviceKey, counters: [[byKnownDevice, deviceKey]] });
      }
      const streak: Counter = [byEmailAndIp, `${email}|${ip}`];
      return beginAttempt({
        slots,
        slotKey: email,
        counters: [streak, [byEmail, email], [byIp, ip]],
        // A right password ends the email+IP streak and gives back the other two points.
        onSuccess: () => Promise.all([byEmailAndIp.delete(streak[1]), byEmail.reward(email), byIp.reward(ip)]),
      });
    },

    takeRegistration: (ip) => takeOrRefuse([[registrations, ip]]),
  };
}

import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Connection } from 'mongoose';

const HOUR = 3600;
const DAY = 24 * HOUR;

export interface ThrottleLimits {
  /** Consecutive failures for one email from one IP before a block (reset by a success). */
  emailAndIp: { points: number; durationSeconds: number; blockSeconds: number };
  /** Failures for one email from anywhere: high and slow, so an attacker cannot lock the owner out (S17). */
  email: { points: number; durationSeconds: number };
  ip: { points: number; durationSeconds: number };
  registrationsPerIp: { points: number; durationSeconds: number };
}

export const DEFAULT_THROTTLE_LIMITS: ThrottleLimits = {
  emailAndIp: { points: 10, durationSeconds: HOUR, blockSeconds: HOUR },
  email: { points: 100, durationSeconds: DAY },
  ip: { points: 100, durationSeconds: DAY },
  registrationsPerIp: { points: 10, durationSeconds: HOUR },
};

export interface LoginThrottle {
  /** Seconds to wait if any counter for this attempt is exhausted, else null. */
  retryAfter(email: string, ip: string): Promise<number | null>;
  recordFailure(email: string, ip: string): Promise<void>;
  recordSuccess(email: string, ip: string): Promise<void>;
  /** Consumes one registration for the IP; seconds to wait if none is left, else null. */
  consumeRegistration(ip: string): Promise<number | null>;
}

/** rate-limiter-flexible rejects with a RateLimiterRes when out of points, with an Error when the store failed. */
async function consumeOrWait(limiter: RateLimiterMongo, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection.msBeforeNext / 1000;
    throw rejection;
  }
}

/**
 * Counters live in the database (RateLimiterMongo on the app's connection), so every instance sees
 * the same numbers (S16, R4). Unknown and existing accounts count alike, so throttling reveals nothing.
 */
export function createLoginThrottle(connection: Connection, limits: ThrottleLimits = DEFAULT_THROTTLE_LIMITS): LoginThrottle {
  const limiter = (tableName: string, points: number, duration: number, blockDuration = 0) =>
    new RateLimiterMongo({ storeClient: connection, tableName, keyPrefix: tableName, points, duration, blockDuration });

  const byEmailAndIp = limiter('throttle_login_email_ip', limits.emailAndIp.points, limits.emailAndIp.durationSeconds, limits.emailAndIp.blockSeconds);
  const byEmail = limiter('throttle_login_email', limits.email.points, limits.email.durationSeconds);
  const byIp = limiter('throttle_login_ip', limits.ip.points, limits.ip.durationSeconds);
  const registrations = limiter('throttle_register_ip', limits.registrationsPerIp.points, limits.registrationsPerIp.durationSeconds);

  const emailIpKey = (email: string, ip: string) => `${email}|${ip}`;

  return {
    async retryAfter(email, ip) {
      const checks: [RateLimiterMongo, string][] = [
        [byEmailAndIp, emailIpKey(email, ip)],
        [byEmail, email],
        [byIp, ip],
      ];
      const states = await Promise.all(checks.map(([rateLimiter, key]) => rateLimiter.get(key)));
      let wait: number | null = null;
      states.forEach((state, index) => {
        const rateLimiter = checks[index]?.[0];
        if (!state || !rateLimiter || state.consumedPoints < rateLimiter.points) return;
        wait = Math.max(wait ?? 0, state.msBeforeNext / 1000);
      });
      return wait;
    },
    async recordFailure(email, ip) {
      // Every counter must advance even when one is already exhausted.
      await Promise.all([
        consumeOrWait(byEmailAndIp, emailIpKey(email, ip)),
        consumeOrWait(byEmail, email),
        consumeOrWait(byIp, ip),
      ]);
    },
    async recordSuccess(email, ip) {
      await byEmailAndIp.delete(emailIpKey(email, ip));
    },
    consumeRegistration: (ip) => consumeOrWait(registrations, ip),
  };
}

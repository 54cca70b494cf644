import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Connection } from 'mongoose';
import type { RateLimit, ThrottleLimits } from '../config';
import { tooManyRequests } from '../http/errors';
import { forgetCountersOf } from './attempt-budget';
import type { CounterOwner } from './attempt-budget';

export interface MailThrottle {
  /**
   * A request that makes the server mail `address` (forgot password, registration, resend, change of
   * address): one point from the address and one from the IP, or 429 with Retry-After. The address
   * counts whether or not an account has it, so the answer tells nothing about accounts (S18, S34),
   * and nobody can flood an inbox with our mail.
   */
  takeMailRequest(key: { address: string; ip: string }): Promise<void>;
  /** For mail nobody asked for in this request (a link resent on a refused sign-in): false when the address's budget is spent. */
  tryTakeAddress(address: string): Promise<boolean>;
  /** A one-time link presented (reset, verification): per IP, used or not. */
  takeLinkCheck(ip: string): Promise<void>;
  /** Drops the counters that name a deleted account's address. */
  forget(owner: CounterOwner): Promise<number>;
}

type Counter = [RateLimiterMongo, string];

/** Counters in the database, shared by every instance (S16, R4), like the sign-in throttle's. */
export function createMailThrottle(connection: Connection, limits: Pick<ThrottleLimits, 'mailPerAddress' | 'mailPerIp' | 'linkChecksPerIp'>): MailThrottle {
  const limiter = (tableName: string, { points, durationSeconds }: RateLimit) =>
    new RateLimiterMongo({ storeClient: connection, tableName, keyPrefix: tableName, points, duration: durationSeconds });
  const perAddress = limiter('throttle_mail_address', limits.mailPerAddress);
  const perIp = limiter('throttle_mail_ip', limits.mailPerIp);
  const linkChecks = limiter('throttle_link_ip', limits.linkChecksPerIp);

  /** Takes a point from each counter; if one is spent, gives the others back and throws 429 with the longest wait. */
  async function take(counters: Counter[]): Promise<void> {
    const results = await Promise.allSettled(counters.map(([rateLimiter, key]) => rateLimiter.consume(key)));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    if (refused.length === 0) return;
    await Promise.all(counters.map(([rateLimiter, key], index) => (results[index]?.status === 'fulfilled' ? rateLimiter.reward(key) : undefined)));
    const storeFailure = refused.find((reason) => !(reason instanceof RateLimiterRes));
    if (storeFailure !== undefined) throw storeFailure;
    throw tooManyRequests(Math.max(...refused.map((reason) => (reason as RateLimiterRes).msBeforeNext / 1000)));
  }

  return {
    forget: (owner) => forgetCountersOf(connection, ['throttle_mail_address'], owner),

    takeMailRequest: ({ address, ip }) =>
      take([
        [perAddress, address],
        [perIp, ip],
      ]),
    async tryTakeAddress(address) {
      try {
        await take([[perAddress, address]]);
        return true;
      } catch (error) {
        if (error instanceof Error && 'status' in error && error.status === 429) return false;
        throw error;
      }
    },
    takeLinkCheck: (ip) => take([[linkChecks, ip]]),
  };
}

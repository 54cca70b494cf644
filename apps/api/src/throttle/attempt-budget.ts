import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import type { Connection } from 'mongoose';
import type { RateLimit } from '../config';
import { tooManyRequests } from '../http/errors';

/**
 * The machinery every guessable secret shares (passwords, one-time codes): counters in the database, so
 * every instance sees the same numbers (S16, R4), points taken *before* the check (S32, S36), and a cap
 * on checks running at once, per key and per process, where the CPU is.
 */

/** A counter and the key it counts under. */
export type Counter = [RateLimiterMongo, string];

/** A check that was let through; settle it once the answer is known. */
export interface Attempt {
  /** The secret was right: the points this attempt took are given back (or its streak cleared). */
  succeeded(): Promise<void>;
  failed(): void;
}

/** A database-backed counter; `blockForWindow`: once spent, the key waits out the whole window. */
export function rateLimiter(
  connection: Connection,
  tableName: string,
  { points, durationSeconds }: RateLimit,
  { blockForWindow = false } = {},
): RateLimiterMongo {
  return new RateLimiterMongo({
    storeClient: connection,
    tableName,
    keyPrefix: tableName,
    points,
    duration: durationSeconds,
    blockDuration: blockForWindow ? durationSeconds : 0,
  });
}

/** Whose counters a deleted account leaves: its id and its address, as the keys spell them. */
export interface CounterOwner {
  userId: string;
  email: string;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Drops the counters of these tables whose key names the account (keys are `<table>:<part>|<part>`):
 * an account that was deleted leaves no trace, not even a rate-limit counter that would expire anyway.
 */
export async function forgetCountersOf(connection: Connection, tableNames: readonly string[], { userId, email }: CounterOwner): Promise<number> {
  const owner = `(${escapeRegex(userId)}|${escapeRegex(email)})`;
  let removed = 0;
  for (const tableName of tableNames) {
    const key = new RegExp(`^${escapeRegex(tableName)}:(.*\\|)?${owner}(\\|.*)?$`);
    removed += (await connection.collection(tableName).deleteMany({ key })).deletedCount;
  }
  return removed;
}

/** Takes a point from each counter; if any is spent, gives back the others and reports the longest wait in seconds. */
export async function takeAll(counters: readonly Counter[]): Promise<number | null> {
  const results = await Promise.allSettled(counters.map(([counter, key]) => counter.consume(key)));
  const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (refused.length === 0) return null;
  const storeFailure = refused.find((reason) => !(reason instanceof RateLimiterRes));
  await Promise.all(counters.map(([counter, key], index) => (results[index]?.status === 'fulfilled' ? counter.reward(key) : undefined)));
  if (storeFailure !== undefined) throw storeFailure;
  return Math.max(...refused.map((reason) => (reason as RateLimiterRes).msBeforeNext / 1000));
}

/** Takes a point from each counter or throws 429 with Retry-After. */
export async function takeOrRefuse(counters: readonly Counter[]): Promise<void> {
  const wait = await takeAll(counters);
  if (wait !== null) throw tooManyRequests(wait);
}

export interface CheckSlots {
  /** A slot for one check under `key`, or null when the key or the process is at its cap. */
  claim(key: string): (() => void) | null;
}

export function createCheckSlots({ perKey, perProcess = Infinity }: { perKey: number; perProcess?: number }): CheckSlots {
  const running = new Map<string, number>();
  let runningInProcess = 0;
  return {
    claim(key) {
      const forKey = running.get(key) ?? 0;
      if (forKey >= perKey || runningInProcess >= perProcess) return null;
      running.set(key, forKey + 1);
      runningInProcess += 1;
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        runningInProcess -= 1;
        const left = (running.get(key) ?? 1) - 1;
        if (left === 0) running.delete(key);
        else running.set(key, left);
      };
    },
  };
}

/**
 * Lets one check through: a slot, then a point from every counter; 429 (with Retry-After) when either
 * is lacking, at once and without checking anything. `onSuccess` replaces the default refund.
 */
export async function beginAttempt({
  slots,
  slotKey,
  counters,
  onSuccess = () => Promise.all(counters.map(([counter, key]) => counter.reward(key))),
}: {
  slots: CheckSlots;
  slotKey: string;
  counters: readonly Counter[];
  onSuccess?: () => Promise<unknown>;
}): Promise<Attempt> {
  const release = slots.claim(slotKey);
  // Already checking this key (or at the process's cap): one more guess now can only be an attack.
  if (!release) throw tooManyRequests(1);
  try {
    await takeOrRefuse(counters);
  } catch (error) {
    release();
    throw error;
  }
  return {
    async succeeded() {
      release();
      await onSuccess();
    },
    failed: release,
  };
}

/** Settles the attempt with the outcome of the check, whatever happens during it; returns the check's result. */
export async function settleAttempt<T>(attempt: Attempt, check: () => Promise<T>, isSuccess: (result: T) => boolean): Promise<T> {
  let outcome: { result: T } | undefined;
  try {
    outcome = { result: await check() };
  } finally {
    if (!outcome || !isSuccess(outcome.result)) attempt.failed();
  }
  if (isSuccess(outcome.result)) await attempt.succeeded();
  return outcome.result;
}

import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { PRODUCTION_HASHING_COST } from '../config';
import type { PasswordHashingCost } from '../config';

export function hashPassword(password: string, cost: PasswordHashingCost = PRODUCTION_HASHING_COST): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

/** A malformed stored hash counts as a wrong password rather than an error the caller could observe. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Spends the same work as a real verification for an account that does not exist, so response
   * time does not tell which emails are registered (S18).
   */
  verifyAgainstDummy(password: string): Promise<false>;
}

export function createPasswordHasher(cost: PasswordHashingCost = PRODUCTION_HASHING_COST): PasswordHasher {
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => hashPassword(password, cost),
    verify: verifyPassword,
    async verifyAgainstDummy(password) {
      dummyHash ??= hashPassword(randomBytes(24).toString('base64url'), cost);
      await verifyPassword(await dummyHash, password);
      return false;
    },
  };
}

/** `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` (parameters in any order) → its parameters (S19 checks stored hashes with it). */
export function parseArgon2Hash(hash: string): { variant: string; version: number; memoryCost: number; timeCost: number; parallelism: number } | null {
  const match = /^\$(argon2(?:id|i|d))\$v=(\d+)\$([a-z]=\d+(?:,[a-z]=\d+)*)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(hash);
  if (!match) return null;
  const [, variant = '', version, list = ''] = match;
  const params = new Map(list.split(',').map((pair) => [pair.slice(0, 1), Number(pair.slice(2))]));
  const [memoryCost, timeCost, parallelism] = [params.get('m'), params.get('t'), params.get('p')];
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) return null;
  return { variant, version: Number(version), memoryCost, timeCost, parallelism };
}

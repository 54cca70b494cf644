import { describe, expect, it } from 'vitest';
import { PRODUCTION_HASHING_COST } from '../config';
import { createTestApp } from '../test/test-app';
import { createPasswordHasher, hashPassword, parseArgon2Hash, verifyPassword } from './passwords';
import { passwordProblem } from './password-policy';
import { register } from '../test/sign-in';

describe('password hashing', () => {
  it('S19: hashPassword uses argon2id with m=19456 KiB, t=2, p=1 by default', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(parseArgon2Hash(hash)).toEqual({ variant: 'argon2id', version: 19, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(PRODUCTION_HASHING_COST).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it('S19: an account registered with the production configuration stores such a hash', async () => {
    const t = await createTestApp({ passwordHashing: PRODUCTION_HASHING_COST });
    try {
      const credentials = await register(t.agent());
      const stored = await t.connection.collection<{ email: string; passwordHash: string }>('users').findOne({ email: credentials.email });
      const params = parseArgon2Hash(stored?.passwordHash ?? '');
      expect(params?.variant).toBe('argon2id');
      expect(params?.memoryCost).toBeGreaterThanOrEqual(19456);
      expect(params?.timeCost).toBeGreaterThanOrEqual(2);
      expect(params?.parallelism).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('verifies the right password, refuses a wrong one, and treats a malformed hash as a mismatch', async () => {
    const hash = await hashPassword('tiny cost here', { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(await verifyPassword(hash, 'tiny cost here')).toBe(true);
    expect(await verifyPassword(hash, 'tiny cost hera')).toBe(false);
    expect(await verifyPassword('not a hash', 'tiny cost here')).toBe(false);
  });

  it('spends a real verification on unknown accounts and always answers false', async () => {
    const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(await hasher.verifyAgainstDummy('anything at all')).toBe(false);
  });
});

describe('password policy', () => {
  it('refuses listed passwords case-insensitively and the account email', () => {
    expect(passwordProblem('Password123', { email: 'a@example.com' })).toMatch(/too common/);
    expect(passwordProblem('qwertyuiop', { email: 'a@example.com' })).toMatch(/too common/);
    expect(passwordProblem('Someone.Long@example.com', { email: 'someone.long@example.com' })).toMatch(/email/);
    expect(passwordProblem('someone.long', { email: 'someone.long@example.com' })).toMatch(/email/);
    expect(passwordProblem('correct horse battery staple', { email: 'a@example.com' })).toBeNull();
  });
});

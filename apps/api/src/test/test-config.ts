import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config';
import type { Config } from '../config';
import { PRODUCTION_THROTTLE_LIMITS } from '../config';
import type { ThrottleLimits } from '../config';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghij-klmnop';
export const TEST_SECRET_NEXT = 'test-secret-NEXT-9876543210-zyxwvutsrq-pon';
/** A fixed TOTP encryption key (32 bytes, base64), so no test writes a generated one. */
export const TEST_TOTP_KEY = 'dGVzdC10b3RwLWtleS0wMTIzNDU2Nzg5LWFiY2RlZmc=';

/** Cheap argon2 for tests that hash a lot; S19 checks the production cost separately. */
export const TEST_HASHING_COST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    SESSION_SECRETS: TEST_SECRET,
    TOTP_ENCRYPTION_KEYS: TEST_TOTP_KEY,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-test-')),
    WEB_DIST_DIR: join(tmpdir(), 'gatehouse-no-web-dist'),
    LOG_LEVEL: 'info',
    DB_TIMEOUT_MS: '2000',
    // No test reaches the public range API: the breached-password tests start their own range server (S48).
    PWNED_PASSWORDS: 'off',
    // Strict unless a test asks otherwise: tests change the database behind the app (and two apps share
    // one) and expect the very next request to see it. The coherent and auto modes have their own tests.
    SESSION_CACHE: 'off',
  });
  return { ...base, passwordHashing: TEST_HASHING_COST, throttle: RELAXED_THROTTLE_LIMITS, ...overrides };
}

/**
 * Tests register and sign in hundreds of times from 127.0.0.1, so by default throttling is out of
 * the way; the throttling tests (S16, S17, S32) pass PRODUCTION_THROTTLE_LIMITS explicitly.
 */
export const RELAXED_THROTTLE_LIMITS: ThrottleLimits = {
  signInPerEmailAndIp: { ...PRODUCTION_THROTTLE_LIMITS.signInPerEmailAndIp, points: 100_000 },
  signInPerEmail: { ...PRODUCTION_THROTTLE_LIMITS.signInPerEmail, points: 100_000 },
  signInPerIp: { ...PRODUCTION_THROTTLE_LIMITS.signInPerIp, points: 100_000 },
  signInPerKnownDevice: { ...PRODUCTION_THROTTLE_LIMITS.signInPerKnownDevice, points: 100_000 },
  registrationsPerIp: { ...PRODUCTION_THROTTLE_LIMITS.registrationsPerIp, points: 100_000 },
  secondFactorPerAccount: { ...PRODUCTION_THROTTLE_LIMITS.secondFactorPerAccount, points: 100_000 },
  secondFactorPerPendingSignIn: { ...PRODUCTION_THROTTLE_LIMITS.secondFactorPerPendingSignIn, points: 100_000 },
  secondFactorPerKnownDevice: { ...PRODUCTION_THROTTLE_LIMITS.secondFactorPerKnownDevice, points: 100_000 },
  secondFactorPerIp: { ...PRODUCTION_THROTTLE_LIMITS.secondFactorPerIp, points: 100_000 },
  passkeyChallengesPerIp: { ...PRODUCTION_THROTTLE_LIMITS.passkeyChallengesPerIp, points: 100_000 },
  mailPerAddress: { ...PRODUCTION_THROTTLE_LIMITS.mailPerAddress, points: 100_000 },
  mailPerIp: { ...PRODUCTION_THROTTLE_LIMITS.mailPerIp, points: 100_000 },
  linkChecksPerIp: { ...PRODUCTION_THROTTLE_LIMITS.linkChecksPerIp, points: 100_000 },
  concurrentChecksPerAccount: 1000,
  concurrentChecksPerProcess: 1000,
};

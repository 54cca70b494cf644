import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_THROTTLE_LIMITS, loadConfig, loadToolConfig, PRODUCTION_THROTTLE_LIMITS } from './config';

const secret = 'a'.repeat(32);
const totpKey = Buffer.alloc(32, 7).toString('base64');
const tempDir = () => mkdtempSync(join(tmpdir(), 'gatehouse-config-'));

describe('loadConfig', () => {
  it('has safe defaults for development', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      hosts: ['127.0.0.1', '::1'],
      cookieName: 'gh.sid',
      idleTimeoutSeconds: 1800,
      rememberMeIdleTimeoutSeconds: 30 * 24 * 3600,
      absoluteTimeoutSeconds: 30 * 24 * 3600,
      touchAfterSeconds: 60,
      reauthWindowSeconds: 300,
      trustProxy: false,
      dbTimeoutMs: 2000,
    });
    expect(config.mongodbUri).toBeUndefined();
    expect(config.allowedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(config.embeddedMongoAllowed).toBe(false);
  });

  it('S39: listens on loopback by default in development and test, on :: in production, where HOST says when set', () => {
    expect(loadConfig({ NODE_ENV: 'test', SESSION_SECRETS: secret }).hosts).toEqual(['127.0.0.1', '::1']);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRETS: secret, TOTP_ENCRYPTION_KEYS: totpKey }).hosts).toEqual(['::']);
    expect(loadConfig({ SESSION_SECRETS: secret, HOST: '0.0.0.0' }).hosts).toEqual(['0.0.0.0']);
    expect(loadConfig({ SESSION_SECRETS: secret, HOST: '' }).hosts).toEqual(['127.0.0.1', '::1']);
  });

  it('S39: the Vite dev server origins are allowed only while npm run dev passes them', () => {
    const dev = loadConfig({ SESSION_SECRETS: secret, DEV_SERVER_ORIGINS: 'http://localhost:5173,http://127.0.0.1:5173' });
    expect(dev.allowedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://localhost:5173', 'http://127.0.0.1:5173']);
    expect(() => loadConfig({ SESSION_SECRETS: secret, DEV_SERVER_ORIGINS: 'localhost:5173' })).toThrow(/DEV_SERVER_ORIGINS/);
  });

  it('mail: SMTP_URL is smtp:// or smtps://; links come from PUBLIC_URL (default: the app or dev server origin), never a request', () => {
    const dataDir = tempDir();
    const development = loadConfig({ SESSION_SECRETS: secret, DATA_DIR: dataDir });
    expect(development.mail).toEqual({
      smtpUrl: undefined,
      from: 'Gatehouse <no-reply@localhost>',
      publicUrl: 'http://localhost:3000',
      outboxDir: join(dataDir, 'outbox'),
    });
    expect(development.requireVerifiedEmail).toBe(false);
    expect(development.emailVerificationTtlSeconds).toBe(24 * 3600);
    expect(loadConfig({ SESSION_SECRETS: secret, DEV_SERVER_ORIGINS: 'http://localhost:5173' }).mail.publicUrl).toBe('http://localhost:5173');
    expect(loadConfig({ SESSION_SECRETS: secret, PUBLIC_URL: 'https://app.example.com/' }).mail.publicUrl).toBe('https://app.example.com');
    expect(() => loadConfig({ SESSION_SECRETS: secret, PUBLIC_URL: 'https://app.example.com/?x=1' })).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ SESSION_SECRETS: secret, SMTP_URL: 'smtp://user:pass@mail.example.com:587' }).mail.smtpUrl).toBe(
      'smtp://user:pass@mail.example.com:587',
    );
    expect(() => loadConfig({ SESSION_SECRETS: secret, SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ SESSION_SECRETS: secret, SMTP_URL: 'not a url' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ SESSION_SECRETS: secret, MAIL_FROM: 'nobody' })).toThrow(/MAIL_FROM/);
    expect(loadConfig({ SESSION_SECRETS: secret, MAIL_FROM: 'Acme <auth@acme.test>' }).mail.from).toBe('Acme <auth@acme.test>');
  });

  it('mail: production keeps no outbox, and refuses REQUIRE_VERIFIED_EMAIL=true without SMTP_URL', () => {
    const production = { NODE_ENV: 'production', SESSION_SECRETS: secret, TOTP_ENCRYPTION_KEYS: totpKey };
    expect(loadConfig(production).mail.outboxDir).toBeNull();
    expect(() => loadConfig({ ...production, REQUIRE_VERIFIED_EMAIL: 'true' })).toThrow(/REQUIRE_VERIFIED_EMAIL=true needs SMTP_URL/);
    expect(loadConfig({ ...production, REQUIRE_VERIFIED_EMAIL: 'true', SMTP_URL: 'smtp://mailpit:1025' }).requireVerifiedEmail).toBe(true);
    expect(() => loadConfig({ ...production, REQUIRE_VERIFIED_EMAIL: 'yes' })).toThrow(/REQUIRE_VERIFIED_EMAIL/);
  });

  it('S39: EMBEDDED_MONGO accepts only "allow"', () => {
    expect(loadConfig({ SESSION_SECRETS: secret, EMBEDDED_MONGO: 'allow' }).embeddedMongoAllowed).toBe(true);
    expect(() => loadConfig({ SESSION_SECRETS: secret, EMBEDDED_MONGO: 'yes' })).toThrow(/EMBEDDED_MONGO/);
  });

  it('S29: generates a development secret once and keeps it across restarts', () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir }).sessionSecrets;
    expect(existsSync(join(dataDir, 'session-secret'))).toBe(true);
    expect(first[0]?.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dataDir }).sessionSecrets).toEqual(first);
    expect(readFileSync(join(dataDir, 'session-secret'), 'utf8').trim()).toBe(first[0]);
  });

  it('S29: production requires secrets of at least 32 characters and uses the __Host- cookie', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrow(/SESSION_SECRETS is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRETS: `${secret},short` })).toThrow(/secret #2 has 5 characters/);
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRETS: `${secret}, ${'b'.repeat(40)}`, TOTP_ENCRYPTION_KEYS: totpKey });
    expect(config.sessionSecrets).toEqual([secret, 'b'.repeat(40)]);
    expect(config.cookieName).toBe('__Host-gh.sid');
    expect(config.allowedOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
  });

  it('S36: generates the TOTP encryption key once (0600) outside production, requires it in production, checks its size', () => {
    const dataDir = tempDir();
    const first = loadConfig({ SESSION_SECRETS: secret, DATA_DIR: dataDir }).totpEncryptionKeys;
    expect(first).toHaveLength(1);
    expect(first[0]?.length).toBe(32);
    expect(statSync(join(dataDir, 'totp-encryption-key')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ SESSION_SECRETS: secret, DATA_DIR: dataDir }).totpEncryptionKeys).toEqual(first);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRETS: secret, DATA_DIR: tempDir() })).toThrow(
      /TOTP_ENCRYPTION_KEYS is required in production/,
    );
    expect(() => loadConfig({ SESSION_SECRETS: secret, TOTP_ENCRYPTION_KEYS: 'c2hvcnQ=' })).toThrow(/TOTP_ENCRYPTION_KEYS: key #1/);
    const hex = 'ab'.repeat(32);
    const rotated = loadConfig({ SESSION_SECRETS: secret, TOTP_ENCRYPTION_KEYS: `${hex},${totpKey}` }).totpEncryptionKeys;
    expect(rotated.map((key) => key.toString('hex'))).toEqual([hex, Buffer.from(totpKey, 'base64').toString('hex')]);
  });

  it('S38: the WebAuthn relying party comes from configuration, its origins on its domain', () => {
    const base = { SESSION_SECRETS: secret, TOTP_ENCRYPTION_KEYS: totpKey };
    expect(loadConfig(base).webauthn).toEqual({ rpId: 'localhost', origins: ['http://localhost:3000'] });
    const deployed = loadConfig({ ...base, ALLOWED_ORIGINS: 'https://app.example.com,https://example.com', WEBAUTHN_RP_ID: 'example.com' });
    expect(deployed.webauthn).toEqual({ rpId: 'example.com', origins: ['https://app.example.com', 'https://example.com'] });
    expect(() => loadConfig({ ...base, WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://evil.example.net' })).toThrow(/WEBAUTHN_ORIGINS/);
    expect(loadConfig(base).requireAdminSecondFactor).toBe(false);
    expect(loadConfig({ ...base, REQUIRE_ADMIN_SECOND_FACTOR: 'true' }).requireAdminSecondFactor).toBe(true);
    expect(() => loadConfig({ ...base, REQUIRE_ADMIN_SECOND_FACTOR: 'yes' })).toThrow(/REQUIRE_ADMIN_SECOND_FACTOR/);
  });

  it('S47: keeps activity 365 days unless ACTIVITY_RETENTION_DAYS says (1 to 3650), the same for the tools', () => {
    const day = 24 * 3600;
    expect(loadConfig({ DATA_DIR: tempDir() }).activityRetentionSeconds).toBe(365 * day);
    expect(loadConfig({ DATA_DIR: tempDir(), ACTIVITY_RETENTION_DAYS: '30' }).activityRetentionSeconds).toBe(30 * day);
    expect(loadToolConfig({ DATA_DIR: tempDir(), ACTIVITY_RETENTION_DAYS: '30' }).activityRetentionSeconds).toBe(30 * day);
    for (const value of ['0', '3651', '1.5', 'forever']) {
      expect(() => loadConfig({ DATA_DIR: tempDir(), ACTIVITY_RETENTION_DAYS: value })).toThrow(/ACTIVITY_RETENTION_DAYS/);
    }
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ SESSION_SECRETS: secret, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ SESSION_SECRETS: secret, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SESSION_SECRETS: secret, MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
    expect(() => loadConfig({ SESSION_SECRETS: secret, ALLOWED_ORIGINS: 'https://app.example.com/' })).toThrow(/ALLOWED_ORIGINS.*https:\/\/app\.example\.com/);
    expect(() => loadConfig({ SESSION_SECRETS: secret, IDLE_TIMEOUT_SECONDS: '60', TOUCH_AFTER_SECONDS: '60' })).toThrow(/TOUCH_AFTER_SECONDS/);
  });

  it('logs readable lines to a terminal outside production, JSON otherwise, unless LOG_FORMAT says', () => {
    const dev = { SESSION_SECRETS: secret, DATA_DIR: tempDir() };
    expect(loadConfig(dev, { isTerminal: true }).logFormat).toBe('pretty');
    expect(loadConfig(dev, { isTerminal: false }).logFormat).toBe('json');
    expect(loadConfig({ ...dev, NODE_ENV: 'production', MONGODB_URI: 'mongodb://db/x', TOTP_ENCRYPTION_KEYS: totpKey }, { isTerminal: true }).logFormat).toBe(
      'json',
    );
    expect(loadConfig({ ...dev, LOG_FORMAT: 'pretty' }, { isTerminal: false }).logFormat).toBe('pretty');
    expect(loadConfig({ ...dev, LOG_FORMAT: 'json' }, { isTerminal: true }).logFormat).toBe('json');
    expect(() => loadConfig({ ...dev, LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT/);
  });

  it('SESSION_CACHE is auto unless set to off or coherent; anything else is a ConfigError naming the variable', () => {
    const base = { SESSION_SECRETS: secret };
    expect(loadConfig(base)).toMatchObject({ sessionCache: 'auto', sessionCacheMaxEntries: 10_000 });
    expect(loadConfig({ ...base, SESSION_CACHE: '' }).sessionCache).toBe('auto');
    expect(loadConfig({ ...base, SESSION_CACHE: 'auto' }).sessionCache).toBe('auto');
    expect(loadConfig({ ...base, SESSION_CACHE: 'off' }).sessionCache).toBe('off');
    expect(loadConfig({ ...base, SESSION_CACHE: 'coherent', SESSION_CACHE_MAX_ENTRIES: '500' })).toMatchObject({
      sessionCache: 'coherent',
      sessionCacheMaxEntries: 500,
    });
    for (const wrong of ['on', 'true', 'Coherent', 'memory']) {
      expect(() => loadConfig({ ...base, SESSION_CACHE: wrong })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, SESSION_CACHE: wrong })).toThrow(/SESSION_CACHE/);
    }
    for (const wrong of ['0', '-1', '2.5', 'many'])
      expect(() => loadConfig({ ...base, SESSION_CACHE_MAX_ENTRIES: wrong })).toThrow(/SESSION_CACHE_MAX_ENTRIES/);
  });

  it('parses trust proxy as a boolean, a hop count or an address list', () => {
    expect(loadConfig({ SESSION_SECRETS: secret, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ SESSION_SECRETS: secret, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ SESSION_SECRETS: secret, TRUST_PROXY: 'loopback, uniquelocal' }).trustProxy).toBe('loopback, uniquelocal');
  });

  it('derives touchAfter from the idle timeout: at most 60 s and half of it', () => {
    expect(loadConfig({ SESSION_SECRETS: secret, IDLE_TIMEOUT_SECONDS: '30' }).touchAfterSeconds).toBe(15);
  });

  it('S16, S32: the sign-in throttle is strict in production, roomier per address elsewhere, and every limit comes from the environment', () => {
    const production = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRETS: secret,
      TOTP_ENCRYPTION_KEYS: totpKey,
      MONGODB_URI: 'mongodb://db/gatehouse',
      DATA_DIR: tempDir(),
    });
    expect(production.throttle).toEqual(PRODUCTION_THROTTLE_LIMITS);
    expect(production.throttle.signInPerIp).toEqual({ points: 100, durationSeconds: 86400 });
    const development = loadConfig({ DATA_DIR: tempDir() });
    expect(development.throttle.registrationsPerIp.points).toBeGreaterThanOrEqual(200);
    expect(development.throttle.signInPerEmailAndIp).toEqual(PRODUCTION_THROTTLE_LIMITS.signInPerEmailAndIp);

    const tuned = loadConfig({
      DATA_DIR: tempDir(),
      THROTTLE_SIGN_IN_PER_EMAIL_AND_IP: '5/60',
      THROTTLE_SIGN_IN_PER_EMAIL: '50/3600',
      THROTTLE_SIGN_IN_PER_IP: '500/3600',
      THROTTLE_SIGN_IN_PER_KNOWN_DEVICE: '20/600',
      THROTTLE_REGISTRATIONS_PER_IP: '3/86400',
      MAX_CONCURRENT_PASSWORD_CHECKS_PER_ACCOUNT: '1',
      MAX_CONCURRENT_PASSWORD_CHECKS: '8',
      THROTTLE_SECOND_FACTOR_PER_ACCOUNT: '5/300',
      THROTTLE_SECOND_FACTOR_PER_IP: '50/3600',
      THROTTLE_MAIL_PER_ADDRESS: '2/600',
      THROTTLE_MAIL_PER_IP: '40/3600',
      THROTTLE_LINK_CHECKS_PER_IP: '60/3600',
    });
    expect(tuned.throttle).toEqual({
      mailPerAddress: { points: 2, durationSeconds: 600 },
      mailPerIp: { points: 40, durationSeconds: 3600 },
      linkChecksPerIp: { points: 60, durationSeconds: 3600 },
      signInPerEmailAndIp: { points: 5, durationSeconds: 60 },
      signInPerEmail: { points: 50, durationSeconds: 3600 },
      signInPerIp: { points: 500, durationSeconds: 3600 },
      signInPerKnownDevice: { points: 20, durationSeconds: 600 },
      registrationsPerIp: { points: 3, durationSeconds: 86400 },
      secondFactorPerAccount: { points: 5, durationSeconds: 300 },
      secondFactorPerIp: { points: 50, durationSeconds: 3600 },
      secondFactorPerPendingSignIn: DEVELOPMENT_THROTTLE_LIMITS.secondFactorPerPendingSignIn,
      secondFactorPerKnownDevice: DEVELOPMENT_THROTTLE_LIMITS.secondFactorPerKnownDevice,
      passkeyChallengesPerIp: DEVELOPMENT_THROTTLE_LIMITS.passkeyChallengesPerIp,
      concurrentChecksPerAccount: 1,
      concurrentChecksPerProcess: 8,
    });
  });

  it.each([
    ['THROTTLE_SIGN_IN_PER_EMAIL', 'ten'],
    ['THROTTLE_SIGN_IN_PER_IP', '0/60'],
    ['THROTTLE_REGISTRATIONS_PER_IP', '10'],
    ['MAX_CONCURRENT_PASSWORD_CHECKS', '0'],
    ['THROTTLE_MAIL_PER_ADDRESS', '5'],
    ['THROTTLE_LINK_CHECKS_PER_IP', '0/3600'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    expect(() => loadConfig({ DATA_DIR: tempDir(), [variable]: value })).toThrow(new RegExp(variable));
  });
});

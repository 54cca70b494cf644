import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SessionLimitPolicySchema } from '@gatehouse/types/sessions';
import type { SessionLimitPolicy } from '@gatehouse/types/sessions';
import { ConfigError } from './config-error';
import { parseOidcProviders } from './oidc/oidc-config';
import type { OidcProviderConfig } from './oidc/oidc-config';

/** argon2id cost. Production values follow OWASP (m=19 MiB, t=2, p=1); only tests may pass lower ones. */
export interface PasswordHashingCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const PRODUCTION_HASHING_COST: PasswordHashingCost = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const SESSION_SECRET_MIN_LENGTH = 32;

/** In the data directory outside production when TOTP_ENCRYPTION_KEYS is unset: the generated key (0600). */
export const TOTP_KEY_FILE = 'totp-encryption-key';
export const TOTP_KEY_BYTES = 32;

/** In the data directory while the API runs its embedded engine: where (and with which credentials) tools find it. */
export const EMBEDDED_MONGO_FILE = 'embedded-mongo.json';
/** The embedded engine's files (`dataDir/db`) and the database the API uses in it. */
export const EMBEDDED_MONGO_DIR = 'db';
export const EMBEDDED_DATABASE_NAME = 'gatehouse';

/** Cookie names; production prefixes them `__Host-` (Secure, Path=/, no Domain: S5). */
export const SESSION_COOKIE = 'gh.sid';
export const DEVICE_COOKIE = 'gh.device';
export const DEVICE_BOUND_COOKIE = 'gh.bound';

/** In the data directory outside production: every message the server sends, one 0600 file each. */
export const OUTBOX_DIR = 'outbox';

/** The public Pwned Passwords range API; PWNED_PASSWORDS_URL points elsewhere (a mirror, a test server). */
export const PUBLIC_PWNED_PASSWORDS_URL = 'https://api.pwnedpasswords.com/range/';
/** A range look-up slower than this counts as "service down": the password is let through (fail open). */
export const PWNED_PASSWORDS_TIMEOUT_MS = 1500;

/** Where breached passwords are looked up, by k-anonymity (breached-passwords/); null: PWNED_PASSWORDS=off. */
export interface BreachedPasswordsConfig {
  /** The range API's address; the first five hex digits of the SHA-1 are appended to it. */
  rangeUrl: string;
  timeoutMs: number;
}

/** A password-reset link works for 30 minutes (OWASP Forgot Password cheat sheet: short-lived). */
export const PASSWORD_RESET_TTL_SECONDS = 30 * 60;
const hostPrefixed = (name: string, isProduction: boolean) => (isProduction ? `__Host-${name}` : name);

/** At most `points` in `durationSeconds`. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** Every limit of the throttles (throttle/ explains each); the environment sets them. */
export interface ThrottleLimits {
  signInPerEmailAndIp: RateLimit;
  signInPerEmail: RateLimit;
  signInPerIp: RateLimit;
  signInPerKnownDevice: RateLimit;
  registrationsPerIp: RateLimit;
  /** Authenticator-app and recovery codes (second step, enrolment): per account, whoever guesses. */
  secondFactorPerAccount: RateLimit;
  secondFactorPerIp: RateLimit;
  /** Codes tried within one pending sign-in: past it, the password must be given again. */
  secondFactorPerPendingSignIn: RateLimit;
  /** Codes tried from a browser that signed in to the account before: its own budget, like passwords (S44). */
  secondFactorPerKnownDevice: RateLimit;
  /** Passkey challenges handed to one address (each is a stored document until it expires). */
  passkeyChallengesPerIp: RateLimit;
  /** Mail a request can make the server send to one address (reset, verification, notices). */
  mailPerAddress: RateLimit;
  /** Requests from one IP that send mail (forgot password, registration notices, resends). */
  mailPerIp: RateLimit;
  /** One-time links (reset, verification) presented from one IP, used or not. */
  linkChecksPerIp: RateLimit;
  concurrentChecksPerAccount: number;
  concurrentChecksPerProcess: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Production: strict. Development and tests: the per-address limits let one machine run a browser suite. */
export const PRODUCTION_THROTTLE_LIMITS: ThrottleLimits = {
  signInPerEmailAndIp: { points: 10, durationSeconds: HOUR },
  signInPerEmail: { points: 100, durationSeconds: DAY },
  signInPerIp: { points: 100, durationSeconds: DAY },
  signInPerKnownDevice: { points: 10, durationSeconds: HOUR },
  registrationsPerIp: { points: 10, durationSeconds: HOUR },
  secondFactorPerAccount: { points: 10, durationSeconds: 15 * 60 },
  secondFactorPerIp: { points: 100, durationSeconds: HOUR },
  secondFactorPerPendingSignIn: { points: 5, durationSeconds: 15 * 60 },
  secondFactorPerKnownDevice: { points: 10, durationSeconds: 15 * 60 },
  passkeyChallengesPerIp: { points: 300, durationSeconds: HOUR },
  mailPerAddress: { points: 5, durationSeconds: HOUR },
  mailPerIp: { points: 20, durationSeconds: HOUR },
  linkChecksPerIp: { points: 30, durationSeconds: HOUR },
  concurrentChecksPerAccount: 2,
  concurrentChecksPerProcess: 16,
};

export const DEVELOPMENT_THROTTLE_LIMITS: ThrottleLimits = {
  ...PRODUCTION_THROTTLE_LIMITS,
  signInPerIp: { points: 2000, durationSeconds: HOUR },
  registrationsPerIp: { points: 1000, durationSeconds: HOUR },
  secondFactorPerIp: { points: 2000, durationSeconds: HOUR },
  passkeyChallengesPerIp: { points: 5000, durationSeconds: HOUR },
  mailPerIp: { points: 1000, durationSeconds: HOUR },
  linkChecksPerIp: { points: 1000, durationSeconds: HOUR },
};

/** How the server sends mail and what its links point at. */
export interface MailConfig {
  /** `smtp://` or `smtps://` with credentials if needed; unset outside production: the outbox only. */
  smtpUrl: string | undefined;
  /** The From header, e.g. `Gatehouse <no-reply@example.com>`. */
  from: string;
  /** Where the SPA is reached, for links in mail; never taken from a request's Host header. */
  publicUrl: string;
  /** Outside production every message is also kept here (0600 files) for GET /api/dev/outbox. */
  outboxDir: string | null;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  isProduction: boolean;
  port: number;
  /** Addresses to listen on: loopback (IPv4 and IPv6) unless HOST says otherwise, `::` in production. */
  hosts: string[];
  /** Unset: server.ts starts the embedded engine with its data in `dataDir/db`. */
  mongodbUri: string | undefined;
  /** EMBEDDED_MONGO=allow: production may run on the embedded engine (without it, it refuses to). */
  embeddedMongoAllowed: boolean;
  dataDir: string;
  /** First one signs, every one verifies: rotation without signing everyone out. */
  sessionSecrets: string[];
  /** `gh.sid`, or `__Host-gh.sid` in production. */
  cookieName: string;
  /** `gh.device`, or `__Host-gh.device` in production (devices/device-cookie.ts). */
  deviceCookieName: string;
  idleTimeoutSeconds: number;
  rememberMeIdleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  touchAfterSeconds: number;
  reauthWindowSeconds: number;
  trustProxy: boolean | number | string;
  allowedOrigins: string[];
  logLevel: string;
  /** `pretty` (pino-pretty, human-readable) or `json`, one object per line for log collectors. */
  logFormat: 'json' | 'pretty';
  shutdownGraceMs: number;
  livePollIntervalMs: number;
  /**
   * `off` (strict): every request reads its session from the database, so an ending is refused by every
   * instance at the next request. `coherent`: sessions are served from memory; endings and account
   * changes evict them at once on the instance that made them and through the change stream elsewhere.
   * `auto` (default): coherent when the database offers change streams, strict otherwise.
   */
  sessionCache: SessionCacheMode;
  /** Sessions one instance keeps in memory with `coherent` (least recently used go first). */
  sessionCacheMaxEntries: number;
  /** At most this many sessions per account (0: no cap); pending second-step sign-ins do not count. */
  maxSessionsPerAccount: number;
  /** What a sign-in over the cap does: end the account's least recently active session, or refuse (409). */
  sessionLimitPolicy: SessionLimitPolicy;
  webDistDir: string;
  dbTimeoutMs: number;
  passwordHashing: PasswordHashingCost;
  throttle: ThrottleLimits;
  /** AES-256-GCM keys for TOTP secrets at rest: the first encrypts, every one decrypts (rotation). */
  totpEncryptionKeys: Buffer[];
  /** How long a password sign-in waits for its second factor before it must start again. */
  secondFactorTimeoutSeconds: number;
  /** Shown in authenticator apps (TOTP issuer) and by the browser for passkeys (relying party name). */
  serviceName: string;
  /** WebAuthn relying party: passkeys are bound to this domain and accepted only from these origins (S38). */
  webauthn: { rpId: string; origins: string[] };
  /** Administrators must enrol a second factor before the admin API answers them. */
  requireAdminSecondFactor: boolean;
  mail: MailConfig;
  /** Whether an account must have confirmed its address before it may sign in (default: no, with a banner). */
  requireVerifiedEmail: boolean;
  emailVerificationTtlSeconds: number;
  /** How long activity entries are kept (a TTL index on their time); ACTIVITY_RETENTION_DAYS. */
  activityRetentionSeconds: number;
  /** OpenID Connect providers people may sign in with (none unless OIDC_PROVIDERS names some). */
  oidcProviders: OidcProviderConfig[];
  /** Device-bound sessions (DBSC, device-binding/): browsers that support it are asked to bind each new session. */
  deviceBinding: DeviceBindingConfig;
  /** Whether sessions show an approximate place for their IP (offline GeoLite2 database; location/places.ts). */
  geoip: boolean;
  /** Breached-password look-ups (on by default); null when PWNED_PASSWORDS=off. */
  breachedPasswords: BreachedPasswordsConfig | null;
}

export interface DeviceBindingConfig {
  /** DEVICE_BOUND_SESSIONS=off stops asking; sessions bound before keep their binding (and can refresh). */
  isOffered: boolean;
  /** `gh.bound`, or `__Secure-gh.bound` in production (scoped to /api, so `__Host-` cannot apply). */
  cookieName: string;
  /** Lifetime of the short bound cookie: how long a copied one keeps working. */
  cookieSeconds: number;
}

export const SESSION_CACHE_MODES = ['auto', 'off', 'coherent'] as const;
export type SessionCacheMode = (typeof SESSION_CACHE_MODES)[number];

export { ConfigError };

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (parsed.workspaces) return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
/** `<points>/<seconds>`, e.g. `10/3600`: ten in an hour. */
const rateLimit = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .regex(/^\d+\/\d+$/, 'must be <points>/<seconds>, e.g. 10/3600')
    .transform((value): RateLimit => {
      const [points = 0, durationSeconds = 0] = value.split('/').map(Number);
      return { points, durationSeconds };
    })
    .refine((limit) => limit.points > 0 && limit.durationSeconds > 0, 'points and seconds must both be positive')
    .optional(),
);
const count = z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().optional());

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  MONGODB_URI: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  EMBEDDED_MONGO: z.preprocess(emptyAsUndefined, z.enum(['allow']).optional()),
  /** Set by `npm run dev`: the Vite dev server's origins, allowed only while it runs. */
  DEV_SERVER_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  SESSION_SECRETS: z.preprocess(emptyAsUndefined, z.string().optional()),
  IDLE_TIMEOUT_SECONDS: seconds(30 * 60),
  REMEMBER_ME_IDLE_TIMEOUT_SECONDS: seconds(30 * 24 * 3600),
  ABSOLUTE_TIMEOUT_SECONDS: seconds(30 * 24 * 3600),
  TOUCH_AFTER_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).optional()),
  REAUTH_WINDOW_SECONDS: seconds(300),
  DEVICE_BOUND_SESSIONS: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  DEVICE_BOUND_COOKIE_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(5).max(86_400).default(600)),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.string().optional()),
  ALLOWED_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'pretty']).optional()),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
  LIVE_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(2000),
  SESSION_CACHE: z.preprocess(emptyAsUndefined, z.enum(SESSION_CACHE_MODES).default('auto')),
  SESSION_CACHE_MAX_ENTRIES: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(10_000)),
  MAX_SESSIONS_PER_ACCOUNT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(1000).default(0)),
  SESSION_LIMIT_POLICY: z.preprocess(emptyAsUndefined, SessionLimitPolicySchema.default('evict-oldest')),
  WEB_DIST_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  DB_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  THROTTLE_SIGN_IN_PER_EMAIL_AND_IP: rateLimit,
  THROTTLE_SIGN_IN_PER_EMAIL: rateLimit,
  THROTTLE_SIGN_IN_PER_IP: rateLimit,
  THROTTLE_SIGN_IN_PER_KNOWN_DEVICE: rateLimit,
  THROTTLE_REGISTRATIONS_PER_IP: rateLimit,
  MAX_CONCURRENT_PASSWORD_CHECKS_PER_ACCOUNT: count,
  MAX_CONCURRENT_PASSWORD_CHECKS: count,
  THROTTLE_SECOND_FACTOR_PER_ACCOUNT: rateLimit,
  THROTTLE_SECOND_FACTOR_PER_IP: rateLimit,
  TOTP_ENCRYPTION_KEYS: z.preprocess(emptyAsUndefined, z.string().optional()),
  SECOND_FACTOR_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  SERVICE_NAME: z.preprocess(emptyAsUndefined, z.string().trim().min(1).max(64).default('Gatehouse')),
  WEBAUTHN_RP_ID: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-z0-9.-]+$/, 'must be a domain name such as example.com')
      .optional(),
  ),
  WEBAUTHN_ORIGINS: z.preprocess(emptyAsUndefined, z.string().optional()),
  REQUIRE_ADMIN_SECOND_FACTOR: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
  THROTTLE_MAIL_PER_ADDRESS: rateLimit,
  THROTTLE_MAIL_PER_IP: rateLimit,
  THROTTLE_LINK_CHECKS_PER_IP: rateLimit,
  SMTP_URL: z.preprocess(emptyAsUndefined, z.string().refine(isSmtpUrl, 'must be smtp://[user:password@]host[:port] or smtps://…').optional()),
  MAIL_FROM: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/<[^<>@\s]+@[^<>@\s]+>$|^[^<>@\s]+@[^<>@\s]+$/, 'must be an address, e.g. Gatehouse <no-reply@example.com>')
      .optional(),
  ),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.string().optional()),
  REQUIRE_VERIFIED_EMAIL: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('false')),
  EMAIL_VERIFICATION_TTL_SECONDS: seconds(24 * 3600),
  GEOIP: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  // A year by default: audits (SOC 2, ISO 27001) look back twelve months; at most ten years.
  ACTIVITY_RETENTION_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(3650).default(365)),
  PWNED_PASSWORDS: z.preprocess(emptyAsUndefined, z.enum(['on', 'off']).default('on')),
  PWNED_PASSWORDS_URL: z.preprocess(emptyAsUndefined, z.string().optional()),
});

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

type Env = z.infer<typeof EnvSchema>;

function throttleLimits(e: Env): ThrottleLimits {
  const defaults = e.NODE_ENV === 'production' ? PRODUCTION_THROTTLE_LIMITS : DEVELOPMENT_THROTTLE_LIMITS;
  return {
    signInPerEmailAndIp: e.THROTTLE_SIGN_IN_PER_EMAIL_AND_IP ?? defaults.signInPerEmailAndIp,
    signInPerEmail: e.THROTTLE_SIGN_IN_PER_EMAIL ?? defaults.signInPerEmail,
    signInPerIp: e.THROTTLE_SIGN_IN_PER_IP ?? defaults.signInPerIp,
    signInPerKnownDevice: e.THROTTLE_SIGN_IN_PER_KNOWN_DEVICE ?? defaults.signInPerKnownDevice,
    registrationsPerIp: e.THROTTLE_REGISTRATIONS_PER_IP ?? defaults.registrationsPerIp,
    secondFactorPerAccount: e.THROTTLE_SECOND_FACTOR_PER_ACCOUNT ?? defaults.secondFactorPerAccount,
    secondFactorPerIp: e.THROTTLE_SECOND_FACTOR_PER_IP ?? defaults.secondFactorPerIp,
    secondFactorPerPendingSignIn: defaults.secondFactorPerPendingSignIn,
    secondFactorPerKnownDevice: defaults.secondFactorPerKnownDevice,
    passkeyChallengesPerIp: defaults.passkeyChallengesPerIp,
    mailPerAddress: e.THROTTLE_MAIL_PER_ADDRESS ?? defaults.mailPerAddress,
    mailPerIp: e.THROTTLE_MAIL_PER_IP ?? defaults.mailPerIp,
    linkChecksPerIp: e.THROTTLE_LINK_CHECKS_PER_IP ?? defaults.linkChecksPerIp,
    concurrentChecksPerAccount: e.MAX_CONCURRENT_PASSWORD_CHECKS_PER_ACCOUNT ?? defaults.concurrentChecksPerAccount,
    concurrentChecksPerProcess: e.MAX_CONCURRENT_PASSWORD_CHECKS ?? defaults.concurrentChecksPerProcess,
  };
}

/** Express's `trust proxy`: "true"/"false", a hop count, or a list of addresses/ranges. */
function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

function parseOrigins(raw: string, variable: string): string[] {
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        throw new ConfigError(`${variable}: "${origin}" is not an origin such as https://app.example.com`);
      }
      if (parsed.origin !== origin) throw new ConfigError(`${variable}: "${origin}" must be written exactly as ${parsed.origin}`);
      return origin;
    });
}

/** An http(s) URL without query or fragment; links are built by appending paths to it. */
function parsePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL: "${raw}" is not a URL such as https://app.example.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new ConfigError(`PUBLIC_URL: "${raw}" must be an http(s) URL without credentials, query or fragment`);
  }
  return url.toString().replace(/\/+$/, '');
}

function mailConfig(e: Env, env: Config['env'], dataDir: string, origins: { allowed: string[]; devServer: string[] }): MailConfig {
  if (env === 'production' && e.REQUIRE_VERIFIED_EMAIL === 'true' && e.SMTP_URL === undefined) {
    throw new ConfigError('REQUIRE_VERIFIED_EMAIL=true needs SMTP_URL: without mail nobody could confirm an address and sign in');
  }
  // The SPA's address for links: the dev server's while `npm run dev` runs, else the app's own origin.
  const fallback = origins.devServer[0] ?? origins.allowed[0] ?? 'http://localhost:3000';
  return {
    smtpUrl: e.SMTP_URL,
    from: e.MAIL_FROM ?? 'Gatehouse <no-reply@localhost>',
    publicUrl: parsePublicUrl(e.PUBLIC_URL ?? fallback),
    outboxDir: env === 'production' ? null : join(dataDir, OUTBOX_DIR),
  };
}

/** An http(s) URL the hash prefix is appended to, e.g. `https://api.pwnedpasswords.com/range/`. */
function breachedPasswordsConfig(e: Env): BreachedPasswordsConfig | null {
  if (e.PWNED_PASSWORDS === 'off') return null;
  const raw = e.PWNED_PASSWORDS_URL ?? PUBLIC_PWNED_PASSWORDS_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PWNED_PASSWORDS_URL: "${raw}" is not a URL such as ${PUBLIC_PWNED_PASSWORDS_URL}`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(`PWNED_PASSWORDS_URL: "${raw}" must be an http(s) URL without credentials, query or fragment (the prefix is appended to it)`);
  }
  return { rangeUrl: url.toString(), timeoutMs: PWNED_PASSWORDS_TIMEOUT_MS };
}

/** In development a secret is generated once and kept, so sessions survive restarts (S29). */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function parseSecrets(raw: string | undefined, env: Config['env'], dataDir: string): string[] {
  if (raw === undefined) {
    if (env === 'production') throw new ConfigError('SESSION_SECRETS is required in production (comma-separated, each at least 32 characters)');
    return [developmentSecret(dataDir)];
  }
  const secrets = raw
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
  if (secrets.length === 0) throw new ConfigError('SESSION_SECRETS is empty');
  secrets.forEach((secret, index) => {
    if (secret.length < SESSION_SECRET_MIN_LENGTH) {
      throw new ConfigError(`SESSION_SECRETS: secret #${index + 1} has ${secret.length} characters; use at least ${SESSION_SECRET_MIN_LENGTH} random ones`);
    }
  });
  return secrets;
}

/** A 32-byte key written as 64 hex digits or as base64 / base64url (`openssl rand -base64 32`). */
function decodeKey(text: string): Buffer | null {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return null;
  const key = Buffer.from(text, 'base64');
  return key.length === TOTP_KEY_BYTES ? key : null;
}

/** Like the session secret: generated once outside production, so enrolments survive restarts. */
function developmentTotpKey(dataDir: string): string {
  const file = join(dataDir, TOTP_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(TOTP_KEY_BYTES).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

function parseTotpKeys(raw: string | undefined, env: Config['env'], dataDir: string): Buffer[] {
  if (raw === undefined && env === 'production') {
    throw new ConfigError('TOTP_ENCRYPTION_KEYS is required in production (comma-separated 32-byte keys, e.g. `openssl rand -base64 32`)');
  }
  const texts = (raw ?? developmentTotpKey(dataDir))
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (texts.length === 0) throw new ConfigError('TOTP_ENCRYPTION_KEYS is empty');
  return texts.map((text, index) => {
    const key = decodeKey(text);
    if (!key) throw new ConfigError(`TOTP_ENCRYPTION_KEYS: key #${index + 1} is not 32 bytes in hex (64 digits) or base64`);
    return key;
  });
}

/**
 * The relying party defaults to the host of the first allowed origin, and accepts every allowed origin on
 * that domain. A passkey made for one RP ID works nowhere else, so production should set it knowingly.
 */
function webauthnSettings(rpIdSetting: string | undefined, originsSetting: string | undefined, allowedOrigins: string[]): Config['webauthn'] {
  const firstHost = allowedOrigins[0] === undefined ? 'localhost' : new URL(allowedOrigins[0]).hostname;
  const rpId = rpIdSetting ?? firstHost;
  const isOnDomain = (origin: string) => {
    const host = new URL(origin).hostname;
    return host === rpId || host.endsWith(`.${rpId}`);
  };
  const origins = originsSetting === undefined ? allowedOrigins.filter(isOnDomain) : parseOrigins(originsSetting, 'WEBAUTHN_ORIGINS');
  const offDomain = origins.find((origin) => !isOnDomain(origin));
  if (offDomain !== undefined) throw new ConfigError(`WEBAUTHN_ORIGINS: ${offDomain} is not on the relying party's domain ${rpId} (WEBAUTHN_RP_ID)`);
  if (origins.length === 0) throw new ConfigError(`WEBAUTHN_ORIGINS: no allowed origin is on ${rpId}; set WEBAUTHN_RP_ID or WEBAUTHN_ORIGINS`);
  return { rpId, origins };
}

type SessionTimeouts = Pick<Config, 'idleTimeoutSeconds' | 'rememberMeIdleTimeoutSeconds' | 'absoluteTimeoutSeconds' | 'touchAfterSeconds'>;

function sessionTimeouts(
  e: Pick<Env, 'IDLE_TIMEOUT_SECONDS' | 'REMEMBER_ME_IDLE_TIMEOUT_SECONDS' | 'ABSOLUTE_TIMEOUT_SECONDS' | 'TOUCH_AFTER_SECONDS'>,
): SessionTimeouts {
  const idleTimeoutSeconds = e.IDLE_TIMEOUT_SECONDS;
  const touchAfterSeconds = e.TOUCH_AFTER_SECONDS ?? Math.min(60, Math.floor(idleTimeoutSeconds / 2));
  if (touchAfterSeconds >= idleTimeoutSeconds) {
    // The idle deadline only moves on a write; writing less often than the timeout would end active sessions.
    throw new ConfigError(`TOUCH_AFTER_SECONDS (${touchAfterSeconds}) must be smaller than IDLE_TIMEOUT_SECONDS (${idleTimeoutSeconds})`);
  }
  return {
    idleTimeoutSeconds,
    rememberMeIdleTimeoutSeconds: e.REMEMBER_ME_IDLE_TIMEOUT_SECONDS,
    absoluteTimeoutSeconds: e.ABSOLUTE_TIMEOUT_SECONDS,
    touchAfterSeconds,
  };
}

/**
 * Parses the environment once; every other module receives the result instead of reading process.env.
 * `isTerminal`: standard output is a terminal (a person reads the logs).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, { isTerminal = process.stdout.isTTY === true } = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const root = findRepoRoot();
  const dataDir = resolve(e.DATA_DIR ?? join(root, '.data'));
  const isProduction = e.NODE_ENV === 'production';

  const defaultOrigins = [`http://localhost:${e.PORT}`, `http://127.0.0.1:${e.PORT}`];
  const devServerOrigins = e.DEV_SERVER_ORIGINS === undefined ? [] : parseOrigins(e.DEV_SERVER_ORIGINS, 'DEV_SERVER_ORIGINS');
  defaultOrigins.push(...devServerOrigins);
  const allowedOrigins = e.ALLOWED_ORIGINS === undefined ? defaultOrigins : parseOrigins(e.ALLOWED_ORIGINS, 'ALLOWED_ORIGINS');

  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    hosts: e.HOST !== undefined ? [e.HOST] : isProduction ? ['::'] : ['127.0.0.1', '::1'],
    mongodbUri: e.MONGODB_URI,
    embeddedMongoAllowed: e.EMBEDDED_MONGO === 'allow',
    dataDir,
    sessionSecrets: parseSecrets(e.SESSION_SECRETS, e.NODE_ENV, dataDir),
    cookieName: hostPrefixed(SESSION_COOKIE, isProduction),
    deviceCookieName: hostPrefixed(DEVICE_COOKIE, isProduction),
    ...sessionTimeouts(e),
    reauthWindowSeconds: e.REAUTH_WINDOW_SECONDS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    allowedOrigins,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    livePollIntervalMs: e.LIVE_POLL_INTERVAL_MS,
    sessionCache: e.SESSION_CACHE,
    sessionCacheMaxEntries: e.SESSION_CACHE_MAX_ENTRIES,
    maxSessionsPerAccount: e.MAX_SESSIONS_PER_ACCOUNT,
    sessionLimitPolicy: e.SESSION_LIMIT_POLICY,
    // Readable in a terminal while developing; JSON wherever a program reads the output (and always in production).
    logFormat: e.LOG_FORMAT ?? (!isProduction && isTerminal ? 'pretty' : 'json'),
    webDistDir: resolve(e.WEB_DIST_DIR ?? join(root, 'apps/web/dist')),
    dbTimeoutMs: e.DB_TIMEOUT_MS,
    passwordHashing: PRODUCTION_HASHING_COST,
    throttle: throttleLimits(e),
    totpEncryptionKeys: parseTotpKeys(e.TOTP_ENCRYPTION_KEYS, e.NODE_ENV, dataDir),
    secondFactorTimeoutSeconds: e.SECOND_FACTOR_TIMEOUT_SECONDS,
    serviceName: e.SERVICE_NAME,
    webauthn: webauthnSettings(e.WEBAUTHN_RP_ID, e.WEBAUTHN_ORIGINS, allowedOrigins),
    requireAdminSecondFactor: e.REQUIRE_ADMIN_SECOND_FACTOR === 'true',
    mail: mailConfig(e, e.NODE_ENV, dataDir, { allowed: allowedOrigins, devServer: devServerOrigins }),
    requireVerifiedEmail: e.REQUIRE_VERIFIED_EMAIL === 'true',
    oidcProviders: parseOidcProviders(env, { isProduction: e.NODE_ENV === 'production' }),
    emailVerificationTtlSeconds: e.EMAIL_VERIFICATION_TTL_SECONDS,
    activityRetentionSeconds: e.ACTIVITY_RETENTION_DAYS * DAY,
    deviceBinding: {
      isOffered: e.DEVICE_BOUND_SESSIONS === 'on',
      cookieName: isProduction ? `__Secure-${DEVICE_BOUND_COOKIE}` : DEVICE_BOUND_COOKIE,
      cookieSeconds: e.DEVICE_BOUND_COOKIE_SECONDS,
    },
    geoip: e.GEOIP === 'on',
    breachedPasswords: breachedPasswordsConfig(e),
  };
}

/** What the command-line tools need: where the database is, without the server's secrets. */
export function loadToolConfig(
  env: NodeJS.ProcessEnv = process.env,
): Pick<Config, 'mongodbUri' | 'dataDir' | 'dbTimeoutMs' | 'activityRetentionSeconds'> & SessionTimeouts {
  const parsed = EnvSchema.pick({
    MONGODB_URI: true,
    DATA_DIR: true,
    DB_TIMEOUT_MS: true,
    IDLE_TIMEOUT_SECONDS: true,
    REMEMBER_ME_IDLE_TIMEOUT_SECONDS: true,
    ABSOLUTE_TIMEOUT_SECONDS: true,
    TOUCH_AFTER_SECONDS: true,
    ACTIVITY_RETENTION_DAYS: true,
  }).safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return {
    mongodbUri: parsed.data.MONGODB_URI,
    dataDir: resolve(parsed.data.DATA_DIR ?? join(findRepoRoot(), '.data')),
    dbTimeoutMs: parsed.data.DB_TIMEOUT_MS,
    activityRetentionSeconds: parsed.data.ACTIVITY_RETENTION_DAYS * DAY,
    ...sessionTimeouts(parsed.data),
  };
}

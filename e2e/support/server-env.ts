/** Where the API under test listens; fixed so the allowed origins (derived from PORT) match the base URL. */
export const E2E_PORT = Number(process.env.GATEHOUSE_E2E_PORT ?? 3100);
export const e2eBaseURL = `http://localhost:${E2E_PORT}`;

/** A local OpenID Provider for the sign-in-with-a-provider tests (apps/api/src/dev/local-oidc-provider.ts). */
export const E2E_OIDC_PORT = Number(process.env.GATEHOUSE_E2E_OIDC_PORT ?? E2E_PORT + 90);
export const e2eOidcIssuer = `http://localhost:${E2E_OIDC_PORT}`;
export const E2E_OIDC_CLIENT = { id: 'gatehouse-e2e', secret: 'e2e-only-client-secret-0123456789' };

/** Cookie names outside production (apps/api config.ts). */
export const SESSION_COOKIE = 'gh.sid';
export const DEVICE_COOKIE = 'gh.device';

/** Written by the API into its data directory while its embedded engine runs (apps/api config.ts). */
export const EMBEDDED_MONGO_FILE = 'embedded-mongo.json';

/** Carries the run's data directory from the runner to its workers (and to the role CLI). */
export const E2E_DATA_DIR_VARIABLE = 'GATEHOUSE_E2E_DATA_DIR';

export function e2eDataDir(): string {
  const dir = process.env[E2E_DATA_DIR_VARIABLE];
  if (!dir) throw new Error(`${E2E_DATA_DIR_VARIABLE} is not set: run the tests through playwright.config.ts`);
  return dir;
}

/**
 * Environment of the API under test. Production defaults everywhere (throttle limits included) except:
 * - MONGODB_URI empty, so the embedded engine always starts, even if the shell points at a real MongoDB;
 * - a fixed secret, so the role CLI and the server agree without a generated file;
 * - a short live poll, so cross-instance checks show up within a second;
 * - a local OpenID Provider "Test IdP" (started next to the API by playwright.config.ts);
 * - bound cookies of device-bound sessions that last 5 s, so a test sees them refreshed (and a copy expire);
 * - TRUST_PROXY=loopback: each test sends its own X-Forwarded-For, so the suite looks like many
 *   clients and the per-IP registration limit (10 an hour) applies per test, as it would to people;
 * - PWNED_PASSWORDS=off: no test reaches the public range API (the API tests run their own range server).
 */
export const E2E_SERVER_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  MONGODB_URI: '',
  SESSION_SECRETS: 'e2e-only-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  LIVE_POLL_INTERVAL_MS: '500',
  TRUST_PROXY: 'loopback',
  LOG_LEVEL: 'warn',
  PUBLIC_URL: e2eBaseURL,
  OIDC_PROVIDERS: 'test',
  OIDC_TEST_ISSUER: e2eOidcIssuer,
  OIDC_TEST_CLIENT_ID: E2E_OIDC_CLIENT.id,
  OIDC_TEST_CLIENT_SECRET: E2E_OIDC_CLIENT.secret,
  OIDC_TEST_NAME: 'Test IdP',
  DEVICE_BOUND_COOKIE_SECONDS: '5',
  PWNED_PASSWORDS: 'off',
};

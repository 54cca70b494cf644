import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test as base, expect, request as apiRequest } from '@playwright/test';
import type { APIRequestContext, BrowserContext, Locator, Page, Request, Response } from '@playwright/test';
import { MongoClient } from 'mongodb';
import { Secret, TOTP } from 'otpauth';
import { E2E_SERVER_ENV, e2eBaseURL, e2eDataDir, EMBEDDED_MONGO_FILE } from './support/server-env';

export { expect };

export interface Account {
  name: string;
  email: string;
  password: string;
}

export interface Device {
  context: BrowserContext;
  page: Page;
}

/** User agents Bowser tells apart, so two contexts look like two devices in the session list. */
export const DEVICE_USER_AGENTS = {
  windowsFirefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  linuxChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
} as const;

interface GatehouseFixtures {
  /** This test's client address (198.18.0.0/15, reserved for testing), sent as X-Forwarded-For. */
  clientIp: string;
  /** A new email address no other test (or retry) uses. */
  uniqueEmail: (label?: string) => string;
  /**
   * Registers an account through the API, which starts no session (S34): nobody is signed in afterwards.
   * `name` and `email` may be given, e.g. long ones to test wrapping; the email must still be unique.
   * `isAddressConfirmed` also follows the confirmation link (second factors need it, S43), in a
   * throwaway client that signs out again, so the account still has no session.
   */
  signUpViaApi: (label?: string, details?: Partial<Pick<Account, 'name' | 'email'>> & { isAddressConfirmed?: boolean }) => Promise<Account>;
  /** A separate browser context (cookies and all) with its own user agent: a second device. */
  newDevice: (userAgent: string) => Promise<Device>;
  /** A new account signed in (through the API) on a laptop and a tablet. */
  signedInDevices: () => Promise<{ account: Account; laptop: Device; tablet: Device }>;
}

const repoRoot = join(import.meta.dirname, '..');
const run = promisify(execFile);

function clientIpFor(seed: string): string {
  const [a = 0, b = 0, c = 0] = createHash('sha256').update(seed).digest();
  return `198.${18 + (a & 1)}.${b}.${c}`;
}

export const test = base.extend<GatehouseFixtures>({
  // Playwright reads a fixture's dependencies from its first parameter, so "none" has to be written `{}`.
  // eslint-disable-next-line no-empty-pattern
  clientIp: async ({}, use, testInfo) => {
    // A retry or repetition gets a new address, so it starts with fresh per-IP counters like a new client.
    await use(clientIpFor(`${testInfo.testId}:${testInfo.repeatEachIndex}:${testInfo.retry}`));
  },

  extraHTTPHeaders: async ({ clientIp }, use) => {
    await use({ 'X-Forwarded-For': clientIp });
  },

  // eslint-disable-next-line no-empty-pattern
  uniqueEmail: async ({}, use, testInfo) => {
    const area =
      testInfo.titlePath[0]
        ?.split('/')[0]
        ?.replace(/[^a-z0-9]+/gi, '-')
        .toLowerCase() ?? 'e2e';
    await use((label = 'user') => `${label}-${area}-${randomBytes(5).toString('hex')}@example.com`);
  },

  signUpViaApi: async ({ clientIp, uniqueEmail }, use) => {
    await use(async (label = 'user', details = {}) => {
      const account: Account = {
        name: details.name ?? `${label[0]?.toUpperCase() ?? ''}${label.slice(1)} Tester`,
        email: details.email ?? uniqueEmail(label),
        password: `correct horse ${randomBytes(6).toString('hex')}`,
      };
      const api = await apiRequest.newContext({ baseURL: e2eBaseURL, extraHTTPHeaders: { 'X-Forwarded-For': clientIp } });
      try {
        const registered = await api.post('/api/auth/register', { data: account });
        expect(registered.status(), await registered.text()).toBe(202);
        expect(registered.headers()['set-cookie'], 'registration starts no session').toBeUndefined();
        if (details.isAddressConfirmed) await confirmAddressViaApi(api, account);
      } finally {
        await api.dispose();
      }
      return account;
    });
  },

  newDevice: async ({ browser, clientIp }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (userAgent) => {
      const context = await browser.newContext({ baseURL: e2eBaseURL, userAgent, extraHTTPHeaders: { 'X-Forwarded-For': clientIp } });
      contexts.push(context);
      return { context, page: await context.newPage() };
    });
    await Promise.all(contexts.map((context) => context.close()));
  },

  signedInDevices: async ({ signUpViaApi, newDevice }, use) => {
    await use(async () => {
      const account = await signUpViaApi();
      const laptop = await newDevice(DEVICE_USER_AGENTS.linuxChrome);
      const tablet = await newDevice(DEVICE_USER_AGENTS.windowsFirefox);
      await signInViaApi(laptop.page.request, account);
      await signInViaApi(tablet.page.request, account);
      return { account, laptop, tablet };
    });
  },
});

/**
 * Follows the account's confirmation link with `client`, which it signs in (an account without a second
 * factor), then signs that session out again.
 */
async function confirmAddressViaApi(client: APIRequestContext, account: Account): Promise<void> {
  const token = new URL(linkIn(await waitForMail(client, account.email, 'confirm your email address'))).searchParams.get('token');
  const confirmed = await client.post('/api/auth/email/verify', { data: { token } });
  expect(confirmed.status(), await confirmed.text()).toBe(200);
  expect((await client.post('/api/auth/logout')).status()).toBe(204);
}

/** Signs in through the API; given `page.request` or `context.request`, the browser shares the cookie. */
export async function signInViaApi(client: APIRequestContext, account: Account): Promise<void> {
  const response = await client.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  expect(response.status(), await response.text()).toBe(200);
}

export interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

/**
 * Waits for a message in the server's dev outbox (GET /api/dev/outbox, newest first) to this address
 * whose subject contains `subject`, and that is not one of `seen`.
 */
export async function waitForMail(client: APIRequestContext, to: string, subject: string, { seen = [] as string[] } = {}): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      async () => {
        const response = await client.get('/api/dev/outbox');
        const { messages } = (await response.json()) as { messages: Mail[] };
        found = messages.find((message) => message.to === to && message.subject.includes(subject) && !seen.includes(message.id));
        return found !== undefined;
      },
      { message: `a mail to ${to} about "${subject}"`, timeout: 10_000 },
    )
    .toBe(true);
  return found as Mail;
}

/** Every message to this address so far. */
export async function mailsTo(client: APIRequestContext, to: string): Promise<Mail[]> {
  const { messages } = (await (await client.get('/api/dev/outbox')).json()) as { messages: Mail[] };
  return messages.filter((message) => message.to === to);
}

/** The one link in a message that carries a token: an absolute URL of the app. */
export function linkIn(mail: Mail): string {
  const links = mail.text.match(/https?:\/\/\S+\?token=[A-Za-z0-9_-]+/g) ?? [];
  expect(links, `links with a token in "${mail.subject}"`).toHaveLength(1);
  return links[0] as string;
}

/** Runs the documented CLI (`npm run user:role -- <email> admin`) against the running test server's database. */
export async function makeAdmin(email: string): Promise<void> {
  await run('npm', ['run', '--silent', 'user:role', '--', email, 'admin'], {
    cwd: repoRoot,
    env: { ...process.env, ...E2E_SERVER_ENV, DATA_DIR: e2eDataDir() },
    timeout: 30_000,
  });
}

/** What "Confirm it’s you" is answered with: the password, and for an account with an authenticator app a code (S42). */
export interface Proof {
  password: string;
  /** Called when the dialog asks for it: an app's current code or an unused recovery code. */
  code?: () => string;
}

/**
 * Sensitive actions answer 403 `reauth_required` when the sign-in is older than the re-auth window;
 * the app then asks for the password (and, on an account with an authenticator app, a code) and
 * retries. Runs `action` (the click, and the confirmation it asks for), answers the dialog if it was
 * asked, and checks that the request (first or retried) finally succeeded.
 */
export async function performSensitiveAction(
  page: Page,
  proof: string | Proof,
  isActionRequest: (request: Request) => boolean,
  action: () => Promise<void>,
): Promise<void> {
  const { password, code } = typeof proof === 'string' ? { password: proof, code: undefined } : proof;
  const matches = (response: Response) => isActionRequest(response.request());
  const first = page.waitForResponse(matches);
  await action();
  let response = await first;
  if (response.status() === 403) {
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Password').fill(password);
    const retried = page.waitForResponse(matches);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    if (code) {
      await dialog.getByLabel('Authentication code').fill(code());
      await dialog.getByRole('button', { name: 'Confirm' }).click();
    }
    response = await retried;
  }
  expect(response.ok(), `${response.request().method()} ${response.url()} answered ${response.status()}`).toBe(true);
}

/**
 * Moves every session's last proof of identity of this account back an hour, as if the sign-in were old:
 * the re-authentication window (minutes) has then passed without the test waiting for it.
 */
export async function ageSignIn(userId: string): Promise<void> {
  const { uri } = JSON.parse(readFileSync(join(e2eDataDir(), EMBEDDED_MONGO_FILE), 'utf8')) as { uri: string };
  const client = await MongoClient.connect(uri);
  try {
    const aged = await client
      .db()
      .collection('sessions')
      .updateMany({ 'session.userId': userId }, { $set: { 'session.authenticatedAt': Date.now() - 3_600_000 } });
    expect(aged.modifiedCount).toBeGreaterThan(0);
  } finally {
    await client.close();
  }
}

/** The signed-in account's id, as the API tells the browser. */
export async function currentUserId(client: APIRequestContext): Promise<string> {
  const me = (await (await client.get('/api/auth/me')).json()) as { user: { id: string } };
  return me.user.id;
}

/** Counts full page loads from now on; a live update must not need one. */
export function countPageLoads(page: Page): () => number {
  let loads = 0;
  page.on('load', () => {
    loads += 1;
  });
  return () => loads;
}

/** The sessions a section lists, one card (list item) each. */
export function sessionCards(section: Locator): Locator {
  return section.getByRole('listitem');
}

/**
 * Answers the confirmation a destructive action asks for. Its confirm button starts with the
 * action's verb ("Revoke session", "Disable account"); `confirmLabel` names it exactly.
 */
export async function confirmAction(page: Page, confirmLabel: string): Promise<void> {
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: confirmLabel, exact: true }).click();
}

/** The header of a tab nobody is signed in to: no name, no navigation, no "Sign out". */
export async function expectSignedOutHeader(page: Page, account: Account): Promise<void> {
  const banner = page.getByRole('banner');
  await expect(banner.getByRole('link', { name: 'Gatehouse' })).toBeVisible();
  await expect(banner.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expect(banner.getByRole('navigation')).toHaveCount(0);
  await expect(banner.getByText(account.name)).toHaveCount(0);
}

/** What an authenticator app shows for this secret at `timestamp` (RFC 6238, computed from the secret the page showed). */
export function authenticatorCode(secret: string, timestamp = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp });
}

/** Signs out with the header's button and lands on the sign-in page. */
export async function signOutFromHeader(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL('/login');
}

/** The sign-in form's first step for an account with a second factor: it then asks for the code. */
export async function passwordStep(page: Page, account: Account): Promise<void> {
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByLabel('Authentication code')).toBeVisible();
}

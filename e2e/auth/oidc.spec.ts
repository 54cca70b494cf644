import type { Page } from '@playwright/test';
import { authenticatorCode, expect, signInViaApi, test } from '../fixtures';
import { e2eBaseURL, e2eOidcIssuer } from '../support/server-env';

/**
 * Sign-in with an OpenID Connect provider, through a real provider's pages (S49): the local
 * `oidc-provider` that playwright.config.ts starts as "Test IdP". Its development login page takes any
 * name and password; the name is the provider account's address (`unverified.` in front: not vouched for).
 */

/** Only this machine: the provider's page links a web font that must not be fetched from anywhere. */
async function stayOnThisMachine(page: Page): Promise<void> {
  await page.route('**/*', async (route) => {
    const { origin } = new URL(route.request().url());
    if (origin === e2eBaseURL || origin === e2eOidcIssuer) await route.continue();
    else await route.abort();
  });
}

/**
 * Does `go` (a click that leaves for the provider), then plays the person at the provider's pages: its
 * login (unless it still remembers them) and its consent (unless given before), until the provider sends
 * the browser back to Gatehouse's callback and the page it lands on has loaded.
 */
async function throughProvider(page: Page, providerAccount: string, go: () => Promise<void>): Promise<void> {
  const callback = page.waitForRequest((request) => request.url().startsWith(`${e2eBaseURL}/api/auth/oidc/test/callback`), { timeout: 30_000 });
  let isBack = false;
  void callback.then(
    () => (isBack = true),
    () => undefined,
  );
  await go();
  const login = page.locator('input[name="login"]');
  const consent = page.getByRole('button', { name: 'Continue' });
  for (let step = 0; step < 6 && !isBack; step += 1) {
    await Promise.race([login.waitFor({ timeout: 5_000 }), consent.waitFor({ timeout: 5_000 }), callback]).catch(() => undefined);
    if (isBack) break;
    if (await login.isVisible()) {
      await login.fill(providerAccount);
      await page.locator('input[name="password"]').fill('any password');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    } else if (await consent.isVisible()) {
      await consent.click();
    }
  }
  await callback;
  await page.waitForURL((url) => url.origin === e2eBaseURL && !url.pathname.startsWith('/api/'));
}

/** From the sign-in page, through the provider, back to Gatehouse. */
async function signInAtProvider(page: Page, providerAccount: string): Promise<void> {
  await page.goto('/login');
  await throughProvider(page, providerAccount, () => page.getByRole('button', { name: 'Sign in with Test IdP' }).click());
}

test.beforeEach(async ({ page }) => {
  await stayOnThisMachine(page);
});

test('S49: "Sign in with Test IdP" through the provider’s pages reaches the dashboard, and the session says it signed in with the provider', async ({
  page,
  uniqueEmail,
}) => {
  const email = uniqueEmail('provider');
  await signInAtProvider(page, email);
  await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  const sessions = (await (await page.request.get('/api/sessions')).json()) as {
    sessions: { isCurrent: boolean; authMethods: string[]; signInProvider: string | null }[];
  };
  expect(sessions.sessions.find((session) => session.isCurrent)).toMatchObject({ authMethods: ['oidc'], signInProvider: 'Test IdP' });
  const me = (await (await page.request.get('/api/auth/me')).json()) as { user: { email: string; emailVerified: boolean } };
  expect(me.user).toMatchObject({ email, emailVerified: true });
});

test('S49: a provider account with the address of an existing password account does not sign in to it, and says how to connect it', async ({
  page,
  signUpViaApi,
}) => {
  const account = await signUpViaApi('owner');
  await signInAtProvider(page, account.email);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('alert')).toContainText('An account with this address already exists');
  expect((await page.request.get('/api/auth/me')).status()).toBe(401);
});

test('S49: a provider that does not vouch for the address creates no account', async ({ page, uniqueEmail }) => {
  const email = uniqueEmail('unvouched');
  await signInAtProvider(page, `unverified.${email}`);
  await expect(page.getByRole('alert')).toContainText('did not confirm your email address');
  expect((await page.request.get('/api/auth/me')).status()).toBe(401);
  // Registering the address still works: nothing was created for it.
  const registered = await page.request.post('/api/auth/register', { data: { name: 'Unvouched', email, password: 'correct horse battery staple' } });
  expect(registered.status()).toBe(202);
  expect((await page.request.post('/api/auth/login', { data: { email, password: 'correct horse battery staple' } })).status()).toBe(200);
});

test('S49, S41: an account with an authenticator app and a connected provider is asked for the authentication code after the provider, before any session exists', async ({
  page,
  signUpViaApi,
}) => {
  test.setTimeout(120_000);
  const account = await signUpViaApi('connected', { isAddressConfirmed: true });
  await signInViaApi(page.request, account);
  // An authenticator app, through the API.
  const begun = (await (await page.request.post('/api/account/totp', { data: {} })).json()) as { secret: string };
  const enabledAt = Date.now();
  expect((await page.request.post('/api/account/totp/confirm', { data: { code: authenticatorCode(begun.secret, enabledAt) } })).status()).toBe(200);
  // Connect the provider from the dashboard.
  await page.goto('/');
  const connections = page.getByRole('region', { name: 'Connected accounts' });
  await throughProvider(page, account.email, () => connections.getByRole('button', { name: 'Connect Test IdP' }).click());
  await expect(page.getByText('Test IdP is connected.')).toBeVisible();

  // Signed out, then in with the provider: the code comes first.
  expect((await page.request.post('/api/auth/logout')).status()).toBe(204);
  await signInAtProvider(page, account.email);
  await expect(page.getByLabel('Authentication code')).toBeVisible();
  expect((await page.request.get('/api/auth/me')).status()).toBe(401);
  // The app's next code (the one that turned it on is used up).
  const wait = (Math.floor(enabledAt / 30_000) + 1) * 30_000 - Date.now();
  if (wait > 0) await page.waitForTimeout(wait + 200);
  await page.getByLabel('Authentication code').fill(authenticatorCode(begun.secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  const sessions = (await (await page.request.get('/api/sessions')).json()) as { sessions: { isCurrent: boolean; authMethods: string[]; assurance: string }[] };
  expect(sessions.sessions.find((session) => session.isCurrent)).toMatchObject({ authMethods: ['oidc', 'totp'], assurance: 'aal2' });
});

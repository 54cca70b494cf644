import { randomBytes } from 'node:crypto';
import { countPageLoads, expect, expectSignedOutHeader, signInViaApi, test } from '../fixtures';

test.describe('signing in', () => {
  test('a new account is signed in, can sign out (the header with it, without a reload), sign in again, and a reload keeps it signed in', async ({
    page,
    uniqueEmail,
  }) => {
    const email = uniqueEmail();
    const password = `correct horse ${randomBytes(6).toString('hex')}`;
    const name = 'Ada Lovelace';

    await page.goto('/register');
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    // Registration starts no session (S34); a new account may sign in at once.
    await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
    await page.getByRole('button', { name: 'Sign in now' }).click();

    const thisSession = page.getByRole('region', { name: 'This session' });
    await expect(thisSession).toBeVisible();
    await expect(page).toHaveURL('/');
    for (const fact of ['Started', 'Last active', 'Idle expiry', 'Absolute expiry']) {
      await expect(thisSession.getByText(fact, { exact: true })).toBeVisible();
    }

    const banner = page.getByRole('banner');
    await expect(banner.getByText(name)).toBeVisible();
    await expect(banner.getByRole('link', { name: 'Dashboard' })).toBeVisible();
    const loads = countPageLoads(page);
    await banner.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(page).toHaveURL('/login');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectSignedOutHeader(page, { name, email, password });
    expect(loads()).toBe(0);
    expect((await page.request.get('/api/auth/me')).status()).toBe(401);

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(thisSession).toBeVisible();

    await page.reload();
    await expect(thisSession).toBeVisible();
    await expect(page).toHaveURL('/');
  });

  test('a wrong password is refused with an alert and nobody is signed in', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi();

    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(`${account.password}-wrong`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await expect(page.getByRole('alert')).toBeVisible();
    await expect(page).toHaveURL('/login');
    expect((await page.request.get('/api/auth/me')).status()).toBe(401);
  });

  test('a signed-out visitor who opens the dashboard is sent to the sign-in page', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL('/login');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });

  test('signing in through the API is enough for the browser to open the dashboard', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi();
    await signInViaApi(page.request, account);
    await page.goto('/');
    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  });
});

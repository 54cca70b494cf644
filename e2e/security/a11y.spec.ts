import AxeBuilder from '@axe-core/playwright';
import {
  ageSignIn,
  authenticatorCode,
  confirmAction,
  currentUserId,
  DEVICE_USER_AGENTS,
  expect,
  linkIn,
  makeAdmin,
  passwordStep,
  sessionCards,
  signInViaApi,
  signOutFromHeader,
  test,
  waitForMail,
} from '../fixtures';
import type { Page } from '@playwright/test';

async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
  expect(summary, what).toEqual([]);
}

const COLOR_SCHEMES = ['light', 'dark'] as const;
const PAGE_BACKGROUND = { light: 'rgb(245, 246, 248)', dark: 'rgb(13, 17, 23)' } as const;

/**
 * Runs axe on the page as it is now, once in each colour scheme the system can ask for (the app
 * follows `prefers-color-scheme`), and checks the scheme really switched.
 */
async function expectNoAxeViolationsInEitherScheme(page: Page, what: string): Promise<void> {
  for (const colorScheme of COLOR_SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(PAGE_BACKGROUND[colorScheme]);
    await expectNoAxeViolations(page, `${what} (${colorScheme})`);
  }
}

test.describe('accessibility, in light and dark mode', () => {
  test('the sign-in page (also after a failed attempt), the registration page and an unknown page have no axe violations', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, '/login');

    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
    await expectNoAxeViolationsInEitherScheme(page, '/login with field errors');

    await page.goto('/register');
    await expect(page.getByRole('heading', { name: 'Create account' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, '/register');

    await page.goto('/no-such-page');
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, 'an unknown page');
  });

  test('the forgot-password page and a dead link’s page have no axe violations', async ({ page }) => {
    await page.goto('/forgot-password');
    await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, '/forgot-password');

    await page.goto('/reset-password?token=not-a-real-token');
    await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, 'a dead reset link');
  });

  test('the dashboard, its developer details and confirmations, the admin area and the signed-out screen have no axe violations', async ({
    page,
    signUpViaApi,
    newDevice,
  }) => {
    const admin = await signUpViaApi('admin');
    await makeAdmin(admin.email);
    await signInViaApi(page.request, admin);
    await signInViaApi((await newDevice(DEVICE_USER_AGENTS.windowsFirefox)).page.request, admin);

    await page.goto('/');
    for (const region of ['This session', 'All your sessions', 'Session data', 'Recent activity', 'Change password']) {
      await expect(page.getByRole('region', { name: region })).toBeVisible();
    }
    await expect(sessionCards(page.getByRole('region', { name: 'All your sessions' }))).toHaveCount(2);
    await expectNoAxeViolationsInEitherScheme(page, 'the dashboard');

    await page.getByRole('button', { name: 'Developer details' }).click();
    await expect(page.getByRole('heading', { name: 'Explain my cookie' })).toBeVisible();
    await page.getByRole('button', { name: /^Revoke .* session$/ }).click();
    await expect(page.getByRole('alertdialog')).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, 'the dashboard with the developer details and a confirmation open');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('alertdialog')).toHaveCount(0);

    await page
      .getByRole('button', { name: /^Rename / })
      .first()
      .click();
    await expect(page.getByLabel('Device name')).toBeFocused();
    await expectNoAxeViolationsInEitherScheme(page, 'the dashboard while renaming a device');

    await page.goto('/admin');
    for (const heading of ['All sessions', 'Users', 'Store health']) {
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    }
    await expect(
      page
        .getByRole('region', { name: 'All sessions' })
        .getByRole('button', { name: /^Revoke session of / })
        .first(),
    ).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, '/admin');

    expect((await page.request.post('/api/auth/logout')).status()).toBe(204);
    await expect(page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, 'the signed-out screen');
  });
  test('the second-factor sections (setup, recovery codes, passkeys) and the second step of a sign-in have no axe violations', async ({
    page,
    signUpViaApi,
  }) => {
    const account = await signUpViaApi('a11y-2fa', { isAddressConfirmed: true });
    await signInViaApi(page.request, account);
    await page.goto('/');

    const twoFactor = page.getByRole('region', { name: 'Two-factor authentication' });
    await expect(page.getByRole('region', { name: 'Passkeys' })).toBeVisible();
    await twoFactor.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect(twoFactor.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, 'the dashboard while setting up an authenticator app');

    const secret = (await twoFactor.getByTestId('totp-secret').textContent()) ?? '';
    await twoFactor.getByLabel('Code from the app').fill(authenticatorCode(secret));
    await twoFactor.getByRole('button', { name: 'Turn on' }).click();
    await expect(twoFactor.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem')).toHaveCount(10);
    await expectNoAxeViolationsInEitherScheme(page, 'the dashboard showing new recovery codes');
    await twoFactor.getByRole('button', { name: 'I have saved them' }).click();

    await signOutFromHeader(page);
    await passwordStep(page, account);
    await expectNoAxeViolationsInEitherScheme(page, 'the second step of a sign-in');
  });

  test('the password dialog asking for a code and a link opened in another account’s browser have no axe violations', async ({ page, signUpViaApi }) => {
    test.setTimeout(90_000);
    const account = await signUpViaApi('a11y-step-up', { isAddressConfirmed: true });
    const newcomer = await signUpViaApi('a11y-newcomer');
    await signInViaApi(page.request, account);
    await page.goto('/');
    const twoFactor = page.getByRole('region', { name: 'Two-factor authentication' });
    await twoFactor.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await twoFactor.getByTestId('totp-secret').textContent()) ?? '';
    await twoFactor.getByLabel('Code from the app').fill(authenticatorCode(secret));
    await twoFactor.getByRole('button', { name: 'Turn on' }).click();
    await twoFactor.getByRole('button', { name: 'I have saved them' }).click();

    await ageSignIn(await currentUserId(page.request));
    await twoFactor.getByRole('button', { name: 'New recovery codes' }).click();
    await confirmAction(page, 'New recovery codes');
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Password').fill(account.password);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog.getByLabel('Authentication code')).toBeFocused();
    await expectNoAxeViolationsInEitherScheme(page, 'the password dialog asking for a code');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);

    await page.goto(linkIn(await waitForMail(page.request, newcomer.email, 'confirm your email address')));
    await expect(page.getByRole('button', { name: 'Sign out and continue' })).toBeVisible();
    await expectNoAxeViolationsInEitherScheme(page, 'a confirmation link in a browser signed in to another account');
  });
});

test.describe('keyboard use', () => {
  test('the sign-in form works from the keyboard alone, and a failed attempt leaves focus on what went wrong', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi();
    await page.goto('/login');
    const email = page.getByLabel('Email');
    const password = page.getByLabel('Password');
    await expect(email).toBeVisible();

    // Whatever comes first in the tab order (the home link), the Email field is reached by Tab alone.
    for (let presses = 0; presses < 5 && !(await email.evaluate((element) => element === document.activeElement)); presses += 1) {
      await page.keyboard.press('Tab');
    }
    await expect(email).toBeFocused();

    // Nothing typed: focus goes to the first field to fix.
    await page.keyboard.press('Enter');
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toBeFocused();

    await page.keyboard.type(account.email);
    await page.keyboard.press('Tab');
    await expect(password).toBeFocused();
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');

    // A wrong password is the whole form's problem: focus lands on the one alert that says so.
    const alert = page.getByRole('alert');
    await expect(alert).toHaveText('The email or password is incorrect.');
    await expect(alert).toBeFocused();

    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(password).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(account.password);
    await page.keyboard.press('Enter');

    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  });
});

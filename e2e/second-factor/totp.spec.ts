import type { Page, Request } from '@playwright/test';
import {
  ageSignIn,
  authenticatorCode,
  confirmAction,
  currentUserId,
  DEVICE_USER_AGENTS,
  expect,
  passwordStep,
  performSensitiveAction,
  sessionCards,
  signInViaApi,
  signOutFromHeader,
  test,
} from '../fixtures';

const STEP_MS = 30_000;

function codeNow(secret: string): { code: string; step: number } {
  const now = Date.now();
  return { code: authenticatorCode(secret, now), step: Math.floor(now / STEP_MS) };
}

/** A code is good once: the next sign-in waits for the app's next code, as a person would. */
async function nextCode(secret: string, usedStep: number): Promise<{ code: string; step: number }> {
  const wait = (usedStep + 1) * STEP_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 200));
  return codeNow(secret);
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

const currentCard = (page: Page) => sessionCards(page.getByRole('region', { name: 'All your sessions' })).filter({ hasText: 'This device' });

test('S36, S37: enrol an authenticator app, sign in with password and code; the same code is refused; a recovery code works once', async ({
  page,
  signUpViaApi,
}) => {
  test.setTimeout(150_000);
  const account = await signUpViaApi('totp', { isAddressConfirmed: true });
  await signInViaApi(page.request, account);
  await page.goto('/');

  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await section.getByTestId('totp-secret').textContent()) ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(section.getByRole('link', { name: /^otpauth:\/\/totp\// })).toHaveAttribute('href', new RegExp(`secret=${secret}`));
  const enrolled = codeNow(secret);
  await section.getByLabel('Code from the app').fill(enrolled.code);
  await section.getByRole('button', { name: 'Turn on' }).click();

  const recoveryList = section.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem');
  await expect(recoveryList).toHaveCount(10);
  const codes = await recoveryList.allTextContents();
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(section.getByText('10 recovery codes left.')).toBeVisible();
  await expect(section.getByRole('list', { name: 'Your recovery codes' })).toHaveCount(0);

  // Password, then the app's code: signed in, and the session says how.
  await signOutFromHeader(page);
  await passwordStep(page, account);
  expect((await page.request.get('/api/auth/me')).status()).toBe(401);
  const second = await nextCode(secret, enrolled.step);
  await enterCode(page, second.code);
  await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  await expect(currentCard(page)).toContainText('Password and Authenticator code');
  await expect(currentCard(page)).toContainText('VerificationTwo-step verified');

  // The same code again: refused.
  await signOutFromHeader(page);
  await passwordStep(page, account);
  await enterCode(page, second.code);
  await expect(page.getByRole('alert')).toContainText('That code does not work.');
  await expect(page).toHaveURL('/login');

  // A recovery code instead: signed in, recorded for the owner, and used up.
  const [recoveryCode = ''] = codes;
  await enterCode(page, recoveryCode);
  await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  await expect(currentCard(page)).toContainText('Password and Recovery code');
  await expect(page.getByRole('region', { name: 'Recent activity' }).getByText('Recovery code used')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Two-factor authentication' }).getByText('9 recovery codes left.')).toBeVisible();

  await signOutFromHeader(page);
  await passwordStep(page, account);
  await enterCode(page, recoveryCode);
  await expect(page.getByRole('alert')).toContainText('That code does not work.');
  expect((await page.request.get('/api/auth/me')).status()).toBe(401);
});

const isTotpRemoval = (request: Request) => request.method() === 'DELETE' && new URL(request.url()).pathname === '/api/account/totp';

test('S36, S42: turning on an authenticator app signs the other sessions out by default; an old sign-in then confirms it is you with the password and a code, which raises it to two-step', async ({
  page,
  signUpViaApi,
  newDevice,
}) => {
  const account = await signUpViaApi('step-up', { isAddressConfirmed: true });
  const tablet = await newDevice(DEVICE_USER_AGENTS.windowsFirefox);
  await signInViaApi(tablet.page.request, account);
  await signInViaApi(page.request, account);
  await page.goto('/');

  const section = page.getByRole('region', { name: 'Two-factor authentication' });
  await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(section.getByRole('checkbox', { name: 'Sign out your other sessions' })).toBeChecked();
  const secret = (await section.getByTestId('totp-secret').textContent()) ?? '';
  await section.getByLabel('Code from the app').fill(authenticatorCode(secret));
  await section.getByRole('button', { name: 'Turn on' }).click();
  await expect(section.getByRole('status')).toHaveText('1 other session was signed out.');
  expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);
  const codes = await section.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').allTextContents();
  await section.getByRole('button', { name: 'I have saved them' }).click();
  // Setting up the app proves it, not who holds this session: it stays at one step until it steps up.
  await expect(sessionCards(page.getByRole('region', { name: 'All your sessions' }))).toHaveCount(1);
  await expect(currentCard(page)).toContainText('VerificationOne step only');

  await ageSignIn(await currentUserId(page.request));
  await section.getByRole('button', { name: 'New recovery codes' }).click();
  await confirmAction(page, 'New recovery codes');
  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await dialog.getByLabel('Password').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  const code = dialog.getByLabel('Authentication code');
  await expect(code).toBeFocused();
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await code.fill('000000');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(code).toHaveAccessibleDescription(/^That code does not work\./);
  await expect(page.getByRole('heading', { name: 'Signed out' })).toHaveCount(0);

  const [firstRecoveryCode = '', secondRecoveryCode = ''] = codes;
  await code.fill(firstRecoveryCode);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(section.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem')).toHaveCount(10);
  const newCodes = await section.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').allTextContents();
  expect(newCodes).not.toContain(secondRecoveryCode);
  await section.getByRole('button', { name: 'I have saved them' }).click();
  await expect(currentCard(page)).toContainText('VerificationTwo-step verified');

  // Turning the app off on an old sign-in: the password and one of the new recovery codes.
  await ageSignIn(await currentUserId(page.request));
  await performSensitiveAction(page, { password: account.password, code: () => newCodes[0] ?? '' }, isTotpRemoval, async () => {
    await section.getByRole('button', { name: 'Turn off' }).click();
    await expect(page.getByRole('alertdialog').getByRole('checkbox', { name: 'Sign out your other sessions' })).toBeChecked();
    await confirmAction(page, 'Turn off');
  });
  await expect(section.getByRole('status')).toHaveText('Two-factor authentication is off.');
  await expect(section.getByRole('button', { name: 'Set up an authenticator app' })).toBeVisible();
});

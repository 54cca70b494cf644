import type { Page } from '@playwright/test';
import { authenticatorCode, expect, passwordStep, sessionCards, signInViaApi, signOutFromHeader, test } from '../fixtures';

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
  const account = await signUpViaApi('totp');
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

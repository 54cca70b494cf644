import { ageSignIn, confirmAction, currentUserId, expect, sessionCards, test } from '../fixtures';
import { SESSION_COOKIE } from '../support/server-env';

test('S13: an old sign-in must confirm the password before "Sign out everywhere else"; the session id rotates', async ({ signedInDevices }) => {
  const { account, laptop, tablet } = await signedInDevices();
  await ageSignIn(await currentUserId(laptop.page.request));
  const cookieBefore = (await laptop.context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE)?.value;

  const { page } = laptop;
  await page.goto('/');
  const allSessions = page.getByRole('region', { name: 'All your sessions' });
  await expect(sessionCards(allSessions)).toHaveCount(2);
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await confirmAction(page, 'Sign out everywhere else');

  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await expect(dialog).toBeVisible();
  const password = dialog.getByLabel('Password');
  await password.fill('not the password at all');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  // One message, by the field, about the password alone: no email is involved here.
  await expect(password).toHaveAccessibleDescription('That password is not correct.');
  await expect(password).toBeFocused();
  await expect(dialog.getByText(/email/i)).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Signed out' })).toHaveCount(0);

  await dialog.getByLabel('Password').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(sessionCards(allSessions)).toHaveCount(1);
  expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);

  const cookieAfter = (await laptop.context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE)?.value;
  expect(cookieAfter).toBeTruthy();
  expect(cookieAfter).not.toBe(cookieBefore);
  expect((await page.request.get('/api/auth/me')).status()).toBe(200);
});

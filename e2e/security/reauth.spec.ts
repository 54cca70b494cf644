import { ageSignIn, currentUserId, expect, sessionRows, test } from '../fixtures';

test('S13: an old sign-in must confirm the password before "Sign out everywhere else"; the session id rotates', async ({ signedInDevices }) => {
  const { account, laptop, tablet } = await signedInDevices();
  await ageSignIn(await currentUserId(laptop.page.request));
  const cookieBefore = (await laptop.context.cookies()).find((cookie) => cookie.name === 'gh.sid')?.value;

  const { page } = laptop;
  await page.goto('/');
  const allSessions = page.getByRole('region', { name: 'All your sessions' });
  await expect(sessionRows(allSessions)).toHaveCount(2);
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();

  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Password').fill('not the password at all');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Signed out' })).toHaveCount(0);

  await dialog.getByLabel('Password').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();
  await expect(sessionRows(allSessions)).toHaveCount(1);
  expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);

  const cookieAfter = (await laptop.context.cookies()).find((cookie) => cookie.name === 'gh.sid')?.value;
  expect(cookieAfter).toBeTruthy();
  expect(cookieAfter).not.toBe(cookieBefore);
  expect((await page.request.get('/api/auth/me')).status()).toBe(200);
});

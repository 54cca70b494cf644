import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { DEVICE_USER_AGENTS, expect, linkIn, mailsTo, signInViaApi, signOutFromHeader, test, waitForMail } from '../fixtures';
import { e2eDataDir, EMBEDDED_MONGO_FILE } from '../support/server-env';

const RESET_SUBJECT = 'set a new password';

/** Moves the account's reset link past its deadline, as if its 30 minutes had gone by. */
async function expireResetLink(email: string): Promise<void> {
  const { uri } = JSON.parse(readFileSync(join(e2eDataDir(), EMBEDDED_MONGO_FILE), 'utf8')) as { uri: string };
  const client = await MongoClient.connect(uri);
  try {
    const user = await client.db().collection('users').findOne({ email });
    const aged = await client
      .db()
      .collection('account_tokens')
      .updateOne({ userId: user?._id.toString(), purpose: 'password_reset' }, { $set: { expiresAt: new Date(Date.now() - 60_000) } });
    expect(aged.modifiedCount).toBe(1);
  } finally {
    await client.close();
  }
}

test.describe('mail: verification, recovery, alerts', () => {
  test('S33: register → the verification link from the mail signs in → the dashboard shows the address verified', async ({ page, uniqueEmail }) => {
    const email = uniqueEmail('verify');
    await page.goto('/register');
    await page.getByLabel('Name').fill('Vera Verified');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(`correct horse ${randomBytes(6).toString('hex')}`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
    expect((await page.request.get('/api/auth/me')).status()).toBe(401);

    const link = linkIn(await waitForMail(page.request, email, 'confirm your email address'));
    expect(link).toMatch(/^http:\/\/localhost:\d+\/verify-email\?token=/);
    await page.goto(link);
    await expect(page).toHaveURL('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hello, Vera Verified');
    await expect(page.getByText('Verified', { exact: true })).toBeVisible();
    await expect(page.getByText(/Confirm your address/)).toHaveCount(0);

    // The link worked once.
    await page.goto(link);
    await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
  });

  test('S35: forgot password → link → new password: another browser is signed out at once, the old password is refused, the new one works', async ({
    page,
    signUpViaApi,
    newDevice,
  }) => {
    const account = await signUpViaApi('reset');
    const tablet = await newDevice(DEVICE_USER_AGENTS.windowsFirefox);
    await signInViaApi(tablet.page.request, account);
    await tablet.page.goto('/');
    await expect(tablet.page.getByRole('region', { name: 'This session' })).toBeVisible();

    await signInViaApi(page.request, account);
    await page.goto('/');
    await signOutFromHeader(page);

    await page.getByRole('link', { name: 'Forgot password?' }).click();
    // The page's code loads on the way: type into its own field, not the sign-in form's.
    await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
    await page.getByLabel('Email').fill(account.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByText('If an account exists for that address, we sent a link')).toBeVisible();

    const link = linkIn(await waitForMail(page.request, account.email, RESET_SUBJECT));
    await page.goto(link);
    // The token leaves the address bar once read.
    await expect(page).toHaveURL('/reset-password');
    const newPassword = `a new passphrase ${randomBytes(6).toString('hex')}`;
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();

    await expect(tablet.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);
    await waitForMail(page.request, account.email, 'your password was changed');

    await page.getByRole('link', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    expect((await page.request.get('/api/auth/me')).status()).toBe(401);

    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  });

  test('S33: a used link and an expired link are refused with a clear page', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi('links');
    const request = async () => {
      const res = await page.request.post('/api/auth/password/forgot', { data: { email: account.email } });
      expect(res.status()).toBe(202);
    };

    await request();
    const first = await waitForMail(page.request, account.email, RESET_SUBJECT);
    await page.goto(linkIn(first));
    await page.getByLabel('New password').fill(`a new passphrase ${randomBytes(6).toString('hex')}`);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();
    await page.goto(linkIn(first));
    await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveText(/already used, has expired, or a newer link replaced it/);
    await expect(page.getByLabel('New password')).toHaveCount(0);

    await request();
    const second = await waitForMail(page.request, account.email, RESET_SUBJECT, { seen: [first.id] });
    await expireResetLink(account.email);
    await page.goto(linkIn(second));
    await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
    await page.getByRole('link', { name: 'Ask for a new link' }).click();
    await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
  });

  test('S34: registering an address that has an account looks like any registration; the owner gets a notice', async ({ page, signUpViaApi, uniqueEmail }) => {
    const owner = await signUpViaApi('owner');
    const register = async (email: string) => {
      await page.goto('/register');
      await page.getByLabel('Name').fill('Mallory');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(`another passphrase ${randomBytes(6).toString('hex')}`);
      await page.getByRole('button', { name: 'Create account' }).click();
      await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
      return (await page.locator('main').innerText()).replace(email, '<address>');
    };

    const fresh = uniqueEmail('fresh');
    const forNew = await register(fresh);
    const forExisting = await register(owner.email);
    expect(forExisting).toBe(forNew);
    expect((await page.request.get('/api/auth/me')).status()).toBe(401);

    const notice = await waitForMail(page.request, owner.email, 'someone tried to create an account with your address');
    expect(notice.text).not.toContain('token=');
    await waitForMail(page.request, fresh, 'confirm your email address');
    expect((await mailsTo(page.request, owner.email)).filter((mail) => mail.subject.includes('confirm your email address'))).toHaveLength(1);
  });

  test('a sign-in from a browser the account never used mails an alert with the device, IP and time', async ({ page, signUpViaApi, newDevice, clientIp }) => {
    const account = await signUpViaApi('alert');
    await signInViaApi(page.request, account);
    expect((await mailsTo(page.request, account.email)).filter((mail) => mail.subject.includes('new sign-in'))).toHaveLength(0);

    const other = await newDevice(DEVICE_USER_AGENTS.macSafari);
    await other.page.goto('/login');
    await other.page.getByLabel('Email').fill(account.email);
    await other.page.getByLabel('Password').fill(account.password);
    await other.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(other.page.getByRole('region', { name: 'This session' })).toBeVisible();

    const alert = await waitForMail(page.request, account.email, 'new sign-in to your account');
    expect(alert.text).toContain('Device: Safari 17 on macOS');
    expect(alert.text).toContain(`IP address: ${clientIp}`);
    expect(alert.text).toMatch(/Time: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(alert.text).toMatch(/http:\/\/localhost:\d+\//);
  });
});

test('the dev outbox page lists the mail with clickable links', async ({ page, signUpViaApi }) => {
  const account = await signUpViaApi('outbox');
  await waitForMail(page.request, account.email, 'confirm your email address');
  await page.goto('/dev/outbox');
  await expect(page.getByRole('heading', { name: 'Mail outbox' })).toBeVisible();
  await page.getByRole('button', { name: 'Gatehouse: confirm your email address' }).first().click();
  const message = page.getByRole('region', { name: 'Gatehouse: confirm your email address' });
  await expect(message.getByRole('link', { name: /\/verify-email\?token=/ })).toBeVisible();
});

test.describe('mail links and the browser they open in', () => {
  test('S44: a confirmation link opened in a browser signed in to another account says which, leaves it signed in, and confirms once it signs out', async ({
    page,
    signUpViaApi,
  }) => {
    const signedIn = await signUpViaApi('other', { isAddressConfirmed: true });
    const newcomer = await signUpViaApi('newcomer');
    await signInViaApi(page.request, signedIn);
    const link = linkIn(await waitForMail(page.request, newcomer.email, 'confirm your email address'));

    await page.goto(link);
    await expect(page.getByRole('alert')).toHaveText(`This browser is signed in as ${signedIn.email}. Sign out first to confirm this link.`);
    const me = (await (await page.request.get('/api/auth/me')).json()) as { user: { email: string } };
    expect(me.user.email).toBe(signedIn.email);

    await page.getByRole('button', { name: 'Sign out and continue' }).click();
    await expect(page).toHaveURL('/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Hello, ${newcomer.name}`);
    await expect(page.getByText('Verified', { exact: true })).toBeVisible();
  });

  test('S35: asking to change the address mails the current one at once; its link calls the change off, and the new address’s link stops working', async ({
    page,
    signUpViaApi,
    uniqueEmail,
  }) => {
    const account = await signUpViaApi('moving', { isAddressConfirmed: true });
    await signInViaApi(page.request, account);
    await page.goto('/account/email');
    const newEmail = uniqueEmail('moved');
    await page.getByLabel('New email').fill(newEmail);
    await page.getByRole('button', { name: 'Send confirmation link' }).click();

    const cancelLink = linkIn(await waitForMail(page.request, account.email, 'someone asked to change your email address'));
    expect(cancelLink).toMatch(/^http:\/\/localhost:\d+\/cancel-email-change\?token=/);
    const changeLink = linkIn(await waitForMail(page.request, newEmail, 'confirm your new email address'));

    await page.goto(cancelLink);
    await expect(page.getByRole('heading', { level: 1, name: 'Address change' })).toBeVisible();
    await expect(page.getByText(`The change of address was called off: the account keeps ${account.email}.`)).toBeVisible();
    await expect(page).toHaveURL('/cancel-email-change');

    await page.goto(changeLink);
    await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
    await page.goto(cancelLink);
    await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
    const me = (await (await page.request.get('/api/auth/me')).json()) as { user: { email: string } };
    expect(me.user.email).toBe(account.email);
  });
});

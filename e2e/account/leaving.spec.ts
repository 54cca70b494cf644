import { readFile } from 'node:fs/promises';
import { request as apiRequest } from '@playwright/test';
import type { Page, Request } from '@playwright/test';
import { ageSignIn, currentUserId, expect, performSensitiveAction, signInViaApi, test } from '../fixtures';
import { e2eBaseURL } from '../support/server-env';

const yourData = (page: Page) => page.getByRole('region', { name: 'Your data' });
const isAccountDeletion = (request: Request) => request.method() === 'DELETE' && new URL(request.url()).pathname === '/api/account';

test.describe('leaving: taking one’s data and deleting the account', () => {
  test('"Download your data" saves a JSON file with the account and its sessions, and no secret', async ({ signedInDevices }) => {
    const { account, laptop } = await signedInDevices();
    await laptop.page.goto('/');
    const downloading = laptop.page.waitForEvent('download');
    await yourData(laptop.page).getByRole('link', { name: 'Download your data' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^gatehouse-account-\d{4}-\d{2}-\d{2}\.json$/);
    const text = await readFile(await download.path(), 'utf8');
    const data = JSON.parse(text) as { account: { email: string }; sessions: { isCurrent: boolean }[] };
    expect(data.account.email).toBe(account.email);
    expect(data.sessions).toHaveLength(2);
    expect(text).not.toContain(account.password);
    expect(text).not.toMatch(/passwordHash|"handle"|"sid"/);
    // The page stayed where it was: the file is an attachment.
    await expect(laptop.page).toHaveURL(`${e2eBaseURL}/`);
  });

  test('"Delete account" asks for the address and a fresh password, signs every device out, and the address can register again', async ({
    signedInDevices,
    clientIp,
  }) => {
    const { account, laptop, tablet } = await signedInDevices();
    await ageSignIn(await currentUserId(laptop.page.request));
    await laptop.page.goto('/');
    await tablet.page.goto('/');
    await expect(tablet.page.getByRole('banner').getByText(account.name)).toBeVisible();

    await yourData(laptop.page).getByRole('button', { name: 'Delete account' }).click();
    const dialog = laptop.page.getByRole('alertdialog', { name: 'Delete your account?' });
    const confirm = dialog.getByRole('button', { name: 'Delete account for good' });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel('Email address of this account').fill('someone-else@example.com');
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel('Email address of this account').fill(account.email);
    await performSensitiveAction(laptop.page, account.password, isAccountDeletion, () => confirm.click());

    await expect(laptop.page).toHaveURL(/\/login/);
    await expect(tablet.page.getByText('This session was signed out from another device')).toBeVisible();
    expect((await laptop.page.request.get('/api/auth/me')).status()).toBe(401);
    expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);

    const api = await apiRequest.newContext({ baseURL: e2eBaseURL, extraHTTPHeaders: { 'X-Forwarded-For': clientIp } });
    try {
      const again = { name: 'Back Again', email: account.email, password: `${account.password} renewed` };
      const registered = await api.post('/api/auth/register', { data: again });
      expect(registered.status(), await registered.text()).toBe(202);
      await signInViaApi(api, again);
      expect((await api.post('/api/auth/login', { data: { email: account.email, password: account.password } })).status()).toBe(401);
    } finally {
      await api.dispose();
    }
  });
});

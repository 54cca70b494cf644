import { DEVICE_USER_AGENTS, expect, makeAdmin, performSensitiveAction, signInViaApi, test } from '../fixtures';
import type { Request } from '@playwright/test';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isAdminSessionRevocation = (request: Request) =>
  request.method() === 'DELETE' && /^\/api\/admin\/sessions\/[^/]+$/.test(new URL(request.url()).pathname);

test.describe('administration', () => {
  test('S4, S27: a user made admin by the CLI gets the admin area on the next request, finds a user by email and revokes their session', async ({
    page,
    signUpViaApi,
    newDevice,
  }) => {
    const admin = await signUpViaApi('admin');
    const member = await signUpViaApi('member');

    const memberDevice = await newDevice(DEVICE_USER_AGENTS.windowsFirefox);
    await signInViaApi(memberDevice.page.request, member);
    await memberDevice.page.goto('/');
    await expect(memberDevice.page.getByRole('region', { name: 'This session' })).toBeVisible();

    await signInViaApi(page.request, admin);
    await page.goto('/');
    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);

    await makeAdmin(admin.email);
    await page.reload();
    await page.getByRole('link', { name: 'Admin' }).click();
    await expect(page).toHaveURL('/admin');
    for (const heading of ['All sessions', 'Users', 'Store health']) {
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    }

    const allSessions = page.getByRole('region', { name: 'All sessions' });
    await allSessions.getByLabel('Filter by email').fill(member.email);
    const revokeMember = allSessions.getByRole('button', { name: new RegExp(`^Revoke session of ${escapeRegExp(member.email)} on `) });
    await expect(allSessions.getByText(/Page 1 of 1 · 1 session$/)).toBeVisible();
    await expect(revokeMember).toHaveCount(1);
    await expect(allSessions.getByRole('button', { name: new RegExp(`^Revoke session of ${escapeRegExp(admin.email)} on `) })).toHaveCount(0);

    await performSensitiveAction(page, admin.password, isAdminSessionRevocation, () => revokeMember.click());

    await expect(revokeMember).toHaveCount(0);
    await expect(memberDevice.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    expect((await memberDevice.page.request.get('/api/auth/me')).status()).toBe(401);
  });

  test('S27: a normal user sees no Admin link, is told the admin page is not for them, and the admin API refuses them', async ({
    page,
    signUpViaApi,
  }) => {
    const member = await signUpViaApi();
    await signInViaApi(page.request, member);

    await page.goto('/');
    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);

    await page.goto('/admin');
    await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'All sessions' })).toHaveCount(0);

    for (const path of ['/api/admin/sessions', '/api/admin/users', '/api/admin/store']) {
      expect((await page.request.get(path)).status(), path).toBe(403);
    }
  });
});

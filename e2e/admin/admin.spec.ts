import {
  confirmAction,
  countPageLoads,
  DEVICE_USER_AGENTS,
  expect,
  expectSignedOutHeader,
  makeAdmin,
  performSensitiveAction,
  signInViaApi,
  test,
} from '../fixtures';
import { SESSION_COOKIE } from '../support/server-env';
import type { Request } from '@playwright/test';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isAdminSessionRevocation = (request: Request) => request.method() === 'DELETE' && /^\/api\/admin\/sessions\/[^/]+$/.test(new URL(request.url()).pathname);
const isAdminUserAction = (action: 'disable' | 'role') => (request: Request) =>
  request.method() === 'POST' && new RegExp(`^/api/admin/users/[a-f0-9]{24}/${action}$`).test(new URL(request.url()).pathname);

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

    await performSensitiveAction(page, admin.password, isAdminSessionRevocation, async () => {
      await revokeMember.click();
      await confirmAction(page, 'Revoke session');
    });

    await expect(revokeMember).toHaveCount(0);
    await expect(memberDevice.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    expect((await memberDevice.page.request.get('/api/auth/me')).status()).toBe(401);
  });

  test('S27: a normal user sees no Admin link, is told the admin page is not for them, and the admin API refuses them', async ({ page, signUpViaApi }) => {
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

  test('S27: disabling an account asks first, then signs its open tab out at once, says why, and empties its header; the own row offers no Disable', async ({
    page,
    signUpViaApi,
    newDevice,
  }) => {
    const admin = await signUpViaApi('admin');
    const member = await signUpViaApi('member');
    await makeAdmin(admin.email);
    const memberDevice = await newDevice(DEVICE_USER_AGENTS.windowsFirefox);
    await signInViaApi(memberDevice.page.request, member);
    await memberDevice.page.goto('/');
    await expect(memberDevice.page.getByRole('region', { name: 'This session' })).toBeVisible();
    const memberLoads = countPageLoads(memberDevice.page);

    await signInViaApi(page.request, admin);
    await page.goto('/admin');
    const users = page.getByRole('region', { name: 'Users' });
    const disable = users.getByRole('button', { name: `Disable ${member.email}` });
    await expect(disable).toBeVisible();
    await expect(users.getByRole('button', { name: `Disable ${admin.email}` })).toHaveCount(0);
    await expect(users.getByRole('button', { name: `Change role of ${admin.email}` })).toHaveCount(0);

    await disable.click();
    const dialog = page.getByRole('alertdialog', { name: `Disable the account of ${member.name}?` });
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(disable).toBeFocused();
    expect((await memberDevice.page.request.get('/api/auth/me')).status()).toBe(200);

    await performSensitiveAction(page, admin.password, isAdminUserAction('disable'), async () => {
      await disable.click();
      await confirmAction(page, 'Disable account');
    });

    await expect(memberDevice.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    await expect(memberDevice.page.getByText('An administrator disabled your account')).toBeVisible();
    await expect(memberDevice.page.getByText(/another device/)).toHaveCount(0);
    await expectSignedOutHeader(memberDevice.page, member);
    expect(memberLoads()).toBe(0);
    await expect(users.getByRole('button', { name: `Enable ${member.email}` })).toBeVisible();
  });

  test('S4, S27: an administrator changes a user’s role from the admin page; the user’s open tab follows at once, without being signed out', async ({
    page,
    signUpViaApi,
    newDevice,
  }) => {
    const admin = await signUpViaApi('admin');
    const member = await signUpViaApi('member');
    await makeAdmin(admin.email);
    const memberDevice = await newDevice(DEVICE_USER_AGENTS.windowsFirefox);
    const memberPage = memberDevice.page;
    await signInViaApi(memberPage.request, member);
    await memberPage.goto('/');
    await expect(memberPage.getByRole('region', { name: 'This session' })).toBeVisible();
    await expect(memberPage.getByRole('link', { name: 'Admin' })).toHaveCount(0);
    const memberLoads = countPageLoads(memberPage);
    const memberCookie = async () => (await memberDevice.context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE)?.value;
    const cookieBefore = await memberCookie();

    await signInViaApi(page.request, admin);
    await page.goto('/admin');
    const users = page.getByRole('region', { name: 'Users' });
    const changeRole = users.getByRole('button', { name: `Change role of ${member.email}` });

    await changeRole.click();
    const dialog = page.getByRole('alertdialog', { name: `Change the role of ${member.name}?` });
    await expect(dialog.getByRole('radio', { name: 'Administrator' })).toBeChecked();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(changeRole).toBeFocused();

    await performSensitiveAction(page, admin.password, isAdminUserAction('role'), async () => {
      await changeRole.click();
      await confirmAction(page, 'Change role');
    });
    await expect(page.getByRole('status').filter({ hasText: `${member.email} is now: Administrator.` })).toBeVisible();

    // The member's next requests carry the new role under a new session id; the tab stays signed in.
    await expect(memberPage.getByRole('link', { name: 'Admin' })).toBeVisible();
    await memberPage.getByRole('link', { name: 'Admin' }).click();
    await expect(memberPage.getByRole('heading', { name: 'All sessions', exact: true })).toBeVisible();
    await expect(memberPage.getByRole('heading', { name: 'Signed out' })).toHaveCount(0);
    expect(memberLoads()).toBe(0);
    expect(await memberCookie()).not.toBe(cookieBefore);
  });
});

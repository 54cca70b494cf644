import { countPageLoads, DEVICE_USER_AGENTS, expect, performSensitiveAction, sessionRows, signInViaApi, test } from '../fixtures';
import type { Page, Request } from '@playwright/test';

const LAPTOP = 'Chrome 131 on Linux';
const TABLET = 'Firefox 128 on Windows 10';
const PHONE = 'Safari 17 on macOS Catalina';

const allSessions = (page: Page) => page.getByRole('region', { name: 'All your sessions' });
const rowOf = (page: Page, device: string) => sessionRows(allSessions(page)).filter({ hasText: device });
const signedOutFromElsewhere = (page: Page) => page.getByText('This session was signed out from another device');

const isPath = (method: string, path: RegExp) => (request: Request) => request.method() === method && path.test(new URL(request.url()).pathname);

test.describe('sessions on several devices', () => {
  test('S11: each device lists both sessions, marks its own, and revoking the other signs that device out without a reload', async ({ signedInDevices }) => {
    const { account, laptop, tablet } = await signedInDevices();

    await laptop.page.goto('/');
    await tablet.page.goto('/');
    const tabletLoads = countPageLoads(tablet.page);

    for (const [page, own, other] of [
      [laptop.page, LAPTOP, TABLET],
      [tablet.page, TABLET, LAPTOP],
    ] as const) {
      await expect(sessionRows(allSessions(page))).toHaveCount(2);
      await expect(rowOf(page, own).getByText('This device')).toBeVisible();
      await expect(rowOf(page, other).getByText('This device')).toHaveCount(0);
      await expect(rowOf(page, other).getByRole('button', { name: `Revoke ${other} session` })).toBeVisible();
    }

    await performSensitiveAction(laptop.page, account.password, isPath('DELETE', /^\/api\/sessions\/[^/]+$/), () =>
      laptop.page.getByRole('button', { name: `Revoke ${TABLET} session` }).click(),
    );

    await expect(tablet.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    await expect(signedOutFromElsewhere(tablet.page)).toBeVisible();
    expect(tabletLoads()).toBe(0);
    expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);

    await expect(sessionRows(allSessions(laptop.page))).toHaveCount(1);
    await expect(rowOf(laptop.page, LAPTOP).getByText('This device')).toBeVisible();
  });

  test('S11: a sign-in on a third device appears without a reload, and "Sign out everywhere else" ends every other session', async ({ signedInDevices, newDevice }) => {
    const { account, laptop, tablet } = await signedInDevices();
    await laptop.page.goto('/');
    await tablet.page.goto('/');
    const laptopLoads = countPageLoads(laptop.page);
    const tabletLoads = countPageLoads(tablet.page);
    await expect(sessionRows(allSessions(laptop.page))).toHaveCount(2);

    const phone = await newDevice(DEVICE_USER_AGENTS.macSafari);
    await signInViaApi(phone.page.request, account);
    await expect(rowOf(laptop.page, PHONE)).toBeVisible();
    await expect(sessionRows(allSessions(laptop.page))).toHaveCount(3);

    await performSensitiveAction(laptop.page, account.password, isPath('POST', /^\/api\/sessions\/revoke-others$/), () =>
      laptop.page.getByRole('button', { name: 'Sign out everywhere else' }).click(),
    );

    await expect(laptop.page.getByRole('status').filter({ hasText: 'Signed out 2 other sessions.' })).toBeVisible();
    await expect(sessionRows(allSessions(laptop.page))).toHaveCount(1);
    await expect(tablet.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    await expect(signedOutFromElsewhere(tablet.page)).toBeVisible();
    expect((await phone.page.request.get('/api/auth/me')).status()).toBe(401);
    expect(laptopLoads()).toBe(0);
    expect(tabletLoads()).toBe(0);
  });
});

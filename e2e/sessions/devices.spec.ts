import {
  confirmAction,
  countPageLoads,
  DEVICE_USER_AGENTS,
  expect,
  expectSignedOutHeader,
  performSensitiveAction,
  sessionCards,
  signInViaApi,
  test,
} from '../fixtures';
import type { Page, Request } from '@playwright/test';

const LAPTOP = 'Chrome 131 on Linux';
const TABLET = 'Firefox 128 on Windows 10';
const PHONE = 'Safari 17 on macOS Catalina';

const allSessions = (page: Page) => page.getByRole('region', { name: 'All your sessions' });
const cardOf = (page: Page, device: string) => sessionCards(allSessions(page)).filter({ hasText: device });
const signedOutFromElsewhere = (page: Page) => page.getByText('This session was signed out from another device');

const isPath = (method: string, path: RegExp) => (request: Request) => request.method() === method && path.test(new URL(request.url()).pathname);

test.describe('sessions on several devices', () => {
  test('S11: each device lists both sessions, marks its own, and revoking the other signs that device out, header included, without a reload', async ({
    signedInDevices,
  }) => {
    const { account, laptop, tablet } = await signedInDevices();

    await laptop.page.goto('/');
    await tablet.page.goto('/');
    const tabletLoads = countPageLoads(tablet.page);
    await expect(tablet.page.getByRole('banner').getByText(account.name)).toBeVisible();

    for (const [page, own, other] of [
      [laptop.page, LAPTOP, TABLET],
      [tablet.page, TABLET, LAPTOP],
    ] as const) {
      await expect(sessionCards(allSessions(page))).toHaveCount(2);
      await expect(cardOf(page, own).getByText('This device')).toBeVisible();
      await expect(cardOf(page, other).getByText('This device')).toHaveCount(0);
      await expect(cardOf(page, other).getByRole('button', { name: `Revoke ${other} session` })).toBeVisible();
      await expect(cardOf(page, own).getByText('Password', { exact: true })).toBeVisible();
    }

    await performSensitiveAction(laptop.page, account.password, isPath('DELETE', /^\/api\/sessions\/[^/]+$/), async () => {
      await laptop.page.getByRole('button', { name: `Revoke ${TABLET} session` }).click();
      await confirmAction(laptop.page, 'Revoke session');
    });

    await expect(tablet.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    await expect(signedOutFromElsewhere(tablet.page)).toBeVisible();
    await expectSignedOutHeader(tablet.page, account);
    expect(tabletLoads()).toBe(0);
    expect((await tablet.page.request.get('/api/auth/me')).status()).toBe(401);

    await expect(sessionCards(allSessions(laptop.page))).toHaveCount(1);
    await expect(cardOf(laptop.page, LAPTOP).getByText('This device')).toBeVisible();
    // The revoked card took the focused button with it: focus stays in the section, not on <body>.
    await expect(allSessions(laptop.page).getByRole('heading', { name: 'All your sessions' })).toBeFocused();
  });

  test('S11: a sign-in on a third device appears without a reload, and "Sign out everywhere else" ends every other session', async ({
    signedInDevices,
    newDevice,
  }) => {
    const { account, laptop, tablet } = await signedInDevices();
    await laptop.page.goto('/');
    await tablet.page.goto('/');
    const laptopLoads = countPageLoads(laptop.page);
    const tabletLoads = countPageLoads(tablet.page);
    await expect(sessionCards(allSessions(laptop.page))).toHaveCount(2);

    const phone = await newDevice(DEVICE_USER_AGENTS.macSafari);
    await signInViaApi(phone.page.request, account);
    await expect(cardOf(laptop.page, PHONE)).toBeVisible();
    await expect(sessionCards(allSessions(laptop.page))).toHaveCount(3);

    await performSensitiveAction(laptop.page, account.password, isPath('POST', /^\/api\/sessions\/revoke-others$/), async () => {
      await laptop.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await expect(laptop.page.getByRole('alertdialog')).toContainText('Your 2 other sessions are signed out at once.');
      await confirmAction(laptop.page, 'Sign out everywhere else');
    });

    await expect(laptop.page.getByRole('status').filter({ hasText: 'Signed out 2 other sessions.' })).toBeVisible();
    await expect(sessionCards(allSessions(laptop.page))).toHaveCount(1);
    await expect(tablet.page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    await expect(signedOutFromElsewhere(tablet.page)).toBeVisible();
    await expectSignedOutHeader(tablet.page, account);
    expect((await phone.page.request.get('/api/auth/me')).status()).toBe(401);
    expect(laptopLoads()).toBe(0);
    expect(tabletLoads()).toBe(0);
  });

  test('the owner names a device, and every device of the account shows that name', async ({ signedInDevices }) => {
    const { laptop, tablet } = await signedInDevices();
    await laptop.page.goto('/');
    await tablet.page.goto('/');
    await expect(sessionCards(allSessions(laptop.page))).toHaveCount(2);

    await laptop.page.getByRole('button', { name: `Rename ${TABLET}` }).click();
    const name = laptop.page.getByLabel('Device name');
    await name.fill('Kitchen tablet');
    const renamed = laptop.page.waitForResponse(
      (response) => response.request().method() === 'PATCH' && new URL(response.url()).pathname.startsWith('/api/sessions/'),
    );
    await name.press('Enter');
    expect((await renamed).status()).toBe(200);

    const named = cardOf(laptop.page, 'Kitchen tablet');
    await expect(named.getByRole('heading', { name: 'Kitchen tablet' })).toBeVisible();
    await expect(named.getByText(TABLET)).toBeVisible();
    await expect(named.getByRole('button', { name: 'Revoke Kitchen tablet session' })).toBeVisible();
    await expect(laptop.page.getByRole('button', { name: 'Rename Kitchen tablet' })).toBeFocused();

    // The tablet sees its own new name once it looks again.
    await tablet.page.reload();
    await expect(cardOf(tablet.page, 'Kitchen tablet').getByText('This device')).toBeVisible();
  });
});

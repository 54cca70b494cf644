import { randomBytes } from 'node:crypto';
import { confirmAction, DEVICE_USER_AGENTS, expect, makeAdmin, performSensitiveAction, sessionCards, signInViaApi, test } from '../fixtures';
import type { Locator, Page } from '@playwright/test';

const PHONES = [
  { width: 390, height: 844 },
  { width: 320, height: 640 },
];

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${what}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`).toBeLessThanOrEqual(innerWidth);
}

/** Visible and entirely inside the window's width: reachable without scrolling sideways. */
async function expectWithinWidth(page: Page, control: Locator): Promise<void> {
  await expect(control).toBeVisible();
  const box = await control.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box, 'the control has a box').not.toBeNull();
  if (!box) return;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(width);
}

for (const viewport of PHONES) {
  test.describe(`on a ${viewport.width}×${viewport.height} screen`, () => {
    test.use({ viewport });

    test('no page scrolls sideways, long names wrap, and every other session’s Revoke is in reach and works', async ({ page, signUpViaApi, newDevice }) => {
      for (const path of ['/login', '/register', '/no-such-page']) {
        await page.goto(path);
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expectNoSidewaysScroll(page, path);
      }

      // A long name and a long address, as the ones that broke mid-word in tables.
      const suffix = randomBytes(4).toString('hex');
      const account = await signUpViaApi('countess', {
        name: 'Augusta Ada King-Noel, Countess of Lovelace',
        email: `augusta.ada.king-noel.countess-of-lovelace-${suffix}@analytical-engine-society.example.com`,
      });
      await makeAdmin(account.email);
      await signInViaApi(page.request, account);
      const others = [await newDevice(DEVICE_USER_AGENTS.windowsFirefox), await newDevice(DEVICE_USER_AGENTS.macSafari)];
      for (const device of others) await signInViaApi(device.page.request, account);

      await page.goto('/');
      const allSessions = page.getByRole('region', { name: 'All your sessions' });
      await expect(sessionCards(allSessions)).toHaveCount(3);
      await expectNoSidewaysScroll(page, 'the dashboard');
      const revokeButtons = allSessions.getByRole('button', { name: /^Revoke .* session$/ });
      await expect(revokeButtons).toHaveCount(2);
      for (const button of await revokeButtons.all()) await expectWithinWidth(page, button);

      await page.getByRole('button', { name: 'Developer details' }).click();
      await expect(page.getByRole('heading', { name: 'Explain my cookie' })).toBeVisible();
      await expectNoSidewaysScroll(page, 'the dashboard with the developer details open');

      for (const remaining of [2, 1]) {
        await performSensitiveAction(
          page,
          account.password,
          (request) => request.method() === 'DELETE' && new URL(request.url()).pathname.startsWith('/api/sessions/'),
          async () => {
            await revokeButtons.first().click();
            await expectNoSidewaysScroll(page, 'the dashboard with a confirmation open');
            await expectWithinWidth(page, page.getByRole('alertdialog').getByRole('button', { name: 'Revoke session' }));
            await confirmAction(page, 'Revoke session');
          },
        );
        await expect(sessionCards(allSessions)).toHaveCount(remaining);
      }
      for (const device of others) expect((await device.page.request.get('/api/auth/me')).status()).toBe(401);

      await page.goto('/admin');
      const users = page.getByRole('region', { name: 'Users' });
      // A card per account on a phone, the long name and address wrapping inside it.
      const ownCard = users.getByRole('listitem').filter({ hasText: account.email });
      await expect(ownCard.getByRole('heading', { name: account.name })).toBeVisible();
      await expectWithinWidth(page, ownCard);
      await expect(
        page
          .getByRole('region', { name: 'All sessions' })
          .getByRole('button', { name: /^Revoke session of / })
          .first(),
      ).toBeVisible();
      await expectNoSidewaysScroll(page, 'the admin area');
      for (const button of await page.getByRole('button', { name: /^Revoke session of / }).all()) await expectWithinWidth(page, button);

      // Signed out by another tab of this browser: the signed-out screen fits too.
      await page.goto('/');
      await expect(sessionCards(allSessions)).toHaveCount(1);
      expect((await page.request.post('/api/auth/logout')).status()).toBe(204);
      await expect(page.getByRole('heading', { name: 'Signed out' })).toBeVisible();
      await expectNoSidewaysScroll(page, 'the signed-out screen');
    });
  });
}

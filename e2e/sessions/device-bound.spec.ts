import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, sessionCards, signOutFromHeader, test } from '../fixtures';
import type { Account } from '../fixtures';
import { launchDbscBrowser } from '../support/dbsc-browser';
import { e2eBaseURL } from '../support/server-env';

/** DEVICE_BOUND_COOKIE_SECONDS in the e2e server's environment (support/server-env.ts). */
const BOUND_COOKIE_SECONDS = 5;
const BOUND_COOKIE = 'gh.bound';
const REFRESH = '/api/auth/device-binding/refresh';

interface SessionsBody {
  sessions: { isCurrent: boolean; deviceBound: boolean }[];
}

/** A request from the page itself: it goes through the browser's network stack, DBSC deferral included. */
const statusFromPage = (page: Page, path: string) => page.evaluate((url) => fetch(url).then((res) => res.status), path);
const currentDeviceBound = (page: Page) =>
  page.evaluate(() =>
    fetch('/api/sessions')
      .then((res) => res.json() as Promise<SessionsBody>)
      .then((body) => body.sessions.find((session) => session.isCurrent)?.deviceBound),
  );

async function signInOnPage(page: Page, account: Account): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL('/');
}

test.describe('device-bound sessions (S45)', () => {
  let dbscBrowser: Browser;
  test.beforeAll(async () => {
    dbscBrowser = await launchDbscBrowser();
  });
  test.afterAll(() => dbscBrowser.close());

  /** A context of the Chromium that can bind, looking like this test's client. */
  async function bindingContext(clientIp: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await dbscBrowser.newContext({ baseURL: e2eBaseURL, extraHTTPHeaders: { 'X-Forwarded-For': clientIp } });
    return { context, page: await context.newPage() };
  }

  test('a DBSC browser binds its session at sign-in and keeps using the dashboard after the bound cookie expired: it refreshed', async ({
    signUpViaApi,
    clientIp,
  }) => {
    const account = await signUpViaApi();
    const { context, page } = await bindingContext(clientIp);
    await signInOnPage(page, account);
    await expect.poll(() => currentDeviceBound(page)).toBe(true);
    await page.reload();
    const thisSession = sessionCards(page.getByRole('region', { name: 'All your sessions' })).filter({ hasText: 'This device' });
    await expect(thisSession.getByText('Bound to this device')).toBeVisible();
    const boundAtSignIn = (await context.cookies()).find((cookie) => cookie.name === BOUND_COOKIE)?.value;
    expect(boundAtSignIn).toBeTruthy();

    await page.waitForTimeout(2 * BOUND_COOKIE_SECONDS * 1000);
    expect(await statusFromPage(page, '/api/auth/me')).toBe(200);
    const boundNow = (await context.cookies()).find((cookie) => cookie.name === BOUND_COOKIE)?.value;
    expect(boundNow, 'a new bound cookie, from a refresh signed with the device key').not.toBe(boundAtSignIn);
    await context.close();
  });

  test('all cookies copied into another browser stop working once the copied bound cookie expired; the owner sees it in the activity', async ({
    signUpViaApi,
    clientIp,
    browser,
  }) => {
    const account = await signUpViaApi();
    const owner = await bindingContext(clientIp);
    await signInOnPage(owner.page, account);
    await expect.poll(() => currentDeviceBound(owner.page)).toBe(true);

    const thief = await browser.newContext({ baseURL: e2eBaseURL });
    await thief.addCookies(await owner.context.cookies());
    const thiefPage = await thief.newPage();
    await thiefPage.goto('/login');
    await thiefPage.waitForTimeout((BOUND_COOKIE_SECONDS + 1) * 1000);
    expect(await statusFromPage(thiefPage, '/api/auth/me')).toBe(401);

    expect(await statusFromPage(owner.page, '/api/auth/me'), 'the owner goes on').toBe(200);
    const types = await owner.page.evaluate(() =>
      fetch('/api/activity')
        .then((res) => res.json() as Promise<{ events: { type: string }[] }>)
        .then((body) => body.events.map((event) => event.type)),
    );
    expect(types).toContain('session_used_without_device_key');
    await thief.close();
    await owner.context.close();
  });

  test('after "Sign out" the refresh endpoint issues no bound cookie for that session', async ({ signUpViaApi, clientIp }) => {
    const account = await signUpViaApi();
    const { context, page } = await bindingContext(clientIp);
    await signInOnPage(page, account);
    await expect.poll(() => currentDeviceBound(page)).toBe(true);
    const cookiesBefore = await context.cookies();
    const bindingId = await page.evaluate(() =>
      fetch('/api/sessions/current')
        .then((res) => res.json() as Promise<{ data: { deviceBinding?: { id: string } } }>)
        .then((body) => body.data.deviceBinding?.id ?? ''),
    );
    expect(bindingId).not.toBe('');

    await signOutFromHeader(page);
    expect(
      (await context.cookies()).find((cookie) => cookie.name === BOUND_COOKIE),
      'sign-out clears the bound cookie',
    ).toBeUndefined();
    // What the browser would send to refresh: the session cookie it had, and the binding's id.
    const refresh = await context.request.post(REFRESH, {
      headers: { Cookie: cookiesBefore.map((cookie) => `${cookie.name}=${cookie.value}`).join('; '), 'Sec-Secure-Session-Id': bindingId },
    });
    expect(refresh.status()).toBe(200);
    expect(await refresh.json()).toEqual({ session_identifier: bindingId, continue: false });
    expect(refresh.headers()['set-cookie'] ?? '').not.toMatch(new RegExp(`${BOUND_COOKIE}=[^;]`));
    await context.close();
  });

  test('a browser without DBSC gets an ordinary session: deviceBound false, and the app works', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi();
    await signInOnPage(page, account);
    await page.waitForTimeout(1000);
    expect(await currentDeviceBound(page)).toBe(false);
    expect(await statusFromPage(page, '/api/auth/me')).toBe(200);
    await expect(page.getByText('Bound to this device')).toHaveCount(0);
  });
});

import { expect, sessionCards, test } from '../fixtures';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../support/server-env';
import type { Page } from '@playwright/test';

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

/** Collects CSP violations as the page reports them, from before its first script runs. */
async function watchCspViolations(page: Page): Promise<{ console: string[]; read: () => Promise<string[]> }> {
  const fromConsole: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) fromConsole.push(message.text());
  });
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations?.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  return { console: fromConsole, read: () => page.evaluate(() => window.cspViolations ?? []) };
}

test.describe('what the browser is given', () => {
  test('S5: the session cookie is HttpOnly, SameSite=Lax, Path=/, host-only, and invisible to scripts', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi();
    await page.goto('/login');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    const loginResponse = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const setCookie = (await (await loginResponse).headerValue('set-cookie')) ?? '';
    expect(setCookie).toMatch(/gh\.sid=/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
    expect(setCookie).toMatch(/;\s*Path=\/(;|$)/i);
    expect(setCookie).not.toMatch(/;\s*Domain=/i);

    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
    const cookies = await page.context().cookies();
    const sessionCookie = cookies.find((cookie) => cookie.name === SESSION_COOKIE);
    expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', domain: 'localhost' });
    // The device cookie (sign-in throttle trust, S32) is held to the same rules.
    const deviceCookie = cookies.find((cookie) => cookie.name === DEVICE_COOKIE);
    expect(deviceCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', domain: 'localhost' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  test('S24: the real SPA runs under its CSP (script-src self) without a single violation', async ({ page, signUpViaApi }) => {
    const violations = await watchCspViolations(page);

    const loginPage = await page.goto('/login');
    const csp = (await loginPage?.headerValue('content-security-policy')) ?? '';
    expect(csp).toMatch(/(^|;)\s*script-src 'self'\s*(;|$)/);
    expect(csp).toMatch(/(^|;)\s*default-src 'self'/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

    const account = await signUpViaApi();
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
    await expect(sessionCards(page.getByRole('region', { name: 'All your sessions' }))).toHaveCount(1);

    const dashboard = await page.reload();
    expect((await dashboard?.headerValue('content-security-policy')) ?? '').toMatch(/script-src 'self'/);
    await expect(page.getByRole('region', { name: 'Session data' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Recent activity' })).toBeVisible();

    expect(await violations.read()).toEqual([]);
    expect(violations.console).toEqual([]);
  });
});

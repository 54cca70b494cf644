import { expect, test } from '../fixtures';

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

test.describe('the API reference (development and tests only)', () => {
  test('S24: /api/docs renders the OpenAPI document in Chromium, with scripts from this origin only and no request leaving it', async ({ page, baseURL }) => {
    const foreignRequests: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.origin !== new URL(baseURL ?? '').origin) foreignRequests.push(request.url());
    });
    await page.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.cspViolations?.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });

    const response = await page.goto('/api/docs');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self';");

    await expect(page.getByRole('heading', { name: 'Gatehouse API', level: 1 })).toBeVisible();
    // Read from the served document: the first group's operations are listed, the other groups by name.
    await expect(page.getByText('Sign in with email and password').first()).toBeVisible();
    for (const tag of ['Sessions', 'Activity', 'Live events', 'Admin', 'Health']) {
      await expect(page.getByText(tag, { exact: true }).first()).toBeVisible();
    }
    await expect(page.getByRole('heading', { name: 'Cross-site requests (CSRF) and bodies' })).toBeVisible();

    // The renderer's bundled schema library probes whether `new Function` is allowed and falls back when it
    // is not: that refused probe is the policy holding. Nothing else may be refused, no script, style or fetch.
    const violations = await page.evaluate(() => window.cspViolations ?? []);
    expect(violations.filter((violation) => violation !== 'script-src blocked eval')).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});

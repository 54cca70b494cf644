import AxeBuilder from '@axe-core/playwright';
import { expect, makeAdmin, signInViaApi, test } from '../fixtures';
import type { Page } from '@playwright/test';

async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
  expect(summary).toEqual([]);
}

test.describe('accessibility', () => {
  test('the sign-in and registration pages have no axe violations', async ({ page }) => {
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectNoAxeViolations(page);

    await page.goto('/register');
    await expect(page.getByRole('heading', { name: 'Create account' })).toBeVisible();
    await expectNoAxeViolations(page);
  });

  test('the forgot-password page and a dead link’s page have no axe violations', async ({ page }) => {
    await page.goto('/forgot-password');
    await expect(page.getByRole('heading', { name: 'Forgot password' })).toBeVisible();
    await expectNoAxeViolations(page);

    await page.goto('/reset-password?token=not-a-real-token');
    await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible();
    await expectNoAxeViolations(page);
  });

  test('the dashboard and the admin area have no axe violations', async ({ page, signUpViaApi }) => {
    const admin = await signUpViaApi('admin');
    await makeAdmin(admin.email);
    await signInViaApi(page.request, admin);

    await page.goto('/');
    for (const region of ['This session', 'All your sessions', 'Session data', 'Recent activity']) {
      await expect(page.getByRole('region', { name: region })).toBeVisible();
    }
    await expect(page.getByRole('region', { name: 'All your sessions' }).locator('tbody').getByRole('row')).toHaveCount(1);
    await expectNoAxeViolations(page);

    await page.goto('/admin');
    for (const heading of ['All sessions', 'Users', 'Store health']) {
      await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    }
    await expect(page.getByRole('region', { name: 'All sessions' }).locator('tbody').getByRole('row').first()).toBeVisible();
    await expectNoAxeViolations(page);
  });

  test('the sign-in form works from the keyboard alone', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi();
    await page.goto('/login');
    const email = page.getByLabel('Email');
    await expect(email).toBeVisible();

    // Whatever comes first in the tab order (the home link), the Email field is reached by Tab alone.
    for (let presses = 0; presses < 5 && !(await email.evaluate((element) => element === document.activeElement)); presses += 1) {
      await page.keyboard.press('Tab');
    }
    await expect(email).toBeFocused();
    await page.keyboard.type(account.email);
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Password')).toBeFocused();
    await page.keyboard.type(account.password);
    await page.keyboard.press('Enter');

    await expect(page.getByRole('region', { name: 'This session' })).toBeVisible();
  });
});
